//! Reading the index for the pages: registry summaries, repositories by namespace, tags with
//! what they point at. No registry is contacted here.

use crate::db::QueryBuilder;
use crate::registry::HealthLevel;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistryIndexRow {
    pub name: String,
    pub repositories: i64,
    pub tags: i64,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub crawl_finished_at: Option<time::OffsetDateTime>,
    pub crawl_duration_ms: Option<i64>,
    pub crawl_error: Option<String>,
    pub health_level: Option<String>,
    pub health_summary: Option<String>,
    pub health_latency_ms: Option<i64>,
}

impl RegistryIndexRow {
    /// The health level measured at the last crawl.
    pub fn health(&self) -> Option<HealthLevel> {
        self.health_level.as_deref().and_then(HealthLevel::parse)
    }
}

macro_rules! registry_index_columns {
    () => {
        "SELECT g.name,
                (SELECT COUNT(*) FROM repositories r WHERE r.registry_id = g.id) AS repositories,
                (SELECT COUNT(*) FROM tags t JOIN repositories r ON r.id = t.repository_id WHERE r.registry_id = g.id) AS tags,
                g.crawl_finished_at, g.crawl_duration_ms, g.crawl_error,
                g.health_level, g.health_summary, g.health_latency_ms
         FROM registries g "
    };
}

pub async fn registry_index_row(
    db: impl crate::db::Executor<'_>,
    name: &str,
) -> Result<Option<RegistryIndexRow>, sqlx::Error> {
    crate::db::query_as(concat!(registry_index_columns!(), "WHERE g.name = ?"))
        .bind(name)
        .fetch_optional(db)
        .await
}

/// What the index holds of every registry it has seen.
pub async fn registry_index_rows(
    db: impl crate::db::Executor<'_>,
) -> Result<Vec<RegistryIndexRow>, sqlx::Error> {
    crate::db::query_as(concat!(registry_index_columns!(), "ORDER BY g.name"))
        .fetch_all(db)
        .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepositoryRow {
    pub name: String,
    pub tags: i64,
    #[sqlx(try_from = "crate::db::MaybeTextTime")]
    pub last_updated: Option<time::OffsetDateTime>,
}

/// Repositories of one registry, or of one namespace of it (names under `namespace/`).
#[derive(Debug, Clone, Copy)]
pub struct RepositoryScope<'a> {
    pub registry: &'a str,
    pub namespace: Option<&'a str>,
}

impl RepositoryScope<'_> {
    /// The name range `[from, to)` of the namespace (`/` + 1 is `0`), which the
    /// (registry_id, name) index serves; all names without one.
    fn name_range(&self) -> (String, String) {
        match self.namespace {
            Some(namespace) => (format!("{namespace}/"), format!("{namespace}0")),
            None => (String::new(), char::MAX.to_string()),
        }
    }
}

/// Counts over a scope.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct ScopeCounts {
    pub repositories: i64,
    pub tags: i64,
}

/// One page of the scope's repositories, by name.
pub async fn repositories_page(
    db: impl crate::db::Executor<'_>,
    scope: RepositoryScope<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<RepositoryRow>, sqlx::Error> {
    let (from, to) = scope.name_range();
    crate::db::query_as(
        "SELECT r.name, COUNT(t.name) AS tags, MAX(t.updated_at) AS last_updated
         FROM repositories r JOIN registries g ON g.id = r.registry_id
         LEFT JOIN tags t ON t.repository_id = r.id
         WHERE g.name = ? AND r.name >= ? AND r.name < ?
         GROUP BY r.id ORDER BY r.name LIMIT ? OFFSET ?",
    )
    .bind(scope.registry)
    .bind(from)
    .bind(to)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// How many repositories and tags the scope holds.
pub async fn scope_counts(
    db: impl crate::db::Executor<'_>,
    scope: RepositoryScope<'_>,
) -> Result<ScopeCounts, sqlx::Error> {
    let (from, to) = scope.name_range();
    crate::db::query_as(
        "SELECT COUNT(DISTINCT r.id) AS repositories, COUNT(t.name) AS tags
         FROM repositories r JOIN registries g ON g.id = r.registry_id
         LEFT JOIN tags t ON t.repository_id = r.id
         WHERE g.name = ? AND r.name >= ? AND r.name < ?",
    )
    .bind(scope.registry)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagDetailRow {
    pub tag: String,
    pub digest: String,
    pub media_type: String,
    pub total_size: i64,
    pub created: Option<String>,
    pub is_index: bool,
    /// `os/arch[/variant]` of the image, or of each platform of an index.
    #[sqlx(try_from = "crate::db::JsonText<Vec<String>>")]
    pub platforms: Vec<String>,
    /// Other tags of this repository on the same digest.
    #[sqlx(try_from = "crate::db::JsonText<Vec<String>>")]
    pub same_digest_as: Vec<String>,
}

/// `os/arch[/variant]` of manifest `m` as a JSON array: its own platform, or its platform
/// images' for an index (none for an artifact without a platform). A macro, so queries can
/// `concat!` it into their literal text.
macro_rules! platforms_json {
    () => {
        "CASE WHEN m.is_index THEN
             (SELECT json_group_array(c.os || '/' || c.architecture || COALESCE('/' || c.variant, ''))
              FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id
              WHERE mc.parent_id = m.id AND c.os IS NOT NULL)
         WHEN m.os IS NULL THEN '[]'
         ELSE CAST(json_array(m.os || '/' || m.architecture || COALESCE('/' || m.variant, '')) AS TEXT) END"
    };
}
pub(crate) use platforms_json;

/// The repository `repo` (`?1` registry, `?2` repository) the queries below narrow tags to.
macro_rules! repo_cte {
    () => {
        "WITH repo AS (
             SELECT r.id FROM repositories r JOIN registries g ON g.id = r.registry_id WHERE g.name = ?1 AND r.name = ?2
         )"
    };
}

/// The columns of a [`TagDetailRow`] for tag `t` on manifest `m`.
macro_rules! tag_detail_columns {
    () => {
        concat!(
            "t.name AS tag, m.digest, m.media_type, m.total_size, m.is_index, t.created, ",
            platforms_json!(),
            " AS platforms,
             (SELECT json_group_array(o.name) FROM tags o WHERE o.repository_id = t.repository_id AND o.manifest_id = t.manifest_id AND o.name != t.name) AS same_digest_as"
        )
    };
}

/// A [`TagDetailRow`] of a page, with the counts the pager needs (the same on every row).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PagedTagRow {
    #[sqlx(flatten)]
    pub row: TagDetailRow,
    #[sqlx(flatten)]
    pub counts: TagCounts,
}

/// One page of the tags of a repository whose name contains `needle` (lower case; tag names
/// are ASCII), newest image first. The counts come with the rows, so a page is one query; an
/// empty page (no tags, or past the end) has no counts: ask [`count_tags_of_repository`].
pub async fn newest_tags_of_repository(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    repository: &str,
    needle: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<PagedTagRow>, sqlx::Error> {
    // The page's rows are a range of `tags_newest`; the detail columns (subqueries) are
    // computed for them alone, and the counts once (uncorrelated subqueries).
    crate::db::query_as(concat!(
        repo_cte!(),
        ", page AS (
             SELECT t.rowid AS id FROM tags t
             WHERE t.repository_id = (SELECT id FROM repo) AND instr(lower(t.name), ?3) > 0
             ORDER BY t.created DESC, t.name LIMIT ?4 OFFSET ?5
         )
         SELECT ",
        tag_detail_columns!(),
        ", (SELECT COUNT(*) FROM tags a WHERE a.repository_id = (SELECT id FROM repo)) AS total,
           CASE ?3 WHEN '' THEN (SELECT COUNT(*) FROM tags a WHERE a.repository_id = (SELECT id FROM repo))
           ELSE (SELECT COUNT(*) FROM tags a WHERE a.repository_id = (SELECT id FROM repo) AND instr(lower(a.name), ?3) > 0)
           END AS matching
         FROM page CROSS JOIN tags t ON t.rowid = page.id JOIN manifests m ON m.id = t.manifest_id
         ORDER BY t.created DESC, t.name"
    ))
    .bind(registry)
    .bind(repository)
    .bind(needle)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// The names of a repository's tags that contain `needle` (lower case), in no order: for
/// orders SQL cannot express (versions).
pub async fn tag_names_of_repository(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    repository: &str,
    needle: &str,
) -> Result<Vec<String>, sqlx::Error> {
    crate::db::query_scalar(
        "SELECT t.name FROM tags t JOIN repositories r ON r.id = t.repository_id
         JOIN registries g ON g.id = r.registry_id
         WHERE g.name = ?1 AND r.name = ?2 AND instr(lower(t.name), ?3) > 0",
    )
    .bind(registry)
    .bind(repository)
    .bind(needle)
    .fetch_all(db)
    .await
}

/// The tags named `names` of one repository, in no order.
pub async fn tags_named(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    repository: &str,
    names: &[String],
) -> Result<Vec<TagDetailRow>, sqlx::Error> {
    let names = serde_json::to_string(names).expect("strings serialize");
    crate::db::query_as(concat!(
        repo_cte!(),
        " SELECT ",
        tag_detail_columns!(),
        " FROM tags t JOIN manifests m ON m.id = t.manifest_id
         WHERE t.repository_id = (SELECT id FROM repo) AND t.name IN (SELECT value FROM json_each(?3))"
    ))
    .bind(registry)
    .bind(repository)
    .bind(names)
    .fetch_all(db)
    .await
}

pub async fn repository_exists(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    repository: &str,
) -> Result<bool, sqlx::Error> {
    crate::db::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM repositories r JOIN registries g ON g.id = r.registry_id
                        WHERE g.name = ? AND r.name = ?)",
    )
    .bind(registry)
    .bind(repository)
    .fetch_one(db)
    .await
}

/// How many tags a repository has, and how many of them a filter keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct TagCounts {
    pub total: i64,
    pub matching: i64,
}

/// How many tags a repository has, and how many contain `needle` (lower case; empty keeps all).
pub async fn count_tags_of_repository(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    repository: &str,
    needle: &str,
) -> Result<TagCounts, sqlx::Error> {
    crate::db::query_as(
        "SELECT COUNT(*) AS total, COUNT(CASE WHEN instr(lower(t.name), ?3) > 0 THEN 1 END) AS matching
         FROM tags t JOIN repositories r ON r.id = t.repository_id
         JOIN registries g ON g.id = r.registry_id
         WHERE g.name = ?1 AND r.name = ?2",
    )
    .bind(registry)
    .bind(repository)
    .bind(needle)
    .fetch_one(db)
    .await
}

/// For each of `digests` (blobs of `registry`), the other repositories (not `except`) whose
/// tagged images contain it, as (blob digest, repository) sorted by both. One query for all the
/// layers of an image.
pub async fn repositories_with_blobs(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    digests: &[String],
    except: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    if digests.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = QueryBuilder::new(
        "SELECT DISTINCT b.digest, r.name FROM blobs b
         JOIN registries g ON g.id = b.registry_id
         JOIN manifest_blobs mb ON mb.blob_id = b.id
         LEFT JOIN manifest_children mc ON mc.child_id = mb.manifest_id
         JOIN tags t ON t.manifest_id = mb.manifest_id OR t.manifest_id = mc.parent_id
         JOIN repositories r ON r.id = t.repository_id
         WHERE g.name = ",
    );
    sql.push_bind(registry)
        .push(" AND r.name != ")
        .push_bind(except);
    sql.push(" AND b.digest IN (");
    let mut list = sql.separated(", ");
    for digest in digests {
        list.push_bind(digest.as_str());
    }
    sql.push(") ORDER BY b.digest, r.name");
    sql.build_query_as().fetch_all(db).await
}

/// Tags on manifest `digest` in each of `places` (registry, repository), as (registry,
/// repository, tag) sorted by tag. One query for every stage of the pipeline.
pub async fn tags_on_digest(
    db: impl crate::db::Executor<'_>,
    digest: &str,
    places: &[(String, String)],
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    if places.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = QueryBuilder::new(
        "SELECT g.name, r.name, t.name FROM tags t
         JOIN repositories r ON r.id = t.repository_id
         JOIN registries g ON g.id = r.registry_id
         JOIN manifests m ON m.id = t.manifest_id
         WHERE m.digest = ",
    );
    sql.push_bind(digest)
        .push(" AND (g.name, r.name) IN (VALUES ");
    let mut list = sql.separated(", ");
    for (registry, repository) in places {
        list.push("(")
            .push_bind_unseparated(registry.as_str())
            .push_unseparated(", ")
            .push_bind_unseparated(repository.as_str())
            .push_unseparated(")");
    }
    sql.push(") ORDER BY t.name");
    sql.build_query_as().fetch_all(db).await
}
