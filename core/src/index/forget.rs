//! Taking tags out of the index once Regatta itself deleted them from the registry, so pages
//! and storage figures follow at once instead of at the next crawl or notification.

use super::store;
use crate::Services;

/// Removes `tags` of `repository` from the index, and the manifests and blobs nothing reaches
/// any more. `deleted` are the digests whose manifests went too (deleted by digest); the other
/// manifests the tags left stay known as untagged. The repository row stays (the registry keeps
/// it in its catalog).
pub async fn forget_tags(
    services: &Services,
    registry: &str,
    repository: &str,
    tags: &[String],
    deleted: &[String],
) -> Result<(), sqlx::Error> {
    let mut tx = crate::db::begin_write(&services.db).await?;
    let registry_id = store::registry_id(&mut tx, registry).await?;
    if let Some(repository_id) =
        store::existing_repository_id(&mut tx, registry_id, repository).await?
    {
        for tag in tags {
            store::delete_tag(&mut tx, repository_id, tag).await?;
        }
        for digest in deleted {
            store::manifest_deleted(&mut tx, registry_id, repository_id, digest).await?;
        }
        store::delete_orphans(&mut tx, registry_id, Some(repository)).await?;
    }
    tx.commit().await
}
