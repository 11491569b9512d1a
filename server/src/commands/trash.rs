//! `regatta trash list [--json]`: deleted tags, newest first, restorable until garbage
//! collection removes their blobs; `regatta trash restore ID`: puts one back (same digest).

use app::format::human_size;
use regatta_core::config::Settings;
use regatta_core::deletion::{restore, trash_list};
use regatta_core::Services;

#[derive(Debug, clap::Subcommand)]
pub enum TrashCommand {
    /// Deleted tags, newest first.
    List {
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Put a deleted tag back (fails, naming them, when GC removed some of its blobs).
    Restore {
        /// The entry's number, as `trash list` shows it.
        id: i64,
    },
}

pub async fn trash(settings: Settings, command: TrashCommand) -> anyhow::Result<()> {
    let services = Services::start(settings).await?;
    let actor = super::cli_actor();
    match command {
        TrashCommand::List { json } => {
            for entry in trash_list(&services, &actor.user, 1000).await? {
                let state = match (&entry.restored_at, &entry.restored_by) {
                    (Some(_), Some(by)) => format!("restored by {by}"),
                    (Some(_), None) => "restored".to_string(),
                    (None, _) => format!("kept until {}", entry.expires_at),
                };
                if json {
                    let line = serde_json::json!({
                        "id": entry.id, "registry": entry.registry, "repository": entry.repository,
                        "tag": entry.tag, "digest": entry.digest, "size_bytes": entry.size_bytes,
                        "image_deleted": entry.image_deleted, "deleted_by": entry.deleted_by,
                        "deleted_from": entry.deleted_from, "deleted_at": entry.deleted_at.to_string(),
                        "expires_at": entry.expires_at.to_string(),
                        "restored": entry.restored_at.is_some(),
                    });
                    println!("{line}");
                    continue;
                }
                println!(
                    "#{:<5} {}/{}:{}  {}  {}  deleted by {} at {}  {state}",
                    entry.id,
                    entry.registry,
                    entry.repository,
                    entry.tag,
                    entry.digest,
                    human_size(entry.size_bytes.max(0) as u64),
                    entry.deleted_by,
                    entry.deleted_at
                );
            }
        }
        TrashCommand::Restore { id } => {
            let entry = restore(&services, &actor, id).await?;
            println!(
                "restored {}/{}:{} at {}",
                entry.registry, entry.repository, entry.tag, entry.digest
            );
        }
    }
    Ok(())
}
