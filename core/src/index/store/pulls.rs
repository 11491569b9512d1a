//! SQL for pull times (see `index::pulls`).

use crate::clock::sortable_utc;
use time::OffsetDateTime;

/// Notes that `digest` was pulled from `repository` at `at`; the registry's pull times are
/// known from its first one. A repository the index does not know is skipped (the next crawl
/// brings it; its pull times start with the next pull).
pub async fn record_pull(
    db: &crate::db::Db,
    registry: &str,
    repository: &str,
    digest: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let at = sortable_utc(at);
    let mut tx = crate::db::begin_write(db).await?;
    upsert_pull(&mut tx, registry, repository, digest, &at).await?;
    crate::db::query(
        "UPDATE registries SET pulls_since = ?1 WHERE name = ?2 AND pulls_since IS NULL",
    )
    .bind(&at)
    .bind(registry)
    .execute(&mut tx)
    .await?;
    tx.commit().await
}

async fn upsert_pull(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    repository: &str,
    digest: &str,
    at: &str,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "INSERT INTO image_pulls (repository_id, digest, pulled_at)
         SELECT r.id, ?3, ?4 FROM repositories r JOIN registries g ON g.id = r.registry_id
         WHERE g.name = ?1 AND r.name = ?2
         ON CONFLICT (repository_id, digest) DO UPDATE SET pulled_at = max(image_pulls.pulled_at, excluded.pulled_at)",
    )
    .bind(registry)
    .bind(repository)
    .bind(digest)
    .bind(at)
    .execute(db)
    .await?;
    Ok(())
}

/// Since when the registry's pull times are known; `None`: it never sent a pull.
pub async fn pulls_known_since(
    db: impl crate::db::Executor<'_>,
    registry: &str,
) -> Result<Option<String>, sqlx::Error> {
    crate::db::query_scalar("SELECT pulls_since FROM registries WHERE name = ?")
        .bind(registry)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}
