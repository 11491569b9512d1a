//! Deletion that never surprises: deleting a tag never removes another (sibling tags on the
//! same digest stay), the last tag on an image takes the image along (so garbage collection
//! can free it), every deleted tag goes to the trash first (restorable byte for byte until GC
//! removes its blobs), the rules of the pipeline's environments apply to every caller, and the
//! preview says beforehand what stays, what goes and what GC will then free.

mod events;
mod group;
mod plan;
mod progress;
pub mod rules;
mod run;
mod store;
mod trash;
mod untag;

pub use plan::{DeletionPlan, DeletionRequest, PlannedTag};
pub use progress::{DeletionProgress, DeletionProgressMap};
pub use run::{DeletionReport, TagOutcome, TagResult};
pub use trash::{
    purge_expired_trash, restorable, restore, trash_list, RestorableEntry, TrashEntry,
};

use crate::audit::Actor;
use crate::users::User;
use crate::{DomainError, Services};

/// What deleting `request` would do (nothing is changed).
pub async fn preview(
    services: &Services,
    user: &User,
    request: &DeletionRequest,
) -> Result<DeletionPlan, DomainError> {
    plan::plan(services, user, request).await
}

/// Deletes what `request` names, as a server task: a client that hangs up does not stop it
/// half-way. Plans again (the index may have changed since the preview), checks the registry,
/// trashes, deletes, updates the index, audits and notifies; a partial failure is reported
/// per tag.
pub async fn delete(
    services: &Services,
    actor: &Actor,
    request: &DeletionRequest,
) -> Result<DeletionReport, DomainError> {
    let (owned, actor, request) = (services.clone(), actor.clone(), request.clone());
    services
        .tasks
        .run(async move { run::run(&owned, &actor, &request).await })
        .await?
}

/// Deletions running now in this process, with how far each is.
pub fn running(
    services: &Services,
    user: &User,
) -> Result<Vec<std::sync::Arc<DeletionProgress>>, DomainError> {
    let running = services.deletion_progress.running();
    Ok(running
        .into_iter()
        .filter(|progress| crate::auth::may_read_target(user, &progress.target))
        .collect())
}

/// Marks deletions and retention runs left running by a server that stopped mid-way (a hard
/// stop, or the shutdown grace ran out) as failed; returns how many. Each tag's own outcome is
/// in the trash and the audit log already (a tag is trashed before it is deleted). Only rows
/// of dead replicas (see [`crate::replicas::interrupted`], which calls this).
pub async fn mark_interrupted(services: &Services, alive_since: i64) -> Result<u64, DomainError> {
    use crate::replicas::interrupted::REPLICA_IS_DEAD;
    let now = services.clock.now();
    let mut marked = 0;
    for table in ["deletions", "retention_runs"] {
        let done = crate::db::query(&format!(
            "UPDATE {table} SET status = 'failed', finished_at = ?
             WHERE status = 'running' AND {REPLICA_IS_DEAD}"
        ))
        .bind(now)
        .bind(alive_since)
        .execute(&services.db)
        .await?;
        marked += done.rows_affected();
    }
    Ok(marked)
}
