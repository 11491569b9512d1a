//! SQL for deletions and the trash, and the index reads a deletion plan needs.

use time::OffsetDateTime;

/// A tag of the repository as the index knows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndexedTag {
    pub tag: String,
    pub manifest_id: i64,
    pub digest: String,
    pub is_index: bool,
    pub total_size: i64,
}

pub async fn repository_tags(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    repository: &str,
) -> Result<Vec<IndexedTag>, sqlx::Error> {
    crate::db::query_as(
        "SELECT t.name AS tag, m.id AS manifest_id, m.digest, m.is_index, m.total_size
         FROM tags t JOIN repositories r ON r.id = t.repository_id
         JOIN registries g ON g.id = r.registry_id JOIN manifests m ON m.id = t.manifest_id
         WHERE g.name = ? AND r.name = ? ORDER BY t.name",
    )
    .bind(registry)
    .bind(repository)
    .fetch_all(db)
    .await
}

/// (index manifest id, platform manifest id, platform digest) for the given indexes.
pub async fn platforms_of(
    db: impl crate::db::Executor<'_>,
    indexes: &[i64],
) -> Result<Vec<(i64, i64, String)>, sqlx::Error> {
    let ids = serde_json::to_string(indexes).expect("ids serialize");
    crate::db::query_as(
        "SELECT mc.parent_id, c.id, c.digest FROM manifest_children mc
         JOIN manifests c ON c.id = mc.child_id
         WHERE mc.parent_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?)) ORDER BY mc.parent_id, mc.position",
    )
    .bind(ids)
    .fetch_all(db)
    .await
}

pub struct NewDeletion<'a> {
    pub registry: &'a str,
    pub repository: &'a str,
    pub kind: &'a str,
    pub requested_by: &'a str,
    pub tags_requested: usize,
    pub at: OffsetDateTime,
    pub replica: &'a str,
}

pub async fn start(
    db: impl crate::db::Executor<'_>,
    new: &NewDeletion<'_>,
) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar(
        "INSERT INTO deletions (registry, repository, kind, requested_by, started_at, status, tags_requested, replica)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?) RETURNING id",
    )
    .bind(new.registry)
    .bind(new.repository)
    .bind(new.kind)
    .bind(new.requested_by)
    .bind(new.at)
    .bind(new.tags_requested as i64)
    .bind(new.replica)
    .fetch_one(db)
    .await
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub deleted: usize,
    pub skipped: usize,
    pub failed: usize,
    pub bytes_freed: u64,
}

pub async fn finish(
    db: impl crate::db::Executor<'_>,
    id: i64,
    tally: Tally,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let status = match (tally.deleted, tally.failed) {
        (_, 0) => "done",
        (0, _) => "failed",
        _ => "partial",
    };
    crate::db::query(
        "UPDATE deletions SET finished_at = ?, status = ?, tags_deleted = ?, tags_skipped = ?,
             tags_failed = ?, bytes_freed = ? WHERE id = ?",
    )
    .bind(at)
    .bind(status)
    .bind(tally.deleted as i64)
    .bind(tally.skipped as i64)
    .bind(tally.failed as i64)
    .bind(tally.bytes_freed as i64)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// A manifest document kept in the trash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrashedManifest {
    pub digest: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

pub struct NewTrash<'a> {
    pub deletion_id: i64,
    pub registry: &'a str,
    pub repository: &'a str,
    pub tag: &'a str,
    pub size_bytes: u64,
    pub image_deleted: bool,
    pub deleted_by: &'a str,
    pub deleted_from: &'a str,
    pub at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The tag's own manifest first, then an index's platforms.
    pub manifests: &'a [TrashedManifest],
}

pub async fn insert_trash(
    db: &mut impl crate::db::Connection,
    new: &NewTrash<'_>,
) -> Result<i64, sqlx::Error> {
    let own = &new.manifests[0];
    let id: i64 = crate::db::query_scalar(
        "INSERT INTO trash (deletion_id, registry, repository, tag, digest, media_type, size_bytes,
             image_deleted, deleted_by, deleted_from, deleted_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.deletion_id)
    .bind(new.registry)
    .bind(new.repository)
    .bind(new.tag)
    .bind(&own.digest)
    .bind(&own.media_type)
    .bind(new.size_bytes as i64)
    .bind(new.image_deleted)
    .bind(new.deleted_by)
    .bind(new.deleted_from)
    .bind(new.at)
    .bind(new.expires_at)
    .fetch_one(&mut *db)
    .await?;
    for (position, manifest) in new.manifests.iter().enumerate() {
        crate::db::query(
            "INSERT INTO trash_manifests (trash_id, position, digest, media_type, bytes) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&manifest.digest)
        .bind(&manifest.media_type)
        .bind(&manifest.bytes)
        .execute(&mut *db)
        .await?;
    }
    Ok(id)
}

/// The trash entry's image stayed after all (deleting it failed once its tag was gone).
pub async fn keep_image(db: impl crate::db::Executor<'_>, id: i64) -> Result<(), sqlx::Error> {
    crate::db::query("UPDATE trash SET image_deleted = ? WHERE id = ?")
        .bind(false)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A trash entry whose deletion did not happen after all.
pub async fn remove_trash(db: impl crate::db::Executor<'_>, id: i64) -> Result<(), sqlx::Error> {
    crate::db::query("DELETE FROM trash WHERE id = ?")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrashRow {
    pub id: i64,
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub image_deleted: bool,
    pub deleted_by: String,
    pub deleted_from: String,
    #[sqlx(try_from = "crate::db::TextTime")]
    pub deleted_at: OffsetDateTime,
    #[sqlx(try_from = "crate::db::TextTime")]
    pub expires_at: OffsetDateTime,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub restored_at: Option<OffsetDateTime>,
    pub restored_by: Option<String>,
}

const TRASH_COLUMNS: &str = "id, registry, repository, tag, digest, media_type, size_bytes,
    image_deleted, deleted_by, deleted_from, deleted_at, expires_at, restored_at, restored_by";

/// Newest first; those of `registries` only.
pub async fn list_trash(
    db: impl crate::db::Executor<'_>,
    registries: &[&str],
    limit: i64,
) -> Result<Vec<TrashRow>, sqlx::Error> {
    let names = serde_json::to_string(registries).expect("names serialize");
    crate::db::query_as(&format!(
        "SELECT {TRASH_COLUMNS} FROM trash WHERE registry IN (SELECT value FROM json_each(?))
         ORDER BY deleted_at DESC, id DESC LIMIT ?"
    ))
    .bind(names)
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn trash_entry(
    db: impl crate::db::Executor<'_>,
    id: i64,
) -> Result<Option<TrashRow>, sqlx::Error> {
    crate::db::query_as(&format!("SELECT {TRASH_COLUMNS} FROM trash WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn trash_manifests(
    db: impl crate::db::Executor<'_>,
    id: i64,
) -> Result<Vec<TrashedManifest>, sqlx::Error> {
    crate::db::query_as(
        "SELECT digest, media_type, bytes FROM trash_manifests WHERE trash_id = ? ORDER BY position",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

pub async fn mark_restored(
    db: impl crate::db::Executor<'_>,
    id: i64,
    by: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query("UPDATE trash SET restored_at = ?, restored_by = ? WHERE id = ?")
        .bind(at)
        .bind(by)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes entries past their expiry; returns how many.
pub async fn purge_expired(
    db: impl crate::db::Executor<'_>,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let done = crate::db::query("DELETE FROM trash WHERE expires_at < ?")
        .bind(now)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// The manifest documents of every entry of `registry` that can still be restored (not
/// restored, not expired): (entry id, repository, tag, digest, document).
pub async fn restorable_manifests(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    now: OffsetDateTime,
) -> Result<Vec<(i64, String, String, String, Vec<u8>)>, sqlx::Error> {
    crate::db::query_as(
        "SELECT t.id, t.repository, t.tag, t.digest, tm.bytes FROM trash t
         JOIN trash_manifests tm ON tm.trash_id = t.id
         WHERE t.registry = ? AND t.restored_at IS NULL AND t.expires_at > ?
         ORDER BY t.id, tm.position",
    )
    .bind(registry)
    .bind(now)
    .fetch_all(db)
    .await
}
