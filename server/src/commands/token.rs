//! `regatta token …`: personal access tokens for the JSON API, made and revoked from the host
//! (as an admin, audited under the OS user), e.g. for a CI pipeline's service account.

use anyhow::bail;
use regatta_core::config::Settings;
use regatta_core::tokens::{self, Scope};
use regatta_core::Services;

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Make a token for a user and print it (once: only a hash is kept).
    Create {
        /// What the token is for (`ci-deploy`).
        name: String,
        #[arg(long)]
        user: String,
        /// read, write or admin — never more than the user may.
        #[arg(long, value_parser = parse_scope)]
        scope: Scope,
        /// `90d`, or `never`.
        #[arg(long, default_value = "90d", value_parser = parse_days)]
        expires: Expiry,
    },
    /// A user's tokens (not their secrets).
    List {
        #[arg(long)]
        user: String,
    },
    /// Revoke a token by its id (see `list`): it stops working at once.
    Revoke { id: i64 },
}

fn parse_scope(raw: &str) -> Result<Scope, String> {
    raw.parse()
}

/// Days until a token expires; none: never.
#[derive(Debug, Clone, Copy)]
pub struct Expiry(Option<u32>);

/// `90d` → 90 days; `never`.
fn parse_days(raw: &str) -> Result<Expiry, String> {
    if raw == "never" {
        return Ok(Expiry(None));
    }
    raw.strip_suffix('d')
        .and_then(|n| n.parse().ok())
        .map(|days| Expiry(Some(days)))
        .ok_or_else(|| format!("`{raw}` is not a duration: write e.g. 90d, or never"))
}

pub async fn token(settings: Settings, command: TokenCommand) -> anyhow::Result<()> {
    let services = Services::start(settings).await?;
    let actor = super::cli_actor();
    match command {
        TokenCommand::Create {
            name,
            user,
            scope,
            expires,
        } => {
            let (id, token) =
                tokens::create(&services, &actor, &user, &name, scope, expires.0).await?;
            eprintln!(
                "token #{id} for `{user}` ({}); shown only now:",
                scope.as_str()
            );
            println!("{token}");
        }
        TokenCommand::List { user } => {
            println!(
                "{:<6} {:<24} {:<6} {:<26} {:<26} last used",
                "ID", "NAME", "SCOPE", "CREATED", "EXPIRES"
            );
            for t in tokens::list(&services, &actor.user, &user).await? {
                println!(
                    "{:<6} {:<24} {:<6} {:<26} {:<26} {}",
                    t.id,
                    t.name,
                    t.scope,
                    super::rfc3339(t.created_at),
                    t.expires_at
                        .map(super::rfc3339)
                        .unwrap_or_else(|| "never".into()),
                    t.last_used_at
                        .map(super::rfc3339)
                        .unwrap_or_else(|| "never".into()),
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if id <= 0 {
                bail!("token ids start at 1");
            }
            tokens::revoke(&services, &actor, id).await?;
            println!("revoked token #{id}");
        }
    }
    Ok(())
}
