//! One collection, start to end: prediction, untagged cleanup, the maintenance window around
//! the driver's collect step, the record, the audit row and the webhook events, then a
//! verifying crawl and a storage snapshot so every page shows what it freed.

use super::command::{run_step, StepContext};
use super::log::RunLog;
use super::output::CollectOutput;
use super::predict::{predict, GcPrediction};
use super::store::{self, GcRun, NewRun, RunEnd};
use super::{cleanup, events, maintenance};
use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::config::{GcConfig, GcKind};
use crate::{DomainError, Services};
use std::path::Path;
use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct GcRequest {
    pub registry: String,
    pub dry_run: bool,
    /// Regatta's untagged cleanup first (a real run only; a dry run predicts it).
    pub untagged: bool,
    /// `schedule` for a scheduled run; otherwise the user.
    pub trigger: Option<String>,
}

/// A finished run (failed ones too: its `status` and `error` say so), with the prediction
/// made before it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GcReport {
    pub run: GcRun,
    pub prediction: GcPrediction,
}

pub(super) async fn execute(
    services: &Services,
    actor: &Actor,
    request: &GcRequest,
    config: &GcConfig,
) -> Result<GcReport, DomainError> {
    let registry = request.registry.as_str();
    let claim = services
        .gc_running
        .claim(registry, services.clock.now(), services.db.clone())?;
    if let Some(running) = store::running_elsewhere(&services.db, registry).await? {
        return Err(DomainError::Conflict(format!(
            "A garbage collection of `{registry}` is running already (run #{running})."
        )));
    }
    let prediction = predict(services, registry, request.untagged).await?;
    let trigger = request
        .trigger
        .clone()
        .unwrap_or_else(|| actor.user.username.clone());
    let started_at = services.clock.now();
    let id = store::start(
        &services.db,
        &NewRun {
            registry,
            trigger: &trigger,
            dry_run: request.dry_run,
            untagged_cleanup: request.untagged,
            started_at,
            predicted_blobs: prediction.blobs,
            predicted_bytes: prediction.bytes,
            replica: &services.replica.id,
        },
    )
    .await?;
    claim.run_id(id);
    events::started(services, id, registry, request, &prediction).await;
    let started = Instant::now();
    let mut log = RunLog::default();
    let mut end = RunEnd::default();
    let mut output = CollectOutput::default();
    let blob_store = config.storage_path.as_deref().map(blob_store_of);
    end.storage_before = measure(blob_store.clone()).await;
    let mut collected_from = services.clock.now();
    let result = async {
        if request.untagged && !request.dry_run && !prediction.untagged.is_empty() {
            claim.stage("untagged cleanup").await;
            end.untagged_deleted =
                cleanup::delete_untagged(services, registry, &prediction.untagged, &mut log)
                    .await
                    .map_err(|e| e.to_string())?;
            collected_from = services.clock.now();
        }
        match config.kind {
            GcKind::Command => {
                let steps = Steps {
                    id,
                    request,
                    config,
                    claim: &claim,
                };
                collect_by_commands(services, steps, &mut log, &mut output, &mut end).await
            }
            GcKind::Harbor => {
                claim.stage("collect").await;
                let freed = collect_by_harbor(services, request, config, &mut log).await?;
                end.blobs_deleted = freed.purged_blobs;
                end.manifests_eligible = freed.purged_manifests;
                end.bytes_freed = freed.freed_space;
                Ok(())
            }
        }
    }
    .await;
    end.storage_after = measure(blob_store).await;
    end.duration_ms = started.elapsed().as_millis() as i64;
    end.finished_at = Some(services.clock.now());
    end.failed = result.err();
    end.blobs_marked = output.blobs_marked;
    end.blobs_eligible = output.blobs_eligible;
    end.manifests_eligible = output.manifests_eligible;
    // `Deleting blob:` lines are logged at level info, which a registry configured quieter
    // does not print; a collection that succeeded deleted every blob it called eligible (one
    // it could not delete makes it fail). A dry run: what it would delete.
    let deleted = match request.dry_run || (end.failed.is_none() && output.deleted.is_empty()) {
        true => &output.eligible,
        false => &output.deleted,
    };
    if config.kind == GcKind::Command && (!deleted.is_empty() || output.blobs_eligible.is_some()) {
        end.blobs_deleted = Some(deleted.len() as u64);
        end.bytes_freed = Some(deleted.iter().filter_map(|d| prediction.sizes.get(d)).sum());
    }
    if let Some(error) = &end.failed {
        log.line(&format!("failed: {error}"));
    }
    end.log = log.text();
    if !request.dry_run {
        let freed = end.bytes_freed.unwrap_or(0);
        crate::metrics::gc_finished(registry, end.failed.is_none(), freed);
    }
    store::finish(&services.db, id, &end).await?;
    if !request.dry_run && end.failed.is_none() {
        store::forget_released(&services.db, registry, collected_from).await?;
    }
    let run = store::run(&services.db, id)
        .await?
        .ok_or_else(|| DomainError::internal(format!("gc run #{id} vanished")))?;
    audit_run(services, actor, &run).await;
    events::finished(services, &run).await;
    if !request.dry_run {
        claim.stage("refreshing the index").await;
        refresh_after(services, registry).await;
    }
    Ok(GcReport { run, prediction })
}

/// What the steps of one run share.
struct Steps<'a> {
    id: i64,
    request: &'a GcRequest,
    config: &'a GcConfig,
    claim: &'a super::Claim<'a>,
}

/// `maintenance_on`, `collect`, `maintenance_off` (always, once `maintenance_on` started),
/// inside Regatta's maintenance window. A dry run deletes nothing: it needs no window.
async fn collect_by_commands(
    services: &Services,
    steps: Steps<'_>,
    log: &mut RunLog,
    output: &mut CollectOutput,
    end: &mut RunEnd,
) -> Result<(), String> {
    let Steps {
        id,
        request,
        config,
        claim,
    } = steps;
    let context = StepContext {
        registry: request.registry.clone(),
        dry_run: request.dry_run,
    };
    let maintenance_timeout = Duration::from_secs(config.maintenance_timeout_seconds);
    let collect_timeout = Duration::from_secs(config.collect_timeout_seconds);
    let collect = config.collect.as_deref().ok_or("no `collect` command")?;
    let window_commands = config
        .maintenance_on
        .as_deref()
        .zip(config.maintenance_off.as_deref());
    let Some((on, off)) = window_commands.filter(|_| !request.dry_run) else {
        claim.stage("collect").await;
        return run_step("collect", collect, collect_timeout, &context, log, |l| {
            output.feed(l)
        })
        .await;
    };
    claim.stage("waiting for Regatta's writes to end").await;
    let window = maintenance::open(services, &request.registry, id)
        .await
        .map_err(|e| e.to_string())?;
    let read_only = Instant::now();
    claim.stage("maintenance_on").await;
    let mut result = run_step(
        "maintenance_on",
        on,
        maintenance_timeout,
        &context,
        log,
        |_| {},
    )
    .await;
    if result.is_ok() {
        claim.stage("collect").await;
        result = run_step("collect", collect, collect_timeout, &context, log, |l| {
            output.feed(l)
        })
        .await;
    }
    claim.stage("maintenance_off").await;
    let off = run_step(
        "maintenance_off",
        off,
        maintenance_timeout,
        &context,
        log,
        |_| {},
    )
    .await;
    end.read_only_ms = Some(read_only.elapsed().as_millis() as i64);
    window.close(services).await;
    match (result, off) {
        (Err(error), Err(off)) => Err(format!("{error}; then {off}")),
        (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error),
        (Ok(()), Ok(())) => Ok(()),
    }
}

/// Harbor collects online: start its job, follow it, keep its log; what it freed.
async fn collect_by_harbor(
    services: &Services,
    request: &GcRequest,
    config: &GcConfig,
    log: &mut RunLog,
) -> Result<super::harbor::HarborFreed, String> {
    let registry = services
        .settings
        .registry(&request.registry)
        .ok_or("the registry is no longer configured")?;
    let client =
        super::harbor::HarborClient::new(registry, config, &services.settings.shared_secrets)
            .map_err(|e| e.to_string())?;
    let job = client
        .start(request.dry_run, services.clock.now())
        .await
        .map_err(|e| e.to_string())?;
    log.line(&format!(
        "Harbor GC job {} started (dry run: {})",
        job.id, request.dry_run
    ));
    let timeout = Duration::from_secs(config.collect_timeout_seconds);
    let done = client.await_job(job.id, timeout, log).await?;
    Ok(done.freed())
}

/// `<storage_path>/docker/registry/v2/blobs` when it is a distribution storage directory
/// (its blob data files are exactly what a collection frees), else the directory itself.
fn blob_store_of(storage: &Path) -> std::path::PathBuf {
    let blobs = storage.join("docker/registry/v2/blobs");
    match blobs.is_dir() {
        true => blobs,
        false => storage.to_path_buf(),
    }
}

/// The bytes of the files under `dir` (on a blocking thread: a big store has many).
async fn measure(dir: Option<std::path::PathBuf>) -> Option<u64> {
    let dir = dir?;
    tokio::task::spawn_blocking(move || directory_bytes(&dir))
        .await
        .ok()
}

fn directory_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => directory_bytes(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

async fn audit_run(services: &Services, actor: &Actor, run: &GcRun) {
    let kind = if run.dry_run { "dry run" } else { "run" };
    let detail = format!(
        "{kind} #{}: {}; predicted {} blobs, {} bytes; deleted {} blobs, {} bytes{}",
        run.id,
        run.status,
        run.predicted_blobs,
        run.predicted_bytes,
        run.blobs_deleted.map_or("?".into(), |n| n.to_string()),
        run.bytes_freed.map_or("?".into(), |n| n.to_string()),
        run.error
            .as_deref()
            .map(|e| format!("; {e}"))
            .unwrap_or_default(),
    );
    let outcome = match run.status.as_str() {
        "done" => Outcome::Ok,
        _ => Outcome::Error,
    };
    let event = AuditEvent::by(actor, AuditAction::GcRun)
        .target(&run.registry)
        .outcome(outcome)
        .detail(&detail);
    audit::record_or_log(services, &event).await;
}

/// After a real run: a crawl that checks everything it knows (the registry restarted, so
/// notifications may be lost), then a storage snapshot.
async fn refresh_after(services: &Services, registry: &str) {
    if let Err(error) = crate::index::forget_verified(&services.db, registry).await {
        tracing::warn!(%error, registry, "asking for a verifying crawl after GC");
    }
    if let Err(error) = crate::index::crawl_registry(services, registry).await {
        tracing::warn!(%error, registry, "crawl after GC");
    }
    if let Err(error) = crate::storage::take_snapshot(services).await {
        tracing::warn!(%error, "storage snapshot after GC");
    }
}
