//! SQL for the index tables. Functions take an executor or connection so callers own the
//! transaction (one per repository during a crawl).

pub mod pages;
pub mod pulls;

use super::describe::{BlobRecord, ManifestKind, ManifestRecord};
use time::OffsetDateTime;

/// The id of registry `name`, creating its row on first use.
pub async fn registry_id(db: impl crate::db::Executor<'_>, name: &str) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar(
        "INSERT INTO registries (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
    )
    .bind(name)
    .fetch_one(db)
    .await
}

pub async fn repository_id(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    name: &str,
) -> Result<i64, sqlx::Error> {
    crate::db::query_scalar(
        "INSERT INTO repositories (registry_id, name) VALUES (?, ?)
         ON CONFLICT (registry_id, name) DO UPDATE SET name = excluded.name RETURNING id",
    )
    .bind(registry_id)
    .bind(name)
    .fetch_one(db)
    .await
}

pub async fn existing_repository_id(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    crate::db::query_scalar("SELECT id FROM repositories WHERE registry_id = ? AND name = ?")
        .bind(registry_id)
        .bind(name)
        .fetch_optional(db)
        .await
}

/// The manifest row for `digest`, if the index already has it (then nothing needs fetching).
pub async fn known_manifest(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    digest: &str,
) -> Result<Option<i64>, sqlx::Error> {
    crate::db::query_scalar("SELECT id FROM manifests WHERE registry_id = ? AND digest = ?")
        .bind(registry_id)
        .bind(digest)
        .fetch_optional(db)
        .await
}

/// Stores a described manifest (and its blobs or children); returns its row id.
pub async fn save_manifest(
    db: &mut impl crate::db::Connection,
    registry_id: i64,
    record: &ManifestRecord,
) -> Result<i64, sqlx::Error> {
    let (is_index, os, architecture, variant, created) = match &record.kind {
        ManifestKind::Image {
            os,
            architecture,
            variant,
            created,
            ..
        } => (
            false,
            os.clone(),
            architecture.clone(),
            variant.clone(),
            created.clone(),
        ),
        ManifestKind::Index { .. } => (true, None, None, None, None),
    };
    // Saved meanwhile (another repository of the crawl had the same image): that row.
    let inserted: Option<i64> = crate::db::query_scalar(
        "INSERT INTO manifests (registry_id, digest, media_type, size, is_index, os, architecture, variant, created, total_size)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (registry_id, digest) DO NOTHING RETURNING id",
    )
    .bind(registry_id)
    .bind(record.digest.as_str())
    .bind(&record.media_type)
    .bind(record.size)
    .bind(is_index)
    .bind(os)
    .bind(architecture)
    .bind(variant)
    .bind(created)
    .bind(record.total_size())
    .fetch_optional(&mut *db)
    .await?;
    let Some(id) = inserted else {
        return known_manifest(&mut *db, registry_id, record.digest.as_str())
            .await?
            .ok_or(sqlx::Error::RowNotFound);
    };
    match &record.kind {
        ManifestKind::Image { blobs, .. } if !blobs.is_empty() => {
            save_blobs(db, registry_id, id, blobs).await?;
        }
        ManifestKind::Image { .. } => {}
        ManifestKind::Index { children } => {
            for (position, child) in children.iter().enumerate() {
                let child_id = Box::pin(save_manifest(&mut *db, registry_id, child)).await?;
                crate::db::query("INSERT INTO manifest_children (parent_id, child_id, position) VALUES (?, ?, ?)")
                    .bind(id)
                    .bind(child_id)
                    .bind(position as i64)
                    .execute(&mut *db)
                    .await?;
            }
        }
    }
    Ok(id)
}

/// The blobs of image `manifest_id` (config first, then layers), in two statements whatever
/// their number: a crawl saves thousands of images, and on PostgreSQL every statement is a
/// round trip.
async fn save_blobs(
    db: &mut impl crate::db::Connection,
    registry_id: i64,
    manifest_id: i64,
    blobs: &[BlobRecord],
) -> Result<(), sqlx::Error> {
    // One row per digest: an upsert may not touch a row twice (an image can repeat a layer).
    let mut distinct: Vec<&BlobRecord> = Vec::with_capacity(blobs.len());
    for blob in blobs {
        if !distinct.iter().any(|b| b.digest == blob.digest) {
            distinct.push(blob);
        }
    }
    let mut upsert = crate::db::QueryBuilder::new(
        "INSERT INTO blobs (registry_id, digest, size, media_type) VALUES ",
    );
    let mut rows = upsert.separated(", ");
    for blob in &distinct {
        rows.push("(")
            .push_bind_unseparated(registry_id)
            .push_unseparated(", ")
            .push_bind_unseparated(blob.digest.as_str())
            .push_unseparated(", ")
            .push_bind_unseparated(blob.size)
            .push_unseparated(", ")
            .push_bind_unseparated(blob.media_type.as_str())
            .push_unseparated(")");
    }
    upsert.push(
        " ON CONFLICT (registry_id, digest) DO UPDATE SET size = excluded.size RETURNING id, digest",
    );
    let ids: std::collections::HashMap<String, i64> = upsert
        .build_query_as::<(i64, String)>()
        .fetch_all(&mut *db)
        .await?
        .into_iter()
        .map(|(id, digest)| (digest, id))
        .collect();
    let mut links = crate::db::QueryBuilder::new(
        "INSERT INTO manifest_blobs (manifest_id, position, blob_id) VALUES ",
    );
    let mut rows = links.separated(", ");
    for (position, blob) in blobs.iter().enumerate() {
        rows.push("(")
            .push_bind_unseparated(manifest_id)
            .push_unseparated(", ")
            .push_bind_unseparated(position as i64)
            .push_unseparated(", ")
            .push_bind_unseparated(ids[&blob.digest])
            .push_unseparated(")");
    }
    links.build().execute(&mut *db).await?;
    Ok(())
}

/// A repository's tags in the index: name → (manifest id, digest).
pub async fn indexed_tags(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    repository: &str,
) -> Result<std::collections::HashMap<String, (i64, String)>, sqlx::Error> {
    let rows: Vec<(String, i64, String)> = crate::db::query_as(
        "SELECT t.name, t.manifest_id, m.digest FROM tags t
         JOIN repositories r ON r.id = t.repository_id JOIN manifests m ON m.id = t.manifest_id
         WHERE r.registry_id = ? AND r.name = ?",
    )
    .bind(registry_id)
    .bind(repository)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, id, digest)| (name, (id, digest)))
        .collect())
}

/// The `created` of manifest `$m`: an image's own, an index's newest platform's. A macro, so
/// queries can `concat!` it into their literal text.
macro_rules! image_created {
    ($m:literal) => {
        concat!(
            "COALESCE(",
            $m,
            ".created, (SELECT MAX(c.created) FROM manifest_children mc
             JOIN manifests c ON c.id = mc.child_id WHERE mc.parent_id = ",
            $m,
            ".id))"
        )
    };
}

/// `os/arch/variant;` of image `$m`, lower-case.
macro_rules! one_platform {
    ($m:literal) => {
        concat!(
            "lower(",
            $m,
            ".os) || '/' || lower(COALESCE(",
            $m,
            ".architecture, '')) || '/' || lower(COALESCE(",
            $m,
            ".variant, '')) || ';'"
        )
    };
}

/// The platforms of manifest `$m` as one text for search filters to match a substring of:
/// `;os/arch/variant;` per platform (an index: each of its platform images; no variant: empty),
/// lower-case, NULL for an artifact without one. `arch:arm64` is then `/arm64/`, and
/// `platform:linux/arm64/v8` is `;linux/arm64/v8;` — never a match across two platforms. A
/// macro, so queries can `concat!` it into their literal text; the migration
/// `20261207000001_tags_platforms` writes the same for tags indexed before it.
macro_rules! image_platforms {
    ($m:literal) => {
        concat!(
            "CASE WHEN ",
            $m,
            ".is_index THEN ';' || (SELECT group_concat(",
            one_platform!("c"),
            ", '') FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id
             WHERE mc.parent_id = ",
            $m,
            ".id AND c.os IS NOT NULL) WHEN ",
            $m,
            ".os IS NULL THEN NULL ELSE ';' || ",
            one_platform!($m),
            " END"
        )
    };
}

/// Points tag `name` at `manifest_id`; `updated_at` changes only when the target does. The
/// tag row carries its image's `created` ([`image_created`]) for the newest-first pages, its
/// platforms ([`image_platforms`]) for search's platform filters, and its repository's registry
/// and name, which search sorts by.
pub async fn upsert_tag(
    db: impl crate::db::Executor<'_>,
    repository_id: i64,
    name: &str,
    manifest_id: i64,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    upsert_tags(db, repository_id, &[(name, manifest_id)], now).await
}

/// [`upsert_tag`] for several tags (distinct names) of one repository, in one statement: a
/// crawl writes a repository's tags at once, and on PostgreSQL each statement is a round trip.
pub async fn upsert_tags(
    db: impl crate::db::Executor<'_>,
    repository_id: i64,
    tags: &[(&str, i64)],
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    if tags.is_empty() {
        return Ok(());
    }
    let mut sql = crate::db::QueryBuilder::new(
        "INSERT INTO tags (repository_id, name, manifest_id, updated_at, created, platforms, registry_id, repository_name) SELECT r.id, v.column1, v.column2, ",
    );
    sql.push_bind(now).push(concat!(
        ", ",
        image_created!("m"),
        ", ",
        image_platforms!("m"),
        ", r.registry_id, r.name FROM (VALUES "
    ));
    let mut rows = sql.separated(", ");
    for (name, manifest_id) in tags {
        rows.push("(")
            .push_bind_unseparated(*name)
            .push_unseparated(", ")
            .push_bind_unseparated(*manifest_id)
            .push_unseparated(")");
    }
    // `WHERE TRUE`: SQLite reads the ON of an INSERT … SELECT's last join as the upsert's
    // otherwise.
    sql.push(") v JOIN manifests m ON m.id = v.column2 JOIN repositories r ON r.id = ")
        .push_bind(repository_id);
    sql.push(
        " WHERE TRUE
         ON CONFLICT (repository_id, name) DO UPDATE SET
             updated_at = CASE WHEN tags.manifest_id = excluded.manifest_id THEN tags.updated_at ELSE excluded.updated_at END,
             manifest_id = excluded.manifest_id,
             created = excluded.created,
             platforms = excluded.platforms",
    );
    sql.build().execute(db).await?;
    Ok(())
}

pub async fn delete_tag(
    db: impl crate::db::Executor<'_>,
    repository_id: i64,
    name: &str,
) -> Result<(), sqlx::Error> {
    crate::db::query("DELETE FROM tags WHERE repository_id = ? AND name = ?")
        .bind(repository_id)
        .bind(name)
        .execute(db)
        .await?;
    Ok(())
}

/// Deleting a manifest by digest removes every tag of the repository pointing at it, and the
/// manifest itself (it is not left untagged).
pub async fn delete_tags_of_digest(
    db: &mut impl crate::db::Connection,
    registry_id: i64,
    repository_id: i64,
    digest: &str,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "DELETE FROM tags WHERE repository_id = ?
           AND manifest_id IN (SELECT id FROM manifests WHERE registry_id = ? AND digest = ?)",
    )
    .bind(repository_id)
    .bind(registry_id)
    .bind(digest)
    .execute(&mut *db)
    .await?;
    manifest_deleted(&mut *db, registry_id, repository_id, digest).await
}

/// The registry deleted manifest `digest` of the repository: it is no longer untagged there.
pub async fn manifest_deleted(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    repository_id: i64,
    digest: &str,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "DELETE FROM untagged_manifests WHERE repository_id = ?
           AND manifest_id IN (SELECT id FROM manifests WHERE registry_id = ? AND digest = ?)",
    )
    .bind(repository_id)
    .bind(registry_id)
    .bind(digest)
    .execute(db)
    .await?;
    Ok(())
}

/// (manifest id, digest) of the repository's untagged manifests.
pub async fn untagged_of(
    db: impl crate::db::Executor<'_>,
    repository_id: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    crate::db::query_as(
        "SELECT m.id, m.digest FROM untagged_manifests u JOIN manifests m ON m.id = u.manifest_id
         WHERE u.repository_id = ?",
    )
    .bind(repository_id)
    .fetch_all(db)
    .await
}

/// Tags of the repository not in `keep` are gone from the registry.
pub async fn delete_tags_except(
    db: &mut impl crate::db::Connection,
    repository_id: i64,
    keep: &[String],
) -> Result<(), sqlx::Error> {
    let existing: Vec<String> =
        crate::db::query_scalar("SELECT name FROM tags WHERE repository_id = ?")
            .bind(repository_id)
            .fetch_all(&mut *db)
            .await?;
    for name in existing.iter().filter(|name| !keep.contains(name)) {
        delete_tag(&mut *db, repository_id, name).await?;
    }
    Ok(())
}

/// How many repositories of the registry are indexed, and which of them `listed` lacks.
pub async fn repositories_not_listed(
    db: &mut impl crate::db::Connection,
    registry_id: i64,
    listed: &std::collections::HashSet<&str>,
) -> Result<(usize, Vec<(i64, String)>), sqlx::Error> {
    let existing: Vec<(i64, String)> =
        crate::db::query_as("SELECT id, name FROM repositories WHERE registry_id = ?")
            .bind(registry_id)
            .fetch_all(&mut *db)
            .await?;
    let indexed = existing.len();
    let missing = existing
        .into_iter()
        .filter(|(_, name)| !listed.contains(name.as_str()))
        .collect();
    Ok((indexed, missing))
}

/// Repositories that left the catalog leave the index (with their tags).
pub async fn delete_repositories(
    db: &mut impl crate::db::Connection,
    ids: impl IntoIterator<Item = i64>,
) -> Result<(), sqlx::Error> {
    for id in ids {
        crate::db::query("DELETE FROM repositories WHERE id = ?")
            .bind(id)
            .execute(&mut *db)
            .await?;
    }
    Ok(())
}

/// Manifests nothing reaches (no tag, no index holding them, not an untagged manifest of a
/// repository), then unused blobs. Both are remembered as released (the registry still holds
/// them until its garbage collection runs), with `repository` when one repository's change
/// released them.
pub async fn delete_orphans(
    db: &mut impl crate::db::Connection,
    registry_id: i64,
    repository: Option<&str>,
) -> Result<(), sqlx::Error> {
    const ORPHAN_MANIFESTS: &str = "FROM manifests WHERE registry_id = ?
           AND id NOT IN (SELECT manifest_id FROM tags)
           AND id NOT IN (SELECT child_id FROM manifest_children)
           AND id NOT IN (SELECT manifest_id FROM untagged_manifests)";
    const ORPHAN_BLOBS: &str =
        "FROM blobs WHERE registry_id = ? AND id NOT IN (SELECT blob_id FROM manifest_blobs)";
    const RELEASE: &str =
        "INSERT INTO released_blobs (registry_id, digest, size, repository, since)
         SELECT registry_id, digest, size, ?, ? ";
    const KEEP_FIRST: &str = " ON CONFLICT DO NOTHING";
    let since = crate::clock::sortable_utc(time::OffsetDateTime::now_utc());
    // An orphaned index frees its children for the next pass; indexes nest one level.
    for _ in 0..3 {
        crate::db::query(&format!("{RELEASE}{ORPHAN_MANIFESTS}{KEEP_FIRST}"))
            .bind(repository)
            .bind(&since)
            .bind(registry_id)
            .execute(&mut *db)
            .await?;
        let deleted = crate::db::query(&format!("DELETE {ORPHAN_MANIFESTS}"))
            .bind(registry_id)
            .execute(&mut *db)
            .await?;
        if deleted.rows_affected() == 0 {
            break;
        }
    }
    crate::db::query(&format!("{RELEASE}{ORPHAN_BLOBS}{KEEP_FIRST}"))
        .bind(repository)
        .bind(&since)
        .bind(registry_id)
        .execute(&mut *db)
        .await?;
    crate::db::query(&format!("DELETE {ORPHAN_BLOBS}"))
        .bind(registry_id)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// One tag as lists show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagRow {
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub media_type: String,
    pub total_size: i64,
    pub created: Option<String>,
}

/// Every tag of a registry, by repository then tag.
pub async fn tags_of_registry(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
) -> Result<Vec<TagRow>, sqlx::Error> {
    crate::db::query_as(
        "SELECT r.name AS repository, t.name AS tag, m.digest, m.media_type, m.total_size, m.created
         FROM tags t JOIN repositories r ON r.id = t.repository_id JOIN manifests m ON m.id = t.manifest_id
         WHERE r.registry_id = ? ORDER BY r.name, t.name",
    )
    .bind(registry_id)
    .fetch_all(db)
    .await
}

pub async fn record_crawl(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    started: OffsetDateTime,
    finished: OffsetDateTime,
    requests: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    let duration_ms = (finished - started).whole_milliseconds() as i64;
    crate::db::query(
        "UPDATE registries SET crawl_started_at = ?, crawl_finished_at = ?, crawl_duration_ms = ?, crawl_requests = ?, crawl_error = ?
         WHERE id = ?",
    )
    .bind(started)
    .bind(finished)
    .bind(duration_ms)
    .bind(requests)
    .bind(error)
    .bind(registry_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Stores what `GET /v2/` said at the start of a crawl.
pub async fn record_health(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    health: &crate::registry::RegistryHealth,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE registries SET health_level = ?, health_summary = ?, health_latency_ms = ?, health_checked_at = ? WHERE id = ?",
    )
    .bind(health.level().as_str())
    .bind(health.summary())
    .bind(health.latency_ms as i64)
    .bind(at)
    .bind(registry_id)
    .execute(db)
    .await?;
    Ok(())
}

/// A notification from this registry was accepted: its events can be trusted between checks.
/// Written at most once a minute: every pull is a notification, and this is on its path.
pub async fn record_notified(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "UPDATE registries SET notified_at = ?1
         WHERE name = ?2 AND (notified_at IS NULL OR notified_at < ?3)",
    )
    .bind(at)
    .bind(registry)
    .bind(at - time::Duration::minutes(1))
    .execute(db)
    .await?;
    Ok(())
}

/// When notifications were last received, and when every tag was last HEADed.
pub async fn watch_state(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
) -> Result<(Option<OffsetDateTime>, Option<OffsetDateTime>), sqlx::Error> {
    let (notified, verified): (crate::db::MaybeTextTime, crate::db::MaybeTextTime) =
        crate::db::query_as("SELECT notified_at, verified_at FROM registries WHERE id = ?")
            .bind(registry_id)
            .fetch_one(db)
            .await?;
    Ok((notified.0, verified.0))
}

pub async fn record_verified(
    db: impl crate::db::Executor<'_>,
    registry_id: i64,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    crate::db::query("UPDATE registries SET verified_at = ? WHERE id = ?")
        .bind(at)
        .bind(registry_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The next crawl of registry `name` HEADs everything it knows again (after a restart of the
/// registry, whose undelivered notifications are lost, or its garbage collection).
pub async fn forget_verified(
    db: impl crate::db::Executor<'_>,
    name: &str,
) -> Result<(), sqlx::Error> {
    crate::db::query("UPDATE registries SET verified_at = NULL WHERE name = ?")
        .bind(name)
        .execute(db)
        .await?;
    Ok(())
}
