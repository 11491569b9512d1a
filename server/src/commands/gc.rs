//! `regatta gc REGISTRY [--dry-run] [--untagged] [--json]`: prints what a garbage collection
//! would free, runs it (read-only window and all, as the dashboard does), then prints what it
//! did. `regatta gc history REGISTRY`: the latest runs.

use app::format::human_size;
use regatta_core::config::Settings;
use regatta_core::gc::{self, GcPrediction, GcRequest, GcRun};
use regatta_core::Services;

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GcArgs {
    #[command(subcommand)]
    command: Option<GcCommand>,
    /// The registry to collect.
    registry: Option<String>,
    /// Let the registry count what it would delete, deleting nothing.
    #[arg(long)]
    dry_run: bool,
    /// Delete untagged manifests first (older than the grace period, not platforms of a
    /// tagged index, not referrers), as Regatta's safe stand-in for `--delete-untagged`.
    #[arg(long)]
    untagged: bool,
    /// JSON lines (the prediction, then the run) instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Debug, clap::Subcommand)]
enum GcCommand {
    /// The latest runs of a registry, newest first.
    History {
        registry: String,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

pub async fn gc(settings: Settings, args: GcArgs) -> anyhow::Result<()> {
    let services = Services::start(settings).await?;
    let actor = super::cli_actor();
    if let Some(GcCommand::History { registry, limit }) = args.command {
        for run in gc::history(&services, &actor.user, Some(&registry), limit).await? {
            match args.json {
                true => println!("{}", serde_json::to_string(&run)?),
                false => println!("{}", run_line(&run)),
            }
        }
        let harbor = gc::driver_of(&services, &registry)
            .is_ok_and(|config| config.kind == regatta_core::config::GcKind::Harbor);
        if harbor {
            // Harbor's own list: also the runs its schedule or its UI started.
            for job in gc::harbor_history(&services, &actor.user, &registry, 20).await? {
                match args.json {
                    true => println!("{}", serde_json::json!({ "harbor_job": job })),
                    false => println!("{}", harbor_line(&job)),
                }
            }
        }
        return Ok(());
    }
    let Some(registry) = args.registry else {
        anyhow::bail!("name the registry: `regatta gc REGISTRY` or `regatta gc history REGISTRY`");
    };
    let prediction = gc::prediction(&services, &actor.user, &registry, args.untagged).await?;
    match args.json {
        true => println!("{}", serde_json::json!({ "prediction": prediction })),
        false => print_prediction(&prediction),
    }
    let request = GcRequest {
        registry,
        dry_run: args.dry_run,
        untagged: args.untagged,
        trigger: None,
    };
    let report = gc::run(&services, &actor, &request).await?;
    match args.json {
        true => println!("{}", serde_json::json!({ "run": report.run })),
        false => println!("{}", run_line(&report.run)),
    }
    match report.run.error {
        Some(error) => anyhow::bail!("garbage collection run #{} failed: {error}", report.run.id),
        None => Ok(()),
    }
}

fn print_prediction(prediction: &GcPrediction) {
    println!(
        "{}: predicted {} blobs, {} ({} blobs, {} released by deletions; {} untagged manifests to clean up, {})",
        prediction.registry,
        prediction.blobs,
        human_size(prediction.bytes),
        prediction.released_blobs,
        human_size(prediction.released_bytes),
        prediction.untagged.len(),
        human_size(prediction.untagged_bytes),
    );
    for freed in prediction.repositories.iter().take(20) {
        let name = freed.repository.as_deref().unwrap_or("(found by a crawl)");
        println!(
            "  {name:<40} {:>6} blobs  {:>10}",
            freed.blobs,
            human_size(freed.bytes)
        );
    }
    for lost in &prediction.trash_lost {
        println!(
            "  trash #{} {}:{} can no longer be restored afterwards",
            lost.trash_id, lost.repository, lost.tag
        );
    }
}

fn run_line(run: &GcRun) -> String {
    let kind = if run.dry_run { "dry run" } else { "run" };
    let size = |bytes: Option<i64>| bytes.map_or("?".into(), |b| human_size(b.max(0) as u64));
    let count = |n: Option<i64>| n.map_or("?".into(), |n| n.to_string());
    let started = super::rfc3339(run.started_at);
    format!(
        "#{:<4} {started} {kind:<7} {:<7} by {:<16} {} ms (read-only {} ms)  predicted {} / {}  deleted {} blobs / {}{}",
        run.id,
        run.status,
        run.trigger,
        run.duration_ms.unwrap_or(0),
        run.read_only_ms.unwrap_or(0),
        run.predicted_blobs,
        human_size(run.predicted_bytes.max(0) as u64),
        count(run.blobs_deleted),
        size(run.bytes_freed),
        run.error.as_deref().map(|e| format!("  error: {e}")).unwrap_or_default(),
    )
}

fn harbor_line(job: &regatta_core::gc::HarborJob) -> String {
    let freed = job.freed();
    format!(
        "harbor job {:<5} {} {:<8} {:<8} freed {}  ({} blobs, {} manifests)",
        job.id,
        job.creation_time.map(super::rfc3339).unwrap_or_default(),
        job.job_kind.as_deref().unwrap_or("?"),
        job.job_status,
        freed.freed_space.map_or("?".into(), human_size),
        freed.purged_blobs.map_or("?".into(), |n| n.to_string()),
        freed.purged_manifests.map_or("?".into(), |n| n.to_string()),
    )
}
