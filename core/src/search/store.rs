//! Running search's SQL: the hit rows, counts and existence checks the builders (`sql`,
//! `by_term`) produce, and the fixed queries of the typo vocabulary.

use crate::db::QueryBuilder;
use time::OffsetDateTime;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchHit {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub is_index: bool,
    pub total_size: i64,
    pub pushed_at: OffsetDateTime,
    pub created: Option<String>,
    /// `os/arch[/variant]` of the image, or of each platform of an index.
    #[sqlx(json)]
    pub platforms: Vec<String>,
    /// Sum over the words: 0 exact, 1 prefix, 2 substring, 3 typo; lower is better.
    pub rank: i64,
    /// How many tags match in all (the same on every hit of a page), or -1 when the query
    /// counts separately (see `sql::push_total`).
    pub total: i64,
}

pub(super) async fn hits(
    db: &crate::db::Db,
    mut query: QueryBuilder,
) -> sqlx::Result<Vec<SearchHit>> {
    query.build_query_as().fetch_all(db).await
}

/// A `SELECT COUNT(*)` or `SELECT EXISTS (…)` builder's one value.
pub(super) async fn scalar<T>(db: &crate::db::Db, mut query: QueryBuilder) -> sqlx::Result<T>
where
    T: crate::db::Decodes,
{
    query.build_query_scalar().fetch_one(db).await
}

/// Whether any repository or tag name contains `phrase` (an FTS5 phrase, see `sets::phrase`).
pub(super) async fn any_name_contains(db: &crate::db::Db, phrase: &str) -> sqlx::Result<bool> {
    crate::db::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM repository_search WHERE repository_search MATCH ?1)
             OR EXISTS (SELECT 1 FROM tag_name_search WHERE tag_name_search MATCH ?1)",
    )
    .bind(phrase)
    .fetch_one(db)
    .await
}

/// Row count and highest id of `repositories`: any insert or delete changes one of them.
pub(super) async fn repositories_fingerprint(db: &crate::db::Db) -> sqlx::Result<(i64, i64)> {
    crate::db::query_as("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM repositories")
        .fetch_one(db)
        .await
}

pub(super) async fn repository_names(db: &crate::db::Db) -> sqlx::Result<Vec<String>> {
    crate::db::query_scalar("SELECT name FROM repositories")
        .fetch_all(db)
        .await
}
