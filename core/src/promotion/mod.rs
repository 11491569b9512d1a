//! Promotion: copying a tag's exact bytes to the next environment of the pipeline (dev →
//! staging → prod), by cross-repository mount within a registry or by streaming across
//! registries, following the pipeline's rules, serialised per target, recorded and audited.

mod copy;
mod locks;
mod plan;
mod presence;
mod progress;
pub mod rules;
mod store;

pub use copy::{CopyReport, CHUNK_SIZE};
pub use locks::{lock_target, TargetGuard, TargetLocks};
pub use plan::{Attachment, BlobCopy, ManifestCopy, PromotionPlan, PromotionRequest, Side};
pub use presence::{pipeline_presence, Presence};
pub use progress::{PromotionProgress, PromotionProgressMap, RunningPromotion};
pub use store::{mark_interrupted, PromotionRecord, PromotionStatus, WebhookState};

use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::may_read;
use crate::users::User;
use crate::{DomainError, Services};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// What the preview shows, and what the confirmation runs (it plans again, under the lock).
pub async fn preview(
    services: &Services,
    user: &User,
    request: &PromotionRequest,
) -> Result<PromotionPlan, DomainError> {
    plan::plan(services, user, request).await
}

#[derive(Debug, Clone)]
pub struct PromotionOutcome {
    pub id: i64,
    pub plan: PromotionPlan,
    pub report: CopyReport,
    pub duration_ms: i64,
}

/// Runs a promotion: plans (checking the rules), waits for any other promotion to the same
/// target (planning again if it had to wait), copies, records and audits. A failure is
/// recorded and returned; running the same request again finishes the job.
///
/// The work is a server task ([`crate::tasks`]): dropping this future (the client hung up)
/// leaves it running to the end, recorded, audited, notified and indexed.
pub async fn promote(
    services: &Services,
    actor: &Actor,
    request: &PromotionRequest,
) -> Result<PromotionOutcome, DomainError> {
    let (owned, actor, request) = (services.clone(), actor.clone(), request.clone());
    services
        .tasks
        .run(async move { run(&owned, &actor, &request).await })
        .await?
}

async fn run(
    services: &Services,
    actor: &Actor,
    request: &PromotionRequest,
) -> Result<PromotionOutcome, DomainError> {
    let user = &actor.user;
    let planned = match plan::plan(services, user, request).await {
        Ok(planned) => planned,
        Err(error) => {
            let outcome = match error {
                DomainError::Forbidden { .. } | DomainError::NotAllowed(_) => Outcome::Denied,
                _ => Outcome::Error,
            };
            let target = format!(
                "{}/{}:{} → {}",
                request.registry, request.repository, request.tag, request.to_environment
            );
            audit_promotion(services, actor, &target, outcome, &error.to_string()).await;
            return Err(error);
        }
    };
    let (_serialised, waited) = locks::lock_target(services, planned.target.to_string()).await?;
    // The target registry may be read-only for garbage collection: wait for it to end.
    let writing = crate::gc::writing(services, &planned.target.registry).await?;
    let plan = match waited || writing.waited {
        true => plan::plan(services, user, request).await?,
        false => planned,
    };
    let source = services.registry_client(&plan.source.registry)?;
    let target = services.registry_client(&plan.target.registry)?;

    let id = store::start(
        &services.db,
        services.clock.now(),
        &user.username,
        &plan,
        &services.replica.id,
    )
    .await?;
    let record = RunningRecord::new(services, id);
    let progress = services
        .promotion_progress
        .start(id, plan.target.to_string());
    let missing = plan.blobs.iter().filter(|b| !b.at_target);
    progress
        .blobs_total
        .store(missing.clone().count() as u32, Ordering::Relaxed);
    progress
        .bytes_total
        .store(missing.map(|b| b.size).sum(), Ordering::Relaxed);
    let started = Instant::now();
    let result = copy_writing_progress(services, id, source, target, &plan, &progress).await;
    let duration_ms = started.elapsed().as_millis() as i64;
    let bytes = result.as_ref().map_or(0, |report| report.bytes_moved);
    crate::metrics::promotion_finished(result.is_ok(), started.elapsed(), bytes);
    let message = result.as_ref().err().map(ToString::to_string);
    let finished = store::finish(
        &services.db,
        id,
        services.clock.now(),
        duration_ms,
        result
            .as_ref()
            .map_err(|_| message.as_deref().unwrap_or_default()),
    )
    .await;
    match finished {
        Ok(()) => record.recorded(),
        // The copy's outcome stands (the tag may be pushed): audit, notify and index it anyway;
        // the guard marks the row failed, and the audit row says what really happened.
        Err(error) => tracing::error!(%error, id, "recording the end of a promotion"),
    }

    let what = format!(
        "{} → {} ({}, {} ms)",
        plan.source, plan.target, plan.digest, duration_ms
    );
    match result {
        Ok(report) => {
            let detail = format!(
                "{what}; {} bytes moved, {} blobs mounted, {} copied, {} already there",
                report.bytes_moved, report.blobs_mounted, report.blobs_copied, report.blobs_present
            );
            audit_promotion(
                services,
                actor,
                &plan.target.to_string(),
                Outcome::Ok,
                &detail,
            )
            .await;
            notify_webhooks(services, id, &plan, &user.username).await;
            // Show the new tag at once rather than at the next crawl or notification.
            if let Err(error) = crate::index::refresh_tag(
                services,
                target,
                &plan.target.repository,
                &plan.target.tag,
            )
            .await
            {
                tracing::warn!(%error, "indexing a promoted tag");
            }
            Ok(PromotionOutcome {
                id,
                plan,
                report,
                duration_ms,
            })
        }
        Err(error) => {
            let detail = format!("{what}; failed: {error}");
            audit_promotion(
                services,
                actor,
                &plan.target.to_string(),
                Outcome::Error,
                &detail,
            )
            .await;
            Err(DomainError::Unavailable(format!(
                "The promotion stopped: {error}. The target tag was not changed; run it again to finish."
            )))
        }
    }
}

/// Copies, writing the progress to the promotion's row now and then for the other replicas.
/// The writes are a task of their own: one waiting for the database must not stop the copy
/// from being polled meanwhile.
async fn copy_writing_progress(
    services: &Services,
    id: i64,
    source: &crate::registry::RegistryClient,
    target: &crate::registry::RegistryClient,
    plan: &PromotionPlan,
    progress: &std::sync::Arc<PromotionProgress>,
) -> Result<CopyReport, crate::registry::RegistryError> {
    let writer = tokio_util::task::AbortOnDropHandle::new(tokio::spawn({
        let (db, progress) = (services.db.clone(), progress.clone());
        async move {
            let mut every = tokio::time::interval(progress::WRITE_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(error) = store::write_progress(&db, id, &progress).await {
                    tracing::warn!(%error, id, "writing a promotion's progress");
                }
            }
        }
    }));
    let result = copy::execute(source, target, plan, progress).await;
    writer.abort();
    result
}

/// Between `store::start` and a recorded finish, whatever ends the run (a panic, an early
/// return, a database error) still ends its progress entry and marks its row failed, instead of
/// leaving a promotion "running" until the next restart.
struct RunningRecord {
    services: Services,
    id: i64,
    recorded: bool,
}

impl RunningRecord {
    fn new(services: &Services, id: i64) -> Self {
        Self {
            services: services.clone(),
            id,
            recorded: false,
        }
    }

    fn recorded(mut self) {
        self.recorded = true;
    }
}

impl Drop for RunningRecord {
    fn drop(&mut self) {
        self.services.promotion_progress.finish(self.id);
        if self.recorded {
            return;
        }
        let (services, id) = (self.services.clone(), self.id);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = store::mark_stopped(&services.db, id).await {
                    tracing::error!(%error, id, "marking a stopped promotion failed");
                }
            });
        }
    }
}

/// Promotions running now on any live replica, with how far each is: this replica's from
/// memory, the others' as their rows last said (at most [`progress::WRITE_EVERY`] old).
pub async fn running(
    services: &Services,
    user: &User,
) -> Result<Vec<RunningPromotion>, DomainError> {
    let alive_since = services.replica.alive_since(services.clock.now());
    let mut running = store::running(&services.db, alive_since).await?;
    for row in &mut running {
        if let Some(progress) = services.promotion_progress.get(row.id) {
            use std::sync::atomic::Ordering::Relaxed;
            row.bytes_done = progress.bytes_done.load(Relaxed) as i64;
            row.bytes_total = progress.bytes_total.load(Relaxed) as i64;
            row.blobs_done = progress.blobs_done.load(Relaxed).into();
            row.blobs_total = progress.blobs_total.load(Relaxed).into();
        }
    }
    running.retain(|row| may_read(user, &row.target_registry));
    Ok(running)
}

/// The latest promotions, newest first.
pub async fn history(
    services: &Services,
    user: &User,
    limit: i64,
) -> Result<Vec<PromotionRecord>, DomainError> {
    let mut records = store::recent(&services.db, limit.clamp(1, 500)).await?;
    // Both ends must be readable: the source's names are as private as the target's.
    records.retain(|r| may_read(user, &r.source_registry) && may_read(user, &r.target_registry));
    Ok(records)
}

/// Queues the configured webhooks' calls and sends them now, in the background (a receiver
/// that is slow or down must not hold up the promotion; failures are retried by the job).
async fn notify_webhooks(services: &Services, id: i64, plan: &PromotionPlan, actor: &str) {
    if services.settings.webhooks.is_empty() {
        return;
    }
    let side = |s: &Side| serde_json::json!({"registry": s.registry, "repository": s.repository.as_str(), "tag": s.tag.as_str()});
    let payload = serde_json::json!({
        "event": "promotion.succeeded",
        "promotion": {
            "id": id,
            "actor": actor,
            "digest": plan.digest.as_str(),
            "from_environment": plan.from_environment,
            "to_environment": plan.to_environment,
            "source": side(&plan.source),
            "target": side(&plan.target),
        }
    });
    let about = crate::webhooks::DeliveryFor::Promotion(id);
    if let Err(error) = crate::webhooks::enqueue(services, about, &payload).await {
        tracing::error!(%error, "queueing promotion webhooks");
        return;
    }
    crate::webhooks::send_soon(services);
}

/// Auditing must not undo a promotion that happened, so a failure to record is logged.
async fn audit_promotion(
    services: &Services,
    actor: &Actor,
    target: &str,
    outcome: Outcome,
    detail: &str,
) {
    let event = AuditEvent::by(actor, AuditAction::Promotion)
        .target(target)
        .outcome(outcome)
        .detail(detail);
    audit::record_or_log(services, &event).await;
}
