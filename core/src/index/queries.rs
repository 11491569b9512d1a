//! Reading the index for the pages: registry summaries, repositories by namespace, tags with
//! what they point at. No registry is contacted here.

use sqlx::SqliteExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistryIndexRow {
    pub name: String,
    pub repositories: i64,
    pub tags: i64,
    pub crawl_finished_at: Option<time::OffsetDateTime>,
    pub crawl_duration_ms: Option<i64>,
    pub crawl_error: Option<String>,
    pub health_level: Option<String>,
    pub health_summary: Option<String>,
    pub health_latency_ms: Option<i64>,
}

pub async fn registry_index_row(
    db: impl SqliteExecutor<'_>,
    name: &str,
) -> Result<Option<RegistryIndexRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT g.name,
                (SELECT COUNT(*) FROM repositories r WHERE r.registry_id = g.id) AS repositories,
                (SELECT COUNT(*) FROM tags t JOIN repositories r ON r.id = t.repository_id WHERE r.registry_id = g.id) AS tags,
                g.crawl_finished_at, g.crawl_duration_ms, g.crawl_error,
                g.health_level, g.health_summary, g.health_latency_ms
         FROM registries g WHERE g.name = ?",
    )
    .bind(name)
    .fetch_optional(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepositoryRow {
    pub name: String,
    pub tags: i64,
    pub last_updated: Option<time::OffsetDateTime>,
}

/// One page of a registry's repositories, by name, and the total count.
pub async fn repositories_page(
    db: impl SqliteExecutor<'_> + Copy,
    registry: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<RepositoryRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(
        "SELECT r.name, COUNT(t.name) AS tags, MAX(t.updated_at) AS last_updated
         FROM repositories r JOIN registries g ON g.id = r.registry_id
         LEFT JOIN tags t ON t.repository_id = r.id
         WHERE g.name = ? GROUP BY r.id ORDER BY r.name LIMIT ? OFFSET ?",
    )
    .bind(registry)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM repositories r JOIN registries g ON g.id = r.registry_id WHERE g.name = ?")
        .bind(registry)
        .fetch_one(db)
        .await?;
    Ok((rows, total))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagDetailRow {
    pub tag: String,
    pub digest: String,
    pub media_type: String,
    pub total_size: i64,
    pub created: Option<String>,
    pub is_index: bool,
    /// `os/arch[/variant]` of the image or of each platform of an index, comma-separated.
    pub platforms: Option<String>,
    /// Other tags of this repository on the same digest, comma-separated.
    pub same_digest_as: Option<String>,
}

/// Every tag of one repository with what it points at.
pub async fn tags_of_repository(
    db: impl SqliteExecutor<'_>,
    registry: &str,
    repository: &str,
) -> Result<Vec<TagDetailRow>, sqlx::Error> {
    sqlx::query_as(
        "WITH repo AS (
             SELECT r.id FROM repositories r JOIN registries g ON g.id = r.registry_id WHERE g.name = ?1 AND r.name = ?2
         )
         SELECT t.name AS tag, m.digest, m.media_type, m.total_size, m.is_index,
                COALESCE(m.created, (SELECT MAX(c.created) FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE mc.parent_id = m.id)) AS created,
                CASE WHEN m.is_index = 1 THEN
                    (SELECT GROUP_CONCAT(c.os || '/' || c.architecture || COALESCE('/' || c.variant, ''), ', ')
                     FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE mc.parent_id = m.id)
                ELSE m.os || '/' || m.architecture || COALESCE('/' || m.variant, '') END AS platforms,
                (SELECT GROUP_CONCAT(o.name, ', ') FROM tags o WHERE o.repository_id = t.repository_id AND o.manifest_id = t.manifest_id AND o.name != t.name) AS same_digest_as
         FROM tags t JOIN manifests m ON m.id = t.manifest_id
         WHERE t.repository_id = (SELECT id FROM repo)
         ORDER BY created DESC, t.name",
    )
    .bind(registry)
    .bind(repository)
    .fetch_all(db)
    .await
}

/// Repositories of `registry` (other than `except`) whose tagged images contain blob `digest`.
pub async fn repositories_with_blob(
    db: impl SqliteExecutor<'_>,
    registry: &str,
    digest: &str,
    except: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT r.name FROM blobs b
         JOIN registries g ON g.id = b.registry_id
         JOIN manifest_blobs mb ON mb.blob_id = b.id
         LEFT JOIN manifest_children mc ON mc.child_id = mb.manifest_id
         JOIN tags t ON t.manifest_id = mb.manifest_id OR t.manifest_id = mc.parent_id
         JOIN repositories r ON r.id = t.repository_id
         WHERE g.name = ? AND b.digest = ? AND r.name != ? ORDER BY r.name",
    )
    .bind(registry)
    .bind(digest)
    .bind(except)
    .fetch_all(db)
    .await
}
