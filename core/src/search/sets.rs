//! The sets a search is built from, as SQL subqueries an index can serve: repositories and tag
//! names containing a word (trigram FTS, or a scan for words under three characters), manifests
//! named by a digest prefix, images containing a layer, of a platform, or signed.

use super::query::{DigestPrefix, PlatformFilter};
use super::resolved::{Resolved, ResolvedTerm};
use crate::db::QueryBuilder;

/// Trigram FTS needs three characters; shorter words are matched by scanning the names.
const TRIGRAM: usize = 3;

/// An FTS5 query matching `word` anywhere in the text: one quoted phrase, quotes doubled.
pub(super) fn phrase(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

/// A LIKE pattern matching `word` anywhere (PostgreSQL's default escape, the backslash).
fn containing(word: &str) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// `SELECT <column> FROM repositories` whose name contains any of `words` (lower-case): the
/// trigram FTS table on SQLite, the pg_trgm index on PostgreSQL.
fn push_repositories_containing_any(sql: &mut QueryBuilder, words: &[&str], column: &str) {
    let fts_column = if column == "id" { "rowid" } else { column };
    sql.on_sqlite(|sql| {
        let either: Vec<String> = words.iter().map(|w| phrase(w)).collect();
        sql.push(format!(
            "SELECT {fts_column} FROM repository_search WHERE repository_search MATCH "
        ));
        sql.push_bind(either.join(" OR "));
    });
    sql.on_postgres(|sql| {
        sql.push(format!("SELECT {column} FROM repositories r WHERE "));
        push_name_contains_any(sql, words, "r");
    });
}

/// `(<repositories alias>.name contains any of words)` on PostgreSQL. LIKE, not ILIKE:
/// repository names are lower-case (the distribution spec's grammar), as are the words, and
/// LIKE costs half as much where the planner scans (a word in 11,000 of 20,000 names).
fn push_name_contains_any(sql: &mut QueryBuilder, words: &[&str], alias: &str) {
    sql.push("(");
    let mut any = sql.separated(" OR ");
    for word in words {
        any.push(format!("{alias}.name LIKE "))
            .push_bind_unseparated(containing(word));
    }
    sql.push(")");
}

/// `<repository r matches the term>`: on SQLite `r.id IN` the FTS lookup; on PostgreSQL a
/// condition on `r.name` itself, so a word in most names is one scan of the repositories, not a
/// scan for the ids joined back to a second one.
pub(super) fn push_repository_condition(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    sql.on_sqlite(|sql| {
        sql.push("r.id IN (");
        push_repository_set(sql, term);
        sql.push(")");
    });
    sql.on_postgres(|sql| {
        if !term.corrections.is_empty() {
            let words: Vec<&str> = term.corrections.iter().map(|w| w.as_str()).collect();
            push_name_contains_any(sql, &words, "r");
        } else if term.text.chars().count() < TRIGRAM {
            sql.push("instr(r.name, ").push_bind(term.text.as_str());
            sql.push(") > 0");
        } else {
            push_name_contains_any(sql, &[term.text.as_str()], "r");
        }
    });
}

pub(super) fn push_repositories_containing(sql: &mut QueryBuilder, word: &str, column: &str) {
    push_repositories_containing_any(sql, &[word], column);
}

/// `SELECT <column> FROM tag_names` whose name contains `word`, ignoring case.
pub(super) fn push_tag_names_containing(sql: &mut QueryBuilder, word: &str, column: &str) {
    sql.on_sqlite(|sql| {
        sql.push(format!(
            "SELECT {column} FROM tag_names WHERE id IN (SELECT rowid FROM tag_name_search WHERE tag_name_search MATCH "
        ));
        sql.push_bind(phrase(word));
        sql.push(")");
    });
    sql.on_postgres(|sql| {
        sql.push(format!("SELECT {column} FROM tag_names WHERE name ILIKE "));
        sql.push_bind(containing(word));
    });
}

/// Ids of the repositories whose name contains the term (or, for a typo, one of its stand-ins).
pub(super) fn push_repository_set(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    if !term.corrections.is_empty() {
        let words: Vec<&str> = term.corrections.iter().map(|w| w.as_str()).collect();
        push_repositories_containing_any(sql, &words, "id");
    } else if term.text.chars().count() < TRIGRAM {
        sql.push("SELECT id FROM repositories WHERE instr(name, ");
        sql.push_bind(term.text.as_str());
        sql.push(") > 0");
    } else {
        push_repositories_containing(sql, &term.text, "id");
    }
}

/// Ids of the distinct tag names that contain the term.
pub(super) fn push_tag_name_set(sql: &mut QueryBuilder, term: &ResolvedTerm) {
    if term.text.chars().count() < TRIGRAM {
        sql.push("SELECT name FROM tag_names WHERE instr(lower(name), ");
        sql.push_bind(term.text.as_str());
        sql.push(") > 0");
    } else {
        push_tag_names_containing(sql, &term.text, "name");
    }
}

/// (repository, manifest) of every image with a cosign signature: by cosign's tag convention the
/// signature of sha256:<hex> is the tag sha256-<hex>.sig in the same repository. Found from the
/// few signature tags by the tag-name index.
pub(super) fn push_signed_pairs(sql: &mut QueryBuilder) {
    sql.push(
        "(SELECT s.repository_id AS repository_id, sm.id AS manifest_id FROM tags s
          JOIN repositories sr ON sr.id = s.repository_id
          JOIN manifests sm ON sm.registry_id = sr.registry_id AND sm.digest = 'sha256:' || substr(s.name, 8, 64)
          WHERE s.name >= 'sha256-' AND s.name < 'sha256.' AND s.name LIKE '%.sig')",
    );
}

/// Manifests a digest names: the manifest itself, an index containing it as a platform image,
/// or an image (or the index of an image) whose config it is — `docker images` shows the latter.
pub(super) fn push_digest_set(sql: &mut QueryBuilder, digest: &DigestPrefix) {
    sql.push("SELECT id FROM manifests WHERE ");
    push_range(sql, "digest", digest);
    sql.push(" UNION SELECT mc.parent_id FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE ");
    push_range(sql, "c.digest", digest);
    push_blob_users(sql, digest, "mb.position = 0");
}

/// Manifests containing layer `digest`, and the indexes of those.
pub(super) fn push_layer_set(sql: &mut QueryBuilder, digest: &DigestPrefix) {
    sql.push("SELECT -1");
    push_blob_users(sql, digest, "mb.position > 0");
}

pub(super) fn push_blob_users(sql: &mut QueryBuilder, digest: &DigestPrefix, role: &str) {
    sql.push(" UNION SELECT mb.manifest_id FROM manifest_blobs mb JOIN blobs b ON b.id = mb.blob_id WHERE ");
    sql.push(role).push(" AND ");
    push_range(sql, "b.digest", digest);
    sql.push(" UNION SELECT mc.parent_id FROM manifest_children mc JOIN manifest_blobs mb ON mb.manifest_id = mc.child_id JOIN blobs b ON b.id = mb.blob_id WHERE ");
    sql.push(role).push(" AND ");
    push_range(sql, "b.digest", digest);
}

pub(super) fn push_range(sql: &mut QueryBuilder, column: &str, digest: &DigestPrefix) {
    sql.push(column).push(" >= ").push_bind(digest.as_str());
    sql.push(" AND ")
        .push(column)
        .push(" < ")
        .push_bind(digest.upper_bound());
}

/// ` AND <tag t is of the platform>`: a check of the tag's own `platforms` text where the filter
/// is one piece of it, else through the manifests.
pub(super) fn push_platform_condition(sql: &mut QueryBuilder, platform: &PlatformFilter) {
    match platform_text(platform) {
        Some(text) => {
            sql.push(" AND instr(t.platforms, ").push_bind(text);
            sql.push(") > 0");
        }
        None => {
            sql.push(" AND t.manifest_id IN (");
            push_platform_set(sql, platform);
            sql.push(")");
        }
    }
}

/// What a tag's `platforms` (`;os/arch/variant;` per platform, see `image_platforms!`) contains
/// when one of its platforms is the filter's; none for an OS and a variant without the
/// architecture between them, which no single piece of the text shows.
fn platform_text(platform: &PlatformFilter) -> Option<String> {
    let PlatformFilter {
        os,
        architecture,
        variant,
    } = platform;
    Some(match (os, architecture, variant) {
        (Some(os), None, None) => format!(";{os}/"),
        (None, Some(arch), None) => format!("/{arch}/"),
        (Some(os), Some(arch), None) => format!(";{os}/{arch}/"),
        (None, Some(arch), Some(variant)) => format!("/{arch}/{variant};"),
        (Some(os), Some(arch), Some(variant)) => format!(";{os}/{arch}/{variant};"),
        (_, None, Some(_)) | (None, None, None) => return None,
    })
}

/// Images of the platform, and indexes with such an image.
pub(super) fn push_platform_set(sql: &mut QueryBuilder, platform: &PlatformFilter) {
    // UNION ALL: `IN` builds its own lookup table, so removing duplicates first is wasted work.
    sql.push("SELECT id FROM manifests i WHERE ");
    push_platform_match(sql, platform, "i");
    sql.push(" UNION ALL SELECT mc.parent_id FROM manifest_children mc JOIN manifests c ON c.id = mc.child_id WHERE ");
    push_platform_match(sql, platform, "c");
}

pub(super) fn push_platform_match(sql: &mut QueryBuilder, platform: &PlatformFilter, table: &str) {
    let mut first = true;
    for (column, value) in [
        ("os", &platform.os),
        ("architecture", &platform.architecture),
        ("variant", &platform.variant),
    ] {
        if let Some(value) = value {
            let and = if std::mem::take(&mut first) {
                ""
            } else {
                " AND "
            };
            sql.push(format!("{and}{table}.{column} = "));
            sql.push_bind(value.as_str());
        }
    }
}

/// `SELECT id FROM registries WHERE name IN (…)`: the registries searched.
pub(super) fn push_registry_ids(sql: &mut QueryBuilder, query: &Resolved) {
    sql.push("SELECT id FROM registries WHERE name IN (");
    let mut names = sql.separated(", ");
    for name in &query.registries {
        names.push_bind(name.as_str());
    }
    sql.push(")");
}
