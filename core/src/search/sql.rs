//! One search as SQL: every user-supplied value is a bound parameter (never spliced), and full-text
//! input reaches FTS5 only as a quoted phrase, so quotes, `*`, `NEAR(` and SQL are plain text.
//!
//! Candidate tags come from set lookups an index can serve — repository ids whose name contains a
//! word (trigram FTS), tag names that contain it (trigram FTS over the distinct names), manifests
//! with a digest prefix — and are ranked per word: exact 0, prefix 1, substring 2, typo 3.

use super::query::{DigestPrefix, PlatformFilter, TermScope};
use sqlx::{QueryBuilder, Sqlite};
use time::OffsetDateTime;

/// A query with names resolved against the configuration and typos replaced.
#[derive(Debug, Default)]
pub(super) struct Resolved {
    pub terms: Vec<ResolvedTerm>,
    /// The registries searched: those the user may read, narrowed by `registry:`.
    pub registries: Vec<String>,
    /// (registry, repository prefix) of each `env:`; a tag must be in one of them.
    pub environments: Vec<(String, String)>,
    pub namespaces: Vec<String>,
    pub platforms: Vec<PlatformFilter>,
    pub pushed_after: Option<OffsetDateTime>,
    pub pushed_before: Option<OffsetDateTime>,
    pub signed: Option<bool>,
    pub digests: Vec<DigestPrefix>,
    pub layers: Vec<DigestPrefix>,
}

#[derive(Debug)]
pub(super) struct ResolvedTerm {
    pub text: String,
    pub scope: TermScope,
    pub digest: Option<DigestPrefix>,
    /// Repository-name words standing in for a term that matched nothing.
    pub corrections: Vec<String>,
}

/// Trigram FTS needs three characters; shorter words are matched by scanning the names.
const TRIGRAM: usize = 3;

/// An FTS5 query matching `word` anywhere in the text: one quoted phrase, quotes doubled.
pub(super) fn phrase(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

const COLUMNS: &str = "SELECT g.name AS registry, p.name AS repository, t.name AS tag, m.digest, m.is_index, m.total_size,
       t.updated_at AS pushed_at,
       COALESCE(m.created, (SELECT MAX(c.created) FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE mc.parent_id = m.id)) AS created,
       CASE WHEN m.is_index = 1 THEN
           (SELECT GROUP_CONCAT(c.os || '/' || c.architecture || COALESCE('/' || c.variant, ''), ', ')
            FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE mc.parent_id = m.id)
       ELSE m.os || '/' || m.architecture || COALESCE('/' || m.variant, '') END AS platforms,
       ";

const FROM: &str = "
FROM tags t
JOIN repositories p ON p.id = t.repository_id
JOIN registries g ON g.id = p.registry_id
JOIN manifests m ON m.id = t.manifest_id
WHERE ";

/// One page of hits, best first.
pub(super) fn hits(query: &Resolved, limit: i64, offset: i64) -> QueryBuilder<'_, Sqlite> {
    let mut sql = QueryBuilder::new(COLUMNS);
    push_rank(&mut sql, query);
    sql.push(" AS rank");
    sql.push(FROM);
    push_conditions(&mut sql, query);
    sql.push(" ORDER BY rank, g.name, p.name, t.name LIMIT ");
    sql.push_bind(limit);
    sql.push(" OFFSET ");
    sql.push_bind(offset);
    sql
}

pub(super) fn count(query: &Resolved) -> QueryBuilder<'_, Sqlite> {
    let mut sql = QueryBuilder::new("SELECT COUNT(*)");
    sql.push(FROM);
    push_conditions(&mut sql, query);
    sql
}

fn push_rank<'a>(sql: &mut QueryBuilder<'a, Sqlite>, query: &'a Resolved) {
    sql.push("(0");
    for term in &query.terms {
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
        sql.push(" WHEN 0");
        if on_tag {
            sql.push(" OR lower(t.name) = ").push_bind(lower);
        }
        if on_repo {
            sql.push(" OR p.name = ").push_bind(lower);
            sql.push(" OR substr('/' || p.name, -")
                .push_bind(segment_chars);
            sql.push(") = ").push_bind(segment.clone());
        }
        sql.push(" THEN 0 WHEN 0");
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

fn push_conditions<'a>(sql: &mut QueryBuilder<'a, Sqlite>, query: &'a Resolved) {
    sql.push("g.name IN (");
    let mut names = sql.separated(", ");
    for name in &query.registries {
        names.push_bind(name.as_str());
    }
    sql.push(")");
    for term in &query.terms {
        sql.push(" AND (");
        push_term_match(sql, term);
        sql.push(")");
    }
    if !query.environments.is_empty() {
        sql.push(" AND (0");
        for (registry, prefix) in &query.environments {
            sql.push(" OR (g.name = ").push_bind(registry.as_str());
            sql.push(" AND p.name >= ").push_bind(prefix.as_str());
            sql.push(" AND p.name < ").push_bind(format!("{prefix}~"));
            sql.push(")");
        }
        sql.push(")");
    }
    for namespace in &query.namespaces {
        sql.push(" AND p.name >= ")
            .push_bind(format!("{namespace}/"));
        sql.push(" AND p.name < ")
            .push_bind(format!("{namespace}/~"));
    }
    for platform in &query.platforms {
        sql.push(" AND t.manifest_id IN (");
        push_platform_set(sql, platform);
        sql.push(")");
    }
    if let Some(after) = query.pushed_after {
        sql.push(" AND t.updated_at >= ").push_bind(after);
    }
    if let Some(before) = query.pushed_before {
        sql.push(" AND t.updated_at < ").push_bind(before);
    }
    if let Some(signed) = query.signed {
        sql.push(if signed { " AND " } else { " AND NOT " });
        // cosign's tag convention: the signature of sha256:<hex> is the tag sha256-<hex>.sig.
        sql.push("EXISTS (SELECT 1 FROM tags s WHERE s.repository_id = t.repository_id AND s.name = 'sha256-' || substr(m.digest, 8) || '.sig')");
    }
    for digest in &query.digests {
        sql.push(" AND t.manifest_id IN (");
        push_digest_set(sql, digest);
        sql.push(")");
    }
    for layer in &query.layers {
        sql.push(" AND t.manifest_id IN (");
        push_layer_set(sql, layer);
        sql.push(")");
    }
}

fn push_term_match<'a>(sql: &mut QueryBuilder<'a, Sqlite>, term: &'a ResolvedTerm) {
    sql.push("0");
    if !term.corrections.is_empty() {
        let either = term
            .corrections
            .iter()
            .map(|w| phrase(w))
            .collect::<Vec<_>>()
            .join(" OR ");
        sql.push(" OR t.repository_id IN (SELECT rowid FROM repository_search WHERE repository_search MATCH ");
        sql.push_bind(either);
        sql.push(")");
        return;
    }
    let short = term.text.chars().count() < TRIGRAM;
    if term.scope != TermScope::Tag {
        if short {
            sql.push(" OR t.repository_id IN (SELECT id FROM repositories WHERE instr(name, ");
            sql.push_bind(term.text.as_str());
            sql.push(") > 0)");
        } else {
            sql.push(" OR t.repository_id IN (SELECT rowid FROM repository_search WHERE repository_search MATCH ");
            sql.push_bind(phrase(&term.text));
            sql.push(")");
        }
    }
    if term.scope != TermScope::Repository {
        if short {
            sql.push(" OR t.name IN (SELECT name FROM tag_names WHERE instr(lower(name), ");
            sql.push_bind(term.text.as_str());
            sql.push(") > 0)");
        } else {
            sql.push(" OR t.name IN (SELECT name FROM tag_names WHERE id IN (SELECT rowid FROM tag_name_search WHERE tag_name_search MATCH ");
            sql.push_bind(phrase(&term.text));
            sql.push("))");
        }
    }
    if let Some(digest) = &term.digest {
        sql.push(" OR t.manifest_id IN (");
        push_digest_set(sql, digest);
        sql.push(")");
    }
}

/// Manifests a digest names: the manifest itself, an index containing it as a platform image,
/// or an image (or the index of an image) whose config it is — `docker images` shows the latter.
fn push_digest_set<'a>(sql: &mut QueryBuilder<'a, Sqlite>, digest: &'a DigestPrefix) {
    sql.push("SELECT id FROM manifests WHERE ");
    push_range(sql, "digest", digest);
    sql.push(" UNION SELECT mc.parent_id FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE ");
    push_range(sql, "c.digest", digest);
    push_blob_users(sql, digest, "mb.position = 0");
}

/// Manifests containing layer `digest`, and the indexes of those.
fn push_layer_set<'a>(sql: &mut QueryBuilder<'a, Sqlite>, digest: &'a DigestPrefix) {
    sql.push("SELECT -1");
    push_blob_users(sql, digest, "mb.position > 0");
}

fn push_blob_users<'a>(sql: &mut QueryBuilder<'a, Sqlite>, digest: &'a DigestPrefix, role: &str) {
    sql.push(" UNION SELECT mb.manifest_id FROM manifest_blobs mb JOIN blobs b ON b.id = mb.blob_id WHERE ");
    sql.push(role).push(" AND ");
    push_range(sql, "b.digest", digest);
    sql.push(" UNION SELECT mc.parent_id FROM manifest_children mc JOIN manifest_blobs mb ON mb.manifest_id = mc.child_id JOIN blobs b ON b.id = mb.blob_id WHERE ");
    sql.push(role).push(" AND ");
    push_range(sql, "b.digest", digest);
}

fn push_range<'a>(sql: &mut QueryBuilder<'a, Sqlite>, column: &str, digest: &'a DigestPrefix) {
    sql.push(column).push(" >= ").push_bind(digest.as_str());
    sql.push(" AND ")
        .push(column)
        .push(" < ")
        .push_bind(digest.upper_bound());
}

/// Images of the platform, and indexes with such an image.
fn push_platform_set<'a>(sql: &mut QueryBuilder<'a, Sqlite>, platform: &'a PlatformFilter) {
    let conditions = |sql: &mut QueryBuilder<'a, Sqlite>, table: &str| {
        sql.push("1");
        for (column, value) in [
            ("os", &platform.os),
            ("architecture", &platform.architecture),
            ("variant", &platform.variant),
        ] {
            if let Some(value) = value {
                sql.push(format!(" AND {table}.{column} = "));
                sql.push_bind(value.as_str());
            }
        }
    };
    sql.push("SELECT id FROM manifests i WHERE ");
    conditions(sql, "i");
    sql.push(" UNION SELECT mc.parent_id FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE ");
    conditions(sql, "c");
}
