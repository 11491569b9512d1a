//! One search as SQL: every user-supplied value is a bound parameter (never spliced), and full-text
//! input reaches FTS5 only as a quoted phrase, so quotes, `*`, `NEAR(` and SQL are plain text.
//!
//! Candidate tags come from set lookups an index can serve — repository ids whose name contains a
//! word (trigram FTS), tag names that contain it (trigram FTS over the distinct names), manifests
//! with a digest prefix — and are ranked per word: exact 0, prefix 1, substring 2, typo 3.

use super::query::TermScope;
use super::resolved::{driver, Driver, Resolved, ResolvedTerm};
use super::sets::{
    push_digest_set, push_layer_set, push_platform_condition, push_platform_set, push_registry_ids,
    push_repository_set, push_signed_pairs, push_tag_name_set,
};
use crate::db::QueryBuilder;
use crate::index::pages::platforms_json;

const COLUMNS: &str = concat!(
    "SELECT g.name AS registry, p.name AS repository, t.name AS tag, m.digest, m.is_index, m.total_size,
       t.updated_at AS pushed_at,
       t.created,
       ",
    platforms_json!(),
    " AS platforms,
       "
);

/// Candidates with what ranking and filtering read; registries and manifests are joined only for
/// the page's rows.
const FROM: &str = "
FROM candidates c
CROSS JOIN tags t ON t.rowid = c.id
JOIN repositories p ON p.id = t.repository_id
WHERE ";

/// [`FROM`] without candidates.
const FROM_TAGS: &str = "
FROM tags t
JOIN repositories p ON p.id = t.repository_id
WHERE ";

/// One page of hits, best first. The page is chosen first from rank and names alone, so the
/// display columns (platforms, created — subqueries) are computed for its rows only.
pub(super) fn hits(query: &Resolved, limit: i64, offset: i64) -> QueryBuilder {
    let mut sql = QueryBuilder::new("");
    per_backend(&mut sql, query, |sql, driver| {
        push_from_start(sql, query, driver, "page AS (SELECT t.rowid AS id, ");
        push_rank(sql, query, None);
        sql.push(" AS rank, ");
        push_total(sql, query);
        push_from(sql, driver);
        push_conditions(sql, query, driver);
        sql.push(" ORDER BY ");
        if query.largest_first {
            sql.push(format!("{SIZE_OF_T} DESC, "));
        }
        sql.push("rank, p.registry_id, p.name, t.name LIMIT ");
        sql.push_bind(limit);
        sql.push(" OFFSET ");
        sql.push_bind(offset);
        sql.push(") ");
    });
    push_page_rows(&mut sql, query);
    sql
}

/// Writes the query with `write` given the part candidates come from: on PostgreSQL a query led
/// by a large set (an environment, a namespace, or nothing) reads the tags directly (`None`):
/// its planner joins them better than a list of candidate rowids looked up again one by one
/// (an environment of 33,000 tags: 150 ms that way). A platform is listed from its images: a
/// common one has had its page from `walk::hits` already, so a platform asked here is rare
/// (`platform:linux/s390x`: 55 ms scanning every tag, ~1 ms by the images).
fn per_backend(
    sql: &mut QueryBuilder,
    query: &Resolved,
    write: impl Fn(&mut QueryBuilder, Option<Driver>),
) {
    let driver = driver(query);
    if matches!(
        driver,
        Driver::Environments | Driver::Namespace | Driver::All
    ) {
        sql.on_sqlite(|sql| write(sql, Some(driver)));
        sql.on_postgres(|sql| write(sql, None));
    } else {
        write(sql, Some(driver));
    }
}

/// `WITH candidates(id) AS (…), <then>` or, without a driver, `WITH <then>`.
fn push_from_start(sql: &mut QueryBuilder, query: &Resolved, driver: Option<Driver>, then: &str) {
    match driver {
        Some(driver) => {
            push_candidates(sql, query, driver);
            sql.push(", ").push(then);
        }
        None => {
            sql.push("WITH ").push(then);
        }
    }
}

/// The rows a query filters: the candidates' tags, or every tag.
fn push_from(sql: &mut QueryBuilder, driver: Option<Driver>) {
    sql.push(match driver {
        Some(_) => FROM,
        None => FROM_TAGS,
    });
}

/// The size of tag `t`'s image, for `size:` bounds and `sort:size`.
const SIZE_OF_T: &str = "(SELECT total_size FROM manifests WHERE id = t.manifest_id)";

/// `total`: for a filtered query, its count over every matching row, taken with the page — the
/// matches are sparse among the candidates, and a separate count would scan them all again. For
/// words alone it is -1: matches are dense, and the capped [`count`] stops early.
pub(super) fn push_total(sql: &mut QueryBuilder, query: &Resolved) {
    let filtered = query.has_filters() || query.terms.len() > 1;
    sql.push(if filtered {
        "COUNT(*) OVER () AS total"
    } else {
        "-1 AS total"
    });
}

/// The display columns of the rows a `page(id, rank, total)` CTE chose, in its order.
pub(super) fn push_page_rows(sql: &mut QueryBuilder, query: &Resolved) {
    sql.push(COLUMNS);
    sql.push(
        "CAST(page.rank AS BIGINT) AS rank, CAST(page.total AS BIGINT) AS total FROM page CROSS JOIN tags t ON t.rowid = page.id
         JOIN repositories p ON p.id = t.repository_id
         JOIN registries g ON g.id = p.registry_id
         JOIN manifests m ON m.id = t.manifest_id
         ORDER BY ",
    );
    if query.largest_first {
        sql.push("m.total_size DESC, ");
    }
    sql.push("page.rank, p.registry_id, p.name, t.name");
}

/// Counting stops here: past it the page says "10,000+", and a query matching most of the index
/// (`te` while typing) costs no more than this many rows.
pub const COUNT_CAP: i64 = 10_000;

/// How many tags match, up to [`COUNT_CAP`] + 1: for a page past the last hit, which has no
/// row to carry the total.
pub(super) fn count(query: &Resolved) -> QueryBuilder {
    let mut sql = QueryBuilder::new("");
    per_backend(&mut sql, query, |sql, driver| {
        if let Some(driver) = driver {
            push_candidates(sql, query, driver);
        }
        sql.push("SELECT COUNT(*) FROM (SELECT 1");
        push_from(sql, driver);
        push_conditions(sql, query, driver);
        sql.push(" LIMIT ");
        sql.push_bind(COUNT_CAP + 1);
        sql.push(") AS capped");
    });
    sql
}

/// The sum of the terms' ranks (but `skip`'s) for a candidate tag `t` in repository `p`.
pub(super) fn push_rank(sql: &mut QueryBuilder, query: &Resolved, skip: Option<usize>) {
    sql.push("(0");
    for (i, term) in query.terms.iter().enumerate() {
        if skip == Some(i) {
            continue;
        }
        sql.push(" + ");
        if !term.corrections.is_empty() {
            sql.push("3");
            continue;
        }
        let lower = term.text.as_str();
        let segment = format!("/{lower}");
        let segment_chars = segment.chars().count() as i64;
        let on_repo = term.scope != TermScope::Tag;
        let on_tag = term.scope != TermScope::Repository;
        sql.push("CASE");
        if let Some(digest) = &term.digest {
            sql.push(" WHEN t.manifest_id IN (");
            push_digest_set(sql, digest);
            sql.push(") THEN 0");
        }
        sql.push(" WHEN FALSE");
        if on_tag {
            sql.push(" OR lower(t.name) = ").push_bind(lower);
        }
        if on_repo {
            sql.push(" OR p.name = ").push_bind(lower);
            super::by_term::push_last_chars(sql, "'/' || p.name", segment_chars);
            sql.push(" = ").push_bind(segment.clone());
        }
        sql.push(" THEN 0 WHEN FALSE");
        if on_tag {
            sql.push(" OR instr(lower(t.name), ").push_bind(lower);
            sql.push(") = 1");
        }
        if on_repo {
            sql.push(" OR instr('/' || p.name, ").push_bind(segment);
            sql.push(") > 0");
        }
        sql.push(" THEN 1 ELSE 2 END");
    }
    sql.push(")");
}

/// The query's conditions on tag `t` in repository `p`, but the part the candidates were
/// listed from (`driver`), which they satisfy already.
pub(super) fn push_conditions(sql: &mut QueryBuilder, query: &Resolved, driver: Option<Driver>) {
    sql.push("p.registry_id IN (");
    push_registry_ids(sql, query);
    sql.push(")");
    for (i, term) in query.terms.iter().enumerate() {
        if driver != Some(Driver::Term(i)) {
            sql.push(" AND (");
            push_term(sql, term);
            sql.push(")");
        }
    }
    if !query.environments.is_empty() && driver != Some(Driver::Environments) {
        sql.push(" AND (FALSE");
        for (registry, prefix) in &query.environments {
            sql.push(" OR (p.registry_id = (SELECT id FROM registries WHERE name = ");
            sql.push_bind(registry.as_str());
            sql.push(") AND p.name >= ").push_bind(prefix.as_str());
            sql.push(" AND p.name < ").push_bind(format!("{prefix}~"));
            sql.push(")");
        }
        sql.push(")");
    }
    let skip_first = |part: Driver| usize::from(driver == Some(part));
    for namespace in query.namespaces.iter().skip(skip_first(Driver::Namespace)) {
        sql.push(" AND p.name >= ")
            .push_bind(format!("{namespace}/"));
        sql.push(" AND p.name < ")
            .push_bind(format!("{namespace}/~"));
    }
    for platform in query.platforms.iter().skip(skip_first(Driver::Platform)) {
        push_platform_condition(sql, platform);
    }
    if let Some(after) = query.pushed_after {
        sql.push(" AND t.updated_at >= ").push_bind(after);
    }
    if let Some(before) = query.pushed_before {
        sql.push(" AND t.updated_at < ").push_bind(before);
    }
    if let Some(signed) = query.signed.filter(|_| driver != Some(Driver::Signed)) {
        // The one-column test first: it settles nearly every tag, and SQLite probes a
        // row-value IN list slowly (`signed:no` over 10,000 tags: 47 ms with the pair alone,
        // 5 ms this way).
        sql.push(if signed { " AND " } else { " AND NOT " });
        sql.push("(t.manifest_id IN (SELECT manifest_id FROM ");
        push_signed_pairs(sql);
        sql.push(" AS signed) AND (t.repository_id, t.manifest_id) IN (SELECT repository_id, manifest_id FROM ");
        push_signed_pairs(sql);
        sql.push(" AS signed))");
    }
    for digest in query.digests.iter().skip(skip_first(Driver::Digest)) {
        sql.push(" AND t.manifest_id IN (");
        push_digest_set(sql, digest);
        sql.push(")");
    }
    for layer in query.layers.iter().skip(skip_first(Driver::Layer)) {
        sql.push(" AND t.manifest_id IN (");
        push_layer_set(sql, layer);
        sql.push(")");
    }
    for bound in &query.sizes {
        sql.push(format!(" AND {SIZE_OF_T}"));
        sql.push(bound.op.sql()).push_bind(bound.bytes);
    }
}

/// A term matches a tag through its repository's name, its own name, or (hex terms) a digest.
fn push_term(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    push_term_arms(sql, term, " OR ", "t.");
}

/// The rowids of the tags a term matches. SQLite unites the index lookups of one SELECT with
/// ORs through a rowid set (cheaper than a compound UNION's temporary b-tree when a word
/// matches 100,000 tags); PostgreSQL cannot, and scans every tag for it, so it gets the UNION.
fn push_term_candidates(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    sql.on_sqlite(|sql| {
        sql.push("SELECT t.rowid FROM tags t WHERE ");
        push_term(sql, term);
    });
    sql.on_postgres(|sql| push_term_arms(sql, term, " UNION ", "SELECT rowid FROM tags WHERE "));
}

/// `<before>column IN (…)` for each way the term matches, `separator` between them.
fn push_term_arms(sql: &mut QueryBuilder, term: &ResolvedTerm, separator: &str, before: &str) {
    // No constant first operand (`0 OR …`): SQLite serves an OR of indexed terms by uniting
    // index lookups only when every operand can use an index.
    let mut first = true;
    let mut or = |sql: &mut QueryBuilder, column: &str| {
        if !std::mem::take(&mut first) {
            sql.push(separator);
        }
        sql.push(format!("{before}{column} IN ("));
    };
    if term.scope != TermScope::Tag {
        or(sql, "repository_id");
        push_repository_set(sql, term);
        sql.push(")");
    }
    if term.scope != TermScope::Repository && term.corrections.is_empty() {
        or(sql, "name");
        push_tag_name_set(sql, term);
        sql.push(")");
    }
    if let Some(digest) = &term.digest {
        or(sql, "manifest_id");
        push_digest_set(sql, digest);
        sql.push(")");
    }
}

/// `WITH candidates(id)`: the tags of the most selective part of the query, found by index, so
/// the main query visits those rather than every tag (the other parts then filter them).
fn push_candidates(sql: &mut QueryBuilder, query: &Resolved, driver: Driver) {
    sql.push("WITH candidates(id) AS (");
    match driver {
        Driver::Digest => {
            sql.push("SELECT rowid FROM tags WHERE manifest_id IN (");
            push_digest_set(sql, &query.digests[0]);
            sql.push(")");
        }
        Driver::Layer => {
            sql.push("SELECT rowid FROM tags WHERE manifest_id IN (");
            push_layer_set(sql, &query.layers[0]);
            sql.push(")");
        }
        Driver::Signed => {
            sql.push("SELECT t.rowid FROM ");
            push_signed_pairs(sql);
            sql.push(" p JOIN tags t ON t.repository_id = p.repository_id AND t.manifest_id = p.manifest_id");
        }
        Driver::Term(i) => push_term_candidates(sql, &query.terms[i]),
        Driver::Environments => {
            for (n, (registry, prefix)) in query.environments.iter().enumerate() {
                if n > 0 {
                    sql.push(" UNION ");
                }
                sql.push("SELECT t.rowid FROM repositories r JOIN registries g ON g.id = r.registry_id JOIN tags t ON t.repository_id = r.id WHERE g.name = ");
                sql.push_bind(registry.as_str());
                sql.push(" AND r.name >= ").push_bind(prefix.as_str());
                sql.push(" AND r.name < ").push_bind(format!("{prefix}~"));
            }
        }
        Driver::Namespace => {
            let namespace = &query.namespaces[0];
            sql.push("SELECT t.rowid FROM repositories r JOIN tags t ON t.repository_id = r.id WHERE r.name >= ");
            sql.push_bind(format!("{namespace}/"));
            sql.push(" AND r.name < ")
                .push_bind(format!("{namespace}/~"));
        }
        Driver::Platform => {
            sql.push("SELECT rowid FROM tags WHERE manifest_id IN (");
            push_platform_set(sql, &query.platforms[0]);
            sql.push(")");
        }
        Driver::All => {
            sql.push("SELECT rowid FROM tags");
        }
    }
    sql.push(") ");
}
