use std::fmt;

/// A dashboard login name: 1–64 characters of lowercase letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() || name.len() > 64 {
            return Err("a username has 1 to 64 characters".into());
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if let Some(bad) = name.chars().find(|c| !allowed(*c)) {
            return Err(format!(
                "`{name}` is not a valid username: `{bad}` is not allowed (use a-z, 0-9, . _ -)"
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn usernames_accept_the_usual_shapes() {
        for ok in ["admin", "jane.doe", "ci-bot_2"] {
            assert_eq!(Username::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn usernames_reject_uppercase_spaces_and_empty_with_a_reason() {
        assert!(Username::parse("Admin")
            .unwrap_err()
            .contains("`A` is not allowed"));
        assert!(Username::parse("a b")
            .unwrap_err()
            .contains("` ` is not allowed"));
        assert!(Username::parse("  ").unwrap_err().contains("1 to 64"));
    }
}
