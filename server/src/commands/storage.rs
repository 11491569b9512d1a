//! `regatta storage [REGISTRY] [--by environment|namespace|repository] [--json]`: the current
//! storage accounting from the index, the same figures as the dashboard's;
//! `regatta storage snapshot`: writes one down now (as the server does on its schedule).

use app::format::human_size;
use regatta_core::config::Settings;
use regatta_core::storage::{storage_accounting, Grouping, Usage};
use regatta_core::Services;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StorageArgs {
    #[command(subcommand)]
    action: Option<StorageAction>,
    /// Only this registry (default: every configured one).
    registry: Option<String>,
    /// Also break each registry down: environment, namespace or repository.
    #[arg(long)]
    by: Option<String>,
    /// JSON (keys logical_bytes, stored_bytes, exclusive_bytes, shared_bytes, …) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum StorageAction {
    /// Take a storage snapshot now (per registry, environment, namespace, largest repositories).
    Snapshot,
}

pub async fn storage(settings: Settings, args: StorageArgs) -> anyhow::Result<()> {
    if let Some(StorageAction::Snapshot) = args.action {
        let services = Services::start(settings).await?;
        let report = regatta_core::storage::take_snapshot(&services).await?;
        println!("snapshot {}: {} rows", report.taken_at, report.rows);
        return Ok(());
    }
    let by = match args.by.as_deref() {
        Some(by) => Grouping::parse(by)?,
        None => Grouping::Registry,
    };
    let services = Services::start(settings).await?;
    let actor = super::cli_actor();
    let accounts = storage_accounting(&services, &actor.user, args.registry.as_deref(), by).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&accounts)?);
        return Ok(());
    }
    for account in &accounts {
        println!("{:<32} {}", account.registry, line(&account.total));
        if args.by.is_some() {
            for scope in &account.scopes {
                println!("  {:<30} {}", scope.scope, line(&scope.usage));
            }
        }
    }
    Ok(())
}

fn line(usage: &Usage) -> String {
    format!(
        "stored {:>9}  exclusive {:>9}  shared {:>9}  logical {:>9}  {} repositories, {} tags",
        human_size(usage.stored_bytes),
        human_size(usage.exclusive_bytes),
        human_size(usage.shared_bytes),
        human_size(usage.logical_bytes),
        usage.repositories,
        usage.tags
    )
}
