//! The common query — one or more words, perhaps with filters — listed from its longest word
//! by plain joins: the repositories whose name contains it, each ranked once, joined to their
//! tags through the primary key; plus the tags whose name contains it (ranked once per distinct
//! name). Compared with listing tag ids first and looking each one up again, a word matching
//! 100,000 tags costs a third of the time (measured in `benches/search.rs`).

use super::query::TermScope;
use super::resolved::{driver, Driver, Resolved, ResolvedTerm};
use super::sets;
use super::sql::{self, COUNT_CAP};
use crate::db::QueryBuilder;

/// The word the candidates come from, when the query is led by one this path handles (a hex
/// word may also be a digest: the general path covers that).
pub(super) fn driving_term(query: &Resolved) -> Option<usize> {
    match driver(query) {
        Driver::Term(i) if query.terms[i].digest.is_none() => Some(i),
        _ => None,
    }
}

pub(super) fn hits(query: &Resolved, term: usize, limit: i64, offset: i64) -> QueryBuilder {
    let mut sql = QueryBuilder::new("");
    push_sets(&mut sql, &query.terms[term]);
    sql.push(", page AS (SELECT u.*, ");
    sql::push_total(&mut sql, query);
    sql.push(" FROM (");
    push_arms(&mut sql, query, term, Select::Page);
    sql.push(") u");
    // `sort:size` joins the union's rows to their manifests: a size column computed inside the
    // arms (a correlated subquery per arm) is what the reverted 9f22349 did, and one full run
    // saw that plan return no rows.
    if query.largest_first {
        sql.push(
            " JOIN manifests sized ON sized.id = u.manifest_id ORDER BY sized.total_size DESC, ",
        );
    } else {
        sql.push(" ORDER BY ");
    }
    sql.push("rank, registry_id, repository, tag LIMIT ");
    sql.push_bind(limit);
    sql.push(" OFFSET ");
    sql.push_bind(offset);
    sql.push(") ");
    sql::push_page_rows(&mut sql, query);
    sql
}

pub(super) fn count(query: &Resolved, term: usize) -> QueryBuilder {
    let mut sql = QueryBuilder::new("");
    push_sets(&mut sql, &query.terms[term]);
    sql.push("SELECT COUNT(*) FROM (");
    push_arms(&mut sql, query, term, Select::Count);
    sql.push(" LIMIT ");
    sql.push_bind(COUNT_CAP + 1);
    sql.push(") AS capped");
    sql
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Select {
    Page,
    Count,
}

/// `rep(id, registry_id, name, rank)`: matching repositories, ranked by name once;
/// `nam(name, rank)`: matching distinct tag names, ranked once. Unused ones are empty.
fn push_sets(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    sql.push("WITH rep(id, registry_id, name, rank) AS MATERIALIZED (SELECT r.id, r.registry_id, r.name, ");
    if term.corrections.is_empty() {
        push_repository_rank(sql, term);
    } else {
        sql.push("3");
    }
    sql.push(" FROM repositories r WHERE ");
    if term.scope == TermScope::Tag {
        sql.push("FALSE");
    } else {
        sets::push_repository_condition(sql, term);
    }
    sql.push("), nam(name, rank) AS MATERIALIZED (SELECT n.name, ");
    push_tag_rank(sql, term);
    sql.push(" FROM tag_names n WHERE ");
    if term.scope == TermScope::Repository || !term.corrections.is_empty() {
        sql.push("FALSE");
    } else {
        sql.push("n.name IN (");
        sets::push_tag_name_set(sql, term);
        sql.push(")");
    }
    sql.push(") ");
}

/// Tags of matching repositories, then tags with a matching name in other repositories; each
/// arm filtered by the rest of the query.
fn push_arms(sql: &mut QueryBuilder, query: &Resolved, term: usize, select: Select) {
    let columns = |sql: &mut QueryBuilder, driver_rank: &str| match select {
        Select::Count => {
            sql.push("SELECT 1");
        }
        Select::Page => {
            sql.push(format!("SELECT t.rowid AS id, {driver_rank} + "));
            sql::push_rank(sql, query, Some(term));
            sql.push(" AS rank, p.registry_id AS registry_id, p.name AS repository, t.name AS tag, t.manifest_id AS manifest_id");
        }
    };
    columns(sql, "min(p.rank, COALESCE(nam.rank, 9))");
    // CROSS JOIN fixes the loop order: from the few matches to their tags, never the reverse.
    sql.push(" FROM rep p CROSS JOIN tags t ON t.repository_id = p.id LEFT JOIN nam ON nam.name = t.name WHERE ");
    sql::push_conditions(sql, query, Some(driver(query)));
    sql.push(" UNION ALL ");
    columns(sql, "nam.rank");
    sql.push(" FROM nam CROSS JOIN tags t ON t.name = nam.name ");
    // The repository's registry and name are on the tag row: PostgreSQL reads them there (the
    // tag-name index holds them, so a name on 20,000 tags is sorted from the index alone); on
    // SQLite looking each repository up costs less than the wider rows.
    sql.on_sqlite(|sql| {
        sql.push("CROSS JOIN repositories p ON p.id = t.repository_id");
    });
    sql.on_postgres(|sql| {
        sql.push("CROSS JOIN LATERAL (SELECT t.repository_id AS id, t.registry_id AS registry_id, t.repository_name AS name) p");
    });
    sql.push(" WHERE t.repository_id NOT IN (SELECT id FROM rep) AND ");
    sql::push_conditions(sql, query, Some(driver(query)));
}

/// 0 when the name is the word or ends in `/word`, 1 when a path segment starts with it, else 2.
fn push_repository_rank(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    let segment = format!("/{}", term.text);
    sql.push("CASE WHEN r.name = ")
        .push_bind(term.text.as_str());
    push_last_chars(sql, "r.name", segment.chars().count() as i64);
    sql.push(" = ").push_bind(segment.clone());
    sql.push(" THEN 0 WHEN instr(r.name, ")
        .push_bind(term.text.as_str());
    sql.push(") = 1 OR instr(r.name, ").push_bind(segment);
    sql.push(") > 0 THEN 1 ELSE 2 END");
}

/// ` OR <the last n characters of text>`.
pub(super) fn push_last_chars(sql: &mut QueryBuilder, text: &str, n: i64) {
    sql.on_sqlite(|sql| {
        sql.push(format!(" OR substr({text}, -"))
            .push_bind(n)
            .push(")");
    });
    sql.on_postgres(|sql| {
        sql.push(format!(" OR right({text}, CAST("))
            .push_bind(n)
            .push(" AS INTEGER))");
    });
}

/// 0 when the tag is the word (any case), 1 when it starts with it, else 2.
fn push_tag_rank(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    sql.push("CASE WHEN lower(n.name) = ")
        .push_bind(term.text.as_str());
    sql.push(" THEN 0 WHEN instr(lower(n.name), ")
        .push_bind(term.text.as_str());
    sql.push(") = 1 THEN 1 ELSE 2 END");
}

/// A single word and no filter: when no tag name contains it (see [`tag_names_match`]) the
/// order is the repositories' order (rank, registry, name) and, within one, the tags' by name —
/// so a page comes from the first `offset + limit` repositories alone, instead of ranking every
/// tag of every match (a word matching 110,000 tags: 25 ms → 2 ms). Returns the word's index.
pub(super) fn single_word(query: &Resolved) -> Option<usize> {
    let term = query.terms.first()?;
    (!query.has_filters()
        && !query.largest_first
        && query.terms.len() == 1
        && term.scope != TermScope::Tag
        && term.digest.is_none())
    .then_some(0)
}

/// Whether any tag name contains the word (then [`first_repositories_page`] does not apply).
pub(super) fn tag_names_match(term: &ResolvedTerm) -> QueryBuilder {
    let mut sql = QueryBuilder::new("SELECT EXISTS (");
    if term.corrections.is_empty() && term.scope != TermScope::Repository {
        sets::push_tag_name_set(&mut sql, term);
    } else {
        sql.push("SELECT 1 WHERE FALSE");
    }
    sql.push(")");
    sql
}

/// One page from the first `offset + limit` matching repositories. Short of a full page (some
/// of them empty, or the last page) the caller asks the general query instead.
pub(super) fn first_repositories_page(
    query: &Resolved,
    term: usize,
    limit: i64,
    offset: i64,
) -> QueryBuilder {
    let mut sql = QueryBuilder::new("");
    push_sets(&mut sql, &query.terms[term]);
    sql.push(
        ", page AS (SELECT t.rowid AS id, p.rank AS rank, -1 AS total
         FROM (SELECT * FROM rep WHERE registry_id IN (",
    );
    sets::push_registry_ids(&mut sql, query);
    sql.push(") ORDER BY rank, registry_id, name LIMIT ");
    sql.push_bind(offset + limit);
    sql.push(
        ") p CROSS JOIN tags t ON t.repository_id = p.id
         ORDER BY p.rank, p.registry_id, p.name, t.name LIMIT ",
    );
    sql.push_bind(limit);
    sql.push(" OFFSET ");
    sql.push_bind(offset);
    sql.push(") ");
    sql::push_page_rows(&mut sql, query);
    sql
}
