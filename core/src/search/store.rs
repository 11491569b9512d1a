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
    #[sqlx(try_from = "crate::db::TextTime")]
    pub pushed_at: OffsetDateTime,
    pub created: Option<String>,
    /// `os/arch[/variant]` of the image, or of each platform of an index.
    #[sqlx(try_from = "crate::db::JsonText<Vec<String>>")]
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

/// Whether any repository or tag name contains `word` (ignoring case).
pub(super) async fn any_name_contains(db: &crate::db::Db, word: &str) -> sqlx::Result<bool> {
    let mut query = QueryBuilder::new("SELECT EXISTS (");
    super::sets::push_repositories_containing(&mut query, word, "1");
    query.push(") OR EXISTS (");
    super::sets::push_tag_names_containing(&mut query, word, "1");
    query.push(")");
    query.build_query_scalar().fetch_one(db).await
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
