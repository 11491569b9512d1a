//! Running a preview: exactly its candidates, and only those still candidates now with the
//! same digest — a tag pushed, moved or newly kept since the preview is skipped and reported,
//! never deleted blind; a tag that appeared since was not previewed and is not touched. The
//! deletions go through `deletion` (trash, sibling safety, registry checks, audit) one
//! repository at a time.

use super::preview::{self, RetentionPreview};
use super::store::{self, Finished};
use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::deletion::{self, DeletionRequest, TagResult};
use crate::{DomainError, Services};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// What became of each previewed candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionReport {
    pub run_id: i64,
    pub policy: String,
    pub registry: String,
    /// (repository, tag, outcome): `deleted`, or why not.
    pub outcomes: Vec<(String, String, String)>,
    pub deleted: u64,
    pub skipped: u64,
    pub failed: u64,
    /// Exclusive bytes of what was deleted: GC frees them.
    pub bytes_freed: u64,
    pub duration_ms: i64,
}

pub(super) async fn run_preview(
    services: &Services,
    actor: &Actor,
    run_id: i64,
) -> Result<RetentionReport, DomainError> {
    let row = store::run(&services.db, run_id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("Retention preview #{run_id}")))?;
    let previewed: RetentionPreview = serde_json::from_str(&row.preview)
        .map_err(|e| DomainError::internal(format!("reading preview #{run_id}: {e}")))?;
    let policy = super::find_policy(services, &row.policy).await?;
    super::require_maintainer(&actor.user, &services.settings, &policy)?;
    if !store::start_run(
        &services.db,
        run_id,
        services.clock.now(),
        &services.replica.id,
    )
    .await?
    {
        return Err(DomainError::Conflict(format!(
            "Preview #{run_id} was run already ({}): preview again.",
            row.status
        )));
    }
    let started = Instant::now();
    let now = preview::compute(services, &policy).await;
    let mut report = RetentionReport {
        run_id,
        policy: policy.name.clone(),
        registry: policy.registry.clone(),
        outcomes: Vec::new(),
        deleted: 0,
        skipped: 0,
        failed: 0,
        bytes_freed: 0,
        duration_ms: 0,
    };
    match now {
        Ok(now) => delete_still_candidates(services, actor, &previewed, &now, &mut report).await,
        Err(error) => {
            for repository in &previewed.repositories {
                for candidate in &repository.candidates {
                    report.failed += 1;
                    let why = format!("not run: {error}");
                    report.outcomes.push((
                        repository.repository.clone(),
                        candidate.tag.clone(),
                        why,
                    ));
                }
            }
        }
    }
    report.duration_ms = started.elapsed().as_millis() as i64;
    let status = match (report.deleted, report.failed) {
        (_, 0) => "done",
        (0, _) => "failed",
        _ => "partial",
    };
    let finished = Finished {
        status,
        deleted: report.deleted,
        skipped: report.skipped,
        failed: report.failed,
        duration_ms: report.duration_ms,
        report: &serde_json::to_string(&report.outcomes).expect("outcomes serialize"),
        at: services.clock.now(),
    };
    store::finish_run(&services.db, run_id, &finished).await?;
    let detail = format!(
        "run #{run_id}: {} deleted, {} skipped, {} failed; GC frees {} bytes",
        report.deleted, report.skipped, report.failed, report.bytes_freed
    );
    let outcome = if report.failed == 0 {
        Outcome::Ok
    } else {
        Outcome::Error
    };
    let event = AuditEvent::by(actor, AuditAction::RetentionRun)
        .target(&policy.name)
        .outcome(outcome)
        .detail(&detail);
    audit::record_or_log(services, &event).await;
    notify_webhooks(services, &report, status).await;
    Ok(report)
}

/// Deletes, repository by repository, the previewed candidates that are still candidates
/// with the same digest.
async fn delete_still_candidates(
    services: &Services,
    actor: &Actor,
    previewed: &RetentionPreview,
    now: &RetentionPreview,
    report: &mut RetentionReport,
) {
    let current = now.candidate_digests();
    for repository in &previewed.repositories {
        let mut tags = Vec::new();
        for candidate in &repository.candidates {
            match current.get(&(repository.repository.as_str(), candidate.tag.as_str())) {
                Some(digest) if *digest == candidate.digest => tags.push(candidate.tag.clone()),
                _ => {
                    report.skipped += 1;
                    report.outcomes.push((
                        repository.repository.clone(),
                        candidate.tag.clone(),
                        "changed since the preview (pushed, moved, kept by a rule now, or gone): skipped".into(),
                    ));
                }
            }
        }
        if tags.is_empty() {
            continue;
        }
        let request = DeletionRequest {
            registry: previewed.registry.clone(),
            repository: repository.repository.clone(),
            tags,
            whole_repository: false,
            matching: None,
            expected: None,
            confirmation: None,
        };
        match deletion::delete(services, actor, &request).await {
            Ok(deleted) => {
                report.bytes_freed += deleted.bytes_freed;
                for outcome in deleted.outcomes {
                    let said = match outcome.result {
                        TagResult::Deleted { .. } => {
                            report.deleted += 1;
                            "deleted".to_string()
                        }
                        TagResult::Skipped(why) => {
                            report.skipped += 1;
                            format!("skipped: {why}")
                        }
                        TagResult::Failed(why) => {
                            report.failed += 1;
                            format!("failed: {why}")
                        }
                    };
                    report
                        .outcomes
                        .push((repository.repository.clone(), outcome.tag, said));
                }
            }
            Err(error) => {
                for tag in &request.tags {
                    report.failed += 1;
                    report.outcomes.push((
                        repository.repository.clone(),
                        tag.clone(),
                        format!("failed: {error}"),
                    ));
                }
            }
        }
    }
}

async fn notify_webhooks(services: &Services, report: &RetentionReport, status: &str) {
    if services.settings.webhooks.is_empty() {
        return;
    }
    let payload = serde_json::json!({
        "event": "retention.run",
        "run": {
            "id": report.run_id,
            "policy": report.policy,
            "registry": report.registry,
            "status": status,
            "deleted": report.deleted,
            "skipped": report.skipped,
            "failed": report.failed,
            "bytes_freed_after_gc": report.bytes_freed,
            "duration_ms": report.duration_ms,
        }
    });
    let about = crate::webhooks::DeliveryFor::RetentionRun(report.run_id);
    if let Err(error) = crate::webhooks::enqueue(services, about, &payload).await {
        tracing::error!(%error, "queueing retention webhooks");
        return;
    }
    crate::webhooks::send_soon(services);
}
