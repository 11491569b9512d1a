//! Queries are written once, in SQLite's dialect; on PostgreSQL a few SQLite functions are
//! spelled as PostgreSQL's own, here, rather than in every store:
//!
//! | SQLite                          | PostgreSQL                                              |
//! |---------------------------------|---------------------------------------------------------|
//! | `json_group_array(x)`           | `COALESCE(json_agg(x)::text, '[]')` (text, `[]` when empty) |
//! | `json_array(…)`                 | `json_build_array(…)`                                   |
//! | `json_object(…)`                | `json_build_object(…)`                                  |
//! | `json_each(x)` (arrays)         | `json_array_elements_text(CAST(x AS json))` (column `value`, text) |
//! | `instr(a, b)`                   | `strpos(a, b)`                                          |
//! | `group_concat(x, separator)`    | `string_agg(x, separator)` (give the separator: PostgreSQL has no default) |
//! | `max(a, b)` (two arguments)     | `GREATEST(a, b)`                                        |
//! | `CROSS JOIN t x ON …`           | `JOIN t x ON …` (SQLite's join-order hint; PostgreSQL refuses ON after CROSS JOIN) |
//!
//! Values from `json_each` are text on PostgreSQL: compare ids as `CAST(value AS INTEGER)`.
//! Anything else that differs is written out with `.on_postgres(…)` beside the SQLite text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// `sql` in PostgreSQL's spelling (functions above, then `?` placeholders as `$n`). Each text
/// is translated once and kept: the same few hundred texts run over and over.
pub fn to_postgres(sql: &str) -> Arc<str> {
    /// Search builds texts from its query's shape; past this many the cache starts afresh.
    const KEPT: usize = 4096;
    static TRANSLATED: OnceLock<Mutex<HashMap<String, Arc<str>>>> = OnceLock::new();
    let cache = TRANSLATED.get_or_init(Mutex::default);
    let known = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(sql)
        .cloned();
    if let Some(translated) = known {
        return translated;
    }
    let translated: Arc<str> = translate(sql).into();
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= KEPT {
        cache.clear();
    }
    cache.insert(sql.to_string(), translated.clone());
    translated
}

fn translate(sql: &str) -> String {
    let mut sql = sql.to_string();
    sql = wrap_calls(
        &sql,
        "json_group_array",
        "COALESCE(json_agg(",
        ")::text, '[]')",
    );
    sql = wrap_calls(
        &sql,
        "json_each",
        "json_array_elements_text(CAST(",
        " AS json))",
    );
    sql = rename_calls(&sql, "json_array", "json_build_array");
    sql = rename_calls(&sql, "json_object", "json_build_object");
    sql = rename_calls(&sql, "instr", "strpos");
    sql = rename_calls(&sql, "group_concat", "string_agg");
    sql = join_instead_of_cross_join_on(&sql);
    sql = two_argument_calls(&sql, "max", "GREATEST(");
    sql = two_argument_calls(&sql, "min", "LEAST(");
    super::placeholders::to_postgres(&sql)
}

/// `CROSS JOIN <table> [<alias>] ON` → `JOIN …`; a CROSS JOIN without ON stays.
fn join_instead_of_cross_join_on(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find("CROSS JOIN ") {
        let after = &rest[at + "CROSS JOIN ".len()..];
        let words: Vec<&str> = after.split_whitespace().take(3).collect();
        let has_on = words.get(1) == Some(&"ON") || words.get(2) == Some(&"ON");
        out.push_str(&rest[..at]);
        out.push_str(if has_on { "JOIN " } else { "CROSS JOIN " });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `max(a, b)` / `min(a, b)` (SQLite's two-argument scalar forms) → `GREATEST` / `LEAST`;
/// the one-argument aggregates stay.
fn two_argument_calls(sql: &str, name: &str, renamed: &str) -> String {
    let upper = name.to_uppercase();
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    loop {
        let found = [find_call(rest, name), find_call(rest, &upper)]
            .into_iter()
            .flatten()
            .min();
        let Some(start) = found else { break };
        let args_start = start + name.len() + 1;
        let two_arguments = closing_paren(&rest[args_start..])
            .is_some_and(|end| top_level_commas(&rest[args_start..args_start + end]) == 1);
        out.push_str(&rest[..start]);
        out.push_str(if two_arguments {
            renamed
        } else {
            &rest[start..args_start]
        });
        rest = &rest[args_start..];
    }
    out.push_str(rest);
    out
}

fn top_level_commas(args: &str) -> usize {
    let (mut depth, mut commas, mut quote) = (0usize, 0, None);
    for b in args.bytes() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => depth = depth.saturating_sub(1),
            (None, b',') if depth == 0 => commas += 1,
            _ => {}
        }
    }
    commas
}

/// Each call `name(args)` outside quotes becomes `before args after`.
fn wrap_calls(sql: &str, name: &str, before: &str, after: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 32);
    let mut rest = sql;
    while let Some(start) = find_call(rest, name) {
        out.push_str(&rest[..start]);
        let args_start = start + name.len() + 1;
        let Some(args_end) = closing_paren(&rest[args_start..]) else {
            break; // unbalanced: leave the rest for PostgreSQL to report
        };
        out.push_str(before);
        // Calls nest (a json_group_array of json_each…): translate inside too.
        out.push_str(&wrap_calls(
            &rest[args_start..args_start + args_end],
            name,
            before,
            after,
        ));
        out.push_str(after);
        rest = &rest[args_start + args_end + 1..];
    }
    out.push_str(rest);
    out
}

fn rename_calls(sql: &str, name: &str, renamed: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut rest = sql;
    while let Some(start) = find_call(rest, name) {
        out.push_str(&rest[..start]);
        out.push_str(renamed);
        out.push('(');
        rest = &rest[start + name.len() + 1..];
    }
    out.push_str(rest);
    out
}

/// Where `name(` starts in `sql` as a whole word outside quotes.
fn find_call(sql: &str, name: &str) -> Option<usize> {
    let bytes = sql.as_bytes();
    let mut quote = None;
    let pattern = format!("{name}(");
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, _) => {
                let word_start =
                    i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
                if word_start && sql[i..].starts_with(&pattern) {
                    return Some(i);
                }
            }
        }
    }
    None
}

/// The index of the `)` closing an argument list that starts at `args[0]`.
fn closing_paren(args: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, b) in args.bytes().enumerate() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') if depth == 0 => return Some(i),
            (None, b')') => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::translate as to_postgres;

    #[test]
    fn json_aggregates_become_text_and_an_empty_set_an_empty_array() {
        assert_eq!(
            to_postgres("SELECT json_group_array(json_array(a, f(b))) FROM t WHERE c = ?"),
            "SELECT COALESCE(json_agg(json_build_array(a, f(b)))::text, '[]') FROM t WHERE c = $1"
        );
    }

    #[test]
    fn json_each_reads_a_bound_array_as_text_values() {
        assert_eq!(
            to_postgres("WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?)) AND x = ?"),
            "WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_array_elements_text(CAST($1 AS json))) AND x = $2"
        );
    }

    #[test]
    fn two_argument_max_is_greatest_and_cross_join_on_a_join() {
        assert_eq!(
            to_postgres(
                "SELECT MAX(a), max(b, MAX(c)) FROM p CROSS JOIN tags t ON t.x = p.x CROSS JOIN q"
            ),
            "SELECT MAX(a), GREATEST(b, MAX(c)) FROM p JOIN tags t ON t.x = p.x CROSS JOIN q"
        );
    }

    #[test]
    fn group_concat_with_its_separator_is_string_agg() {
        assert_eq!(
            to_postgres("SELECT group_concat(a || ';', '') FROM t"),
            "SELECT string_agg(a || ';', '') FROM t"
        );
    }

    #[test]
    fn only_whole_names_outside_quotes_are_renamed() {
        assert_eq!(
            to_postgres("SELECT instr(a, ?), my_instr(b), 'instr(c)' FROM t"),
            "SELECT strpos(a, $1), my_instr(b), 'instr(c)' FROM t"
        );
    }
}
