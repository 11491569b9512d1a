//! `regatta retention list`: the policies; `regatta retention preview NAME`: what the policy
//! would delete now (kept as a preview, like the page's); `regatta retention run NAME`: preview
//! and run it at once (what a schedule does). `--json` for scripts.

use app::format::human_size;
use regatta_core::config::Settings;
use regatta_core::retention::{self, RetentionPreview, Trigger};
use regatta_core::Services;

#[derive(Debug, clap::Args)]
pub struct RetentionArgs {
    #[command(subcommand)]
    action: RetentionAction,
    /// JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum RetentionAction {
    /// The policies, those of the configuration first.
    List,
    /// What a policy would delete now, and what that frees after garbage collection.
    Preview { name: String },
    /// Preview a policy and delete exactly that.
    Run { name: String },
}

pub async fn retention(settings: Settings, args: RetentionArgs) -> anyhow::Result<()> {
    let services = Services::start(settings).await?;
    let actor = super::cli_actor();
    match args.action {
        RetentionAction::List => {
            for entry in retention::policies(&services, &actor.user).await? {
                if args.json {
                    let mut value = serde_json::to_value(&entry.policy)?;
                    value["managed_by_config"] = entry.managed_by_config.into();
                    println!("{value}");
                    continue;
                }
                let source = if entry.managed_by_config {
                    "config"
                } else {
                    "stored"
                };
                let schedule = entry.policy.schedule.as_deref().unwrap_or("by hand");
                println!(
                    "{:<24} {:<12} {source:<6} {schedule}",
                    entry.policy.name, entry.policy.registry
                );
            }
        }
        RetentionAction::Preview { name } => {
            let (id, preview) = retention::preview(&services, &actor, &name, Trigger::Cli).await?;
            match args.json {
                true => println!(
                    "{}",
                    serde_json::json!({"preview_id": id, "preview": preview})
                ),
                false => print_preview(id, &preview),
            }
        }
        RetentionAction::Run { name } => {
            let (preview, report) =
                retention::preview_and_run(&services, &actor, &name, Trigger::Cli).await?;
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"preview": preview, "report": report})
                );
            } else {
                print_preview(report.run_id, &preview);
                for (repository, tag, outcome) in &report.outcomes {
                    println!("  {repository}:{tag}  {outcome}");
                }
                println!(
                    "run #{}: {} deleted, {} skipped, {} failed in {} ms; garbage collection will free {}",
                    report.run_id,
                    report.deleted,
                    report.skipped,
                    report.failed,
                    report.duration_ms,
                    human_size(report.bytes_freed)
                );
            }
            anyhow::ensure!(
                report.failed == 0,
                "{} tag(s) could not be deleted",
                report.failed
            );
        }
    }
    Ok(())
}

fn print_preview(id: i64, preview: &RetentionPreview) {
    println!(
        "preview #{id} of `{}` on {}: {} candidates in {} of {} repositories, {} kept; GC would free {}",
        preview.policy,
        preview.registry,
        preview.candidates,
        preview.repositories.len(),
        preview.repositories_covered,
        preview.kept,
        human_size(preview.bytes_freed)
    );
    for (kept, count) in &preview.kept_by {
        println!("  kept {count:>6}: {}", kept.describe());
    }
    for repository in &preview.repositories {
        for candidate in &repository.candidates {
            println!(
                "  - {}:{}  {}  {}",
                repository.repository,
                candidate.tag,
                candidate.digest,
                human_size(candidate.size_bytes)
            );
        }
    }
}
