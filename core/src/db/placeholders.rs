//! Queries are written once, with SQLite's `?` / `?N` placeholders; PostgreSQL wants `$N`.

/// `sql` with each `?` numbered in order and each `?N` written `$N`, leaving quoted text and
/// identifiers alone.
pub fn to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 0;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                        out.push(digit);
                    }
                } else {
                    next += 1;
                    out.push_str(&next.to_string());
                }
            }
            (None, c) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_postgres;

    #[test]
    fn numbers_bare_placeholders_and_keeps_numbered_ones() {
        assert_eq!(
            to_postgres("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"
        );
        assert_eq!(
            to_postgres("UPDATE t SET a = ?2 WHERE id = ?1 OR id = ?1"),
            "UPDATE t SET a = $2 WHERE id = $1 OR id = $1"
        );
    }

    #[test]
    fn leaves_question_marks_in_quotes_alone() {
        assert_eq!(
            to_postgres("SELECT '?', \"a?\" FROM t WHERE x = ? AND y = 'it''s ?'"),
            "SELECT '?', \"a?\" FROM t WHERE x = $1 AND y = 'it''s ?'"
        );
    }
}
