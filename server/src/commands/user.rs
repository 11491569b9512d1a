//! `regatta user …`: managing dashboard users from the host. Audited under the OS user.

use anyhow::{bail, Context};
use regatta_core::config::Settings;
use regatta_core::users::{Place, Role};
use regatta_core::Services;
use regatta_core::{accounts, accounts_admin, sessions};
use secrecy::SecretString;
use std::io::{IsTerminal, Read};

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user. The password is read from stdin when it is not a terminal, else prompted.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a user's password (read like `add`).
    Passwd { name: String },
    /// List users with their roles.
    List,
    /// Disable a user: their sessions stop working at the next request.
    Disable { name: String },
    /// Enable a disabled user again.
    Enable { name: String },
    /// Change a user's role (the last admin who can log in keeps theirs).
    Role {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Give a user a role at one place, beside their global role:
    /// `regatta user grant alice maintainer environment:staging`.
    Grant {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
        /// `registry:NAME` or `environment:NAME`.
        #[arg(value_parser = parse_place)]
        place: Place,
    },
    /// Take a user's grant at a place away: `regatta user revoke alice environment:staging`.
    Revoke {
        name: String,
        #[arg(value_parser = parse_place)]
        place: Place,
    },
    /// What a user may do where, and which role (global or granted) gives it.
    Rights { name: String },
    /// A user's sessions that count now (since, last used, from where, browser);
    /// `--end` ends all of them (they log in again), `--end-id ID` the one listed as ID.
    Sessions {
        name: String,
        #[arg(long, conflicts_with = "end_id")]
        end: bool,
        #[arg(long, value_name = "ID")]
        end_id: Option<i64>,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse()
}

fn parse_place(raw: &str) -> Result<Place, String> {
    raw.parse()
}

pub async fn user(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    let services = Services::start(settings).await?;
    let actor = super::cli_actor();
    match command {
        UserCommand::Add { name, role } => {
            let password = read_password()?;
            accounts::add_user(&services, &actor, &name, role, &password).await?;
            println!("added user `{name}` ({role})");
        }
        UserCommand::Passwd { name } => {
            let password = read_password()?;
            accounts::change_password(&services, &actor, &name, &password).await?;
            println!("password of `{name}` changed");
        }
        UserCommand::List => {
            println!(
                "{:<24} {:<11} {:<9} {:<26} grants",
                "USER", "ROLE", "STATUS", "LAST LOGIN"
            );
            let admin = regatta_core::users::User::not_stored("cli", Role::Admin);
            for user in accounts_admin::users_for_admin(&services, &admin).await? {
                let status = if user.disabled { "disabled" } else { "active" };
                let last = user
                    .last_login_at
                    .map(|t| t.to_string())
                    .unwrap_or_else(|| "never".into());
                let grants: Vec<String> = user.grants.iter().map(|g| g.to_string()).collect();
                println!(
                    "{:<24} {:<11} {:<9} {last:<26} {}",
                    user.username,
                    user.role.as_str(),
                    status,
                    grants.join(", ")
                );
            }
        }
        UserCommand::Disable { name } => {
            accounts::disable_user(&services, &actor, &name).await?;
            println!("disabled user `{name}`");
        }
        UserCommand::Enable { name } => {
            accounts_admin::set_enabled(&services, &actor, &name, true).await?;
            println!("enabled user `{name}`");
        }
        UserCommand::Role { name, role } => {
            accounts_admin::change_role(&services, &actor, &name, role).await?;
            println!("`{name}` is now {role}");
        }
        UserCommand::Grant { name, role, place } => {
            let said = format!("`{name}` is now {role} in {place}");
            accounts_admin::grant(&services, &actor, &name, place, role).await?;
            println!("{said}");
        }
        UserCommand::Revoke { name, place } => {
            let said = format!("`{name}` no longer has a grant on {place}");
            accounts_admin::revoke(&services, &actor, &name, place).await?;
            println!("{said}");
        }
        UserCommand::Rights { name } => {
            let user = accounts_admin::user_for_admin(&services, &actor.user, &name).await?;
            print!("{}", rights_text(&user, &services.settings));
        }
        UserCommand::Sessions { name, end, end_id } => match (end, end_id) {
            (true, _) => {
                accounts_admin::end_sessions(&services, &actor, &name).await?;
                println!("ended every session of `{name}`");
            }
            (false, Some(id)) => {
                let listed = sessions::sessions_of(&services, &actor.user, &name).await?;
                if !listed.iter().any(|s| s.id == id) {
                    bail!("`{name}` has no session {id} (see `regatta user sessions {name}`)");
                }
                sessions::end_session(&services, &actor, id).await?;
                println!("ended session {id} of `{name}`");
            }
            (false, None) => {
                println!(
                    "{:<6} {:<26} {:<26} {:<40} browser",
                    "ID", "SINCE", "LAST USED", "FROM"
                );
                for s in sessions::sessions_of(&services, &actor.user, &name).await? {
                    println!(
                        "{:<6} {:<26} {:<26} {:<40} {}",
                        s.id,
                        super::rfc3339(s.created_at),
                        super::rfc3339(s.last_seen_at),
                        s.source,
                        s.agent.unwrap_or_default()
                    );
                }
            }
        },
    }
    Ok(())
}

/// From a pipe: the first line. From a terminal: typed twice, not echoed.
fn read_password() -> anyhow::Result<SecretString> {
    if !std::io::stdin().is_terminal() {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .context("reading the password from stdin")?;
        let password = input.lines().next().unwrap_or_default().to_string();
        return Ok(password.into());
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Again: ")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first.into())
}

/// The effective rights as plain text, one place per line.
fn rights_text(user: &regatta_core::users::User, settings: &Settings) -> String {
    use std::fmt::Write;
    let rights = regatta_core::auth::effective_rights(user, settings);
    let mut text = format!("{}: global role {}\n", user.username, rights.global);
    for registry in &rights.registries {
        let may = registry.may.join(", ");
        let _ = writeln!(
            text,
            "registry {}: {} ({}){}",
            registry.name,
            registry.role,
            registry.from,
            if may.is_empty() {
                String::new()
            } else {
                format!(": {may}")
            }
        );
        for environment in &registry.environments {
            let _ = writeln!(
                text,
                "  environment {}: {} ({}); may: {}; may not: {}",
                environment.name,
                environment.role,
                environment.from,
                or_nothing(&environment.may),
                or_nothing(&environment.may_not)
            );
        }
    }
    for grant in &rights.idle_grants {
        let _ = writeln!(
            text,
            "grant {grant}: names no configured place, gives nothing"
        );
    }
    text
}

fn or_nothing(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".into()
    } else {
        items.join(", ")
    }
}
