//! Filters alone, listed by walking the tags in page order: the registry, repository and tag
//! name indexes give that order without a sort, so a filter most tags pass (a platform, an
//! environment, `signed:no`) lists a page from a few hundred rows and counts only up to the
//! cap, where the full query (`sql`) sorts and counts every match.

use super::resolved::{driver, Driver, Resolved};
use super::sets::push_registry_ids;
use super::sql::{push_conditions, push_page_rows, COUNT_CAP};
use crate::db::QueryBuilder;

/// Tags a page walk reads per hit it must list (offset + limit): a filter that passes fewer
/// than one tag in this many there does not fill the page, and the full query answers.
const WALK_ROWS_PER_HIT: i64 = 20;

/// Walks longer than this (deep pages) are left to the full query.
const WALK_MAX_ROWS: i64 = 50_000;

/// The page of a query of filters alone, read from the first tags in page order (registry,
/// repository, tag — the repositories' and tags' name indexes give that order without a sort)
/// with the filters checked on each, and nothing counted. A filter a large share of the tags
/// pass (a platform, an environment, `signed:no`) then lists its page from a few hundred rows,
/// where the full query sorts every match (`os:linux`, all 200,000 tags: 175 ms).
///
/// Only the first `(offset + limit) × WALK_ROWS_PER_HIT` tags are read. The page is exact when
/// it comes back full: those tags are a prefix of the order and hold the page. A short page
/// says only that the filter is rarer than that; the caller then asks [`super::sql::hits`]. `None` for
/// queries this does not serve: words (ranked), `sort:size`, and the small sets (digests,
/// layers, signed images) that are cheaper listed than walked.
pub(super) fn hits(query: &Resolved, limit: i64, offset: i64) -> Option<QueryBuilder> {
    let rows = (offset + limit) * WALK_ROWS_PER_HIT;
    if !walkable(query) || rows > WALK_MAX_ROWS {
        return None;
    }
    let mut sql = QueryBuilder::new(
        "WITH walk AS (SELECT t.rowid AS id, p.registry_id, p.name AS repository, t.name AS tag, CASE WHEN ",
    );
    push_conditions(&mut sql, query, None);
    sql.push(" THEN 1 ELSE 0 END AS passes FROM repositories p JOIN tags t ON t.repository_id = p.id WHERE ");
    push_walk_range(&mut sql, query);
    sql.push(" ORDER BY p.registry_id, p.name, t.name LIMIT ");
    sql.push_bind(rows);
    sql.push("), page AS (SELECT id, 0 AS rank, -1 AS total FROM walk WHERE passes = 1 ORDER BY registry_id, repository, tag LIMIT ");
    sql.push_bind(limit);
    sql.push(" OFFSET ");
    sql.push_bind(offset);
    sql.push(") ");
    push_page_rows(&mut sql, query);
    Some(sql)
}

/// Filters alone, none of them a small set, listed in name order.
fn walkable(query: &Resolved) -> bool {
    let broad = matches!(
        driver(query),
        Driver::Environments | Driver::Namespace | Driver::Platform | Driver::All
    );
    query.terms.is_empty() && !query.largest_first && broad
}

/// How many tags a [`walkable`] query matches, up to [`COUNT_CAP`] + 1, going through the
/// repositories of its walk range and each one's tags — the plan its page took, stopping at
/// the cap. PostgreSQL gets the tags as a LATERAL subquery fenced by `OFFSET 0`: its planner
/// cannot estimate a filter on `platforms` and otherwise hashes every tag instead (an
/// environment's arm64 tags: 26 ms that way, 14 ms this way).
pub(super) fn count(query: &Resolved) -> Option<QueryBuilder> {
    if !walkable(query) {
        return None;
    }
    let mut sql = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM repositories p ");
    sql.on_sqlite(|sql| {
        sql.push("JOIN tags t ON t.repository_id = p.id WHERE ");
        push_conditions(sql, query, None);
        sql.push(" AND ");
    });
    sql.on_postgres(|sql| {
        sql.push("CROSS JOIN LATERAL (SELECT 1 FROM tags t WHERE t.repository_id = p.id AND ");
        push_conditions(sql, query, None);
        sql.push(" OFFSET 0) AS t WHERE ");
    });
    push_walk_range(&mut sql, query);
    sql.push(" LIMIT ");
    sql.push_bind(COUNT_CAP + 1);
    sql.push(") AS capped");
    Some(sql)
}

/// The repositories a walk goes through, as a range of the (registry, name) index: one
/// environment's prefix, or the first namespace's in the searched registries, or those
/// registries whole. Further environments and namespaces are checked per tag.
fn push_walk_range(sql: &mut QueryBuilder, query: &Resolved) {
    if let [(registry, prefix)] = query.environments.as_slice() {
        sql.push("p.registry_id = (SELECT id FROM registries WHERE name = ");
        sql.push_bind(registry.as_str());
        sql.push(") AND p.name >= ").push_bind(prefix.as_str());
        sql.push(" AND p.name < ").push_bind(format!("{prefix}~"));
        return;
    }
    sql.push("p.registry_id IN (");
    push_registry_ids(sql, query);
    sql.push(")");
    if let (Some(namespace), true) = (query.namespaces.first(), query.environments.is_empty()) {
        sql.push(" AND p.name >= ")
            .push_bind(format!("{namespace}/"));
        sql.push(" AND p.name < ")
            .push_bind(format!("{namespace}/~"));
    }
}
