//! `WWW-Authenticate` parsing (RFC 7235 §4.1, RFC 6750 §3): schemes with `key=value` or
//! `key="quoted, with commas"` parameters, several challenges in one header.

use std::collections::BTreeMap;

/// One challenge: the scheme (lowercased) and its parameters (keys lowercased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

/// Every challenge in a header value. Malformed parts are skipped rather than failing the
/// whole header: registries in the wild send odd spacing and stray commas.
pub fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut lexer = Lexer { rest: header };
    let mut challenges: Vec<Challenge> = Vec::new();
    while let Some(word) = lexer.token() {
        lexer.skip_space();
        if lexer.peek() == Some('=') {
            // `key=value` belongs to the challenge being read.
            lexer.bump();
            lexer.skip_space();
            let value = lexer.value().unwrap_or_default();
            if let Some(current) = challenges.last_mut() {
                current.params.insert(word.to_ascii_lowercase(), value);
            }
        } else {
            challenges.push(Challenge {
                scheme: word.to_ascii_lowercase(),
                params: BTreeMap::new(),
            });
        }
        lexer.skip_separators();
    }
    challenges
}

struct Lexer<'a> {
    rest: &'a str,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.rest = &self.rest[c.len_utf8()..];
        Some(c)
    }

    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn skip_separators(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t', ',']);
    }

    /// An RFC 7230 token (plus `/` and `=`-free token68 characters as registries use them).
    fn token(&mut self) -> Option<String> {
        self.skip_separators();
        let end = self
            .rest
            .find(|c: char| c.is_whitespace() || c == ',' || c == '=' || c == '"')
            .unwrap_or(self.rest.len());
        if end == 0 {
            // Not a token start: drop one character so the loop always advances.
            self.bump()?;
            return self.token();
        }
        let token = self.rest[..end].to_string();
        self.rest = &self.rest[end..];
        Some(token)
    }

    /// A quoted string (with `\` escapes) or a bare token.
    fn value(&mut self) -> Option<String> {
        if self.peek() != Some('"') {
            let end = self.rest.find([',', ' ', '\t']).unwrap_or(self.rest.len());
            let value = self.rest[..end].to_string();
            self.rest = &self.rest[end..];
            return Some(value);
        }
        self.bump();
        let mut value = String::new();
        while let Some(c) = self.bump() {
            match c {
                '"' => return Some(value),
                '\\' => value.extend(self.bump()),
                c => value.push(c),
            }
        }
        Some(value) // unterminated: keep what we have
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_docker_hub_style_bearer_challenge() {
        let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#;
        let challenges = parse_challenges(header);
        assert_eq!(challenges.len(), 1);
        let bearer = &challenges[0];
        assert_eq!(bearer.scheme, "bearer");
        assert_eq!(bearer.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(bearer.param("service"), Some("registry.docker.io"));
        assert_eq!(
            bearer.param("scope"),
            Some("repository:library/alpine:pull")
        );
    }

    #[test]
    fn quoted_commas_escapes_and_several_scopes() {
        let header = r#"Bearer realm="https://r/t?a=1,b=2", scope="repository:a:pull,push repository:b:pull", error="insufficient_scope", note="say \"hi\"""#;
        let bearer = &parse_challenges(header)[0];
        assert_eq!(bearer.param("realm"), Some("https://r/t?a=1,b=2"));
        assert_eq!(
            bearer.param("scope"),
            Some("repository:a:pull,push repository:b:pull")
        );
        assert_eq!(bearer.param("error"), Some("insufficient_scope"));
        assert_eq!(bearer.param("note"), Some("say \"hi\""));
    }

    #[test]
    fn several_challenges_in_one_header_and_odd_spacing() {
        let header =
            r#"Basic realm="Registry Realm" ,  Bearer  realm = "https://a/token" , service=reg"#;
        let challenges = parse_challenges(header);
        let schemes: Vec<_> = challenges.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["basic", "bearer"]);
        assert_eq!(challenges[0].param("realm"), Some("Registry Realm"));
        assert_eq!(challenges[1].param("realm"), Some("https://a/token"));
        assert_eq!(challenges[1].param("service"), Some("reg"));
    }

    #[test]
    fn garbage_never_panics() {
        for header in [
            "",
            ",,,",
            "=",
            "\"",
            "Bearer realm=\"unterminated",
            "Bearer ==,=\"",
            "ä=ö, ü",
        ] {
            let _ = parse_challenges(header);
        }
        assert_eq!(parse_challenges("Basic")[0].scheme, "basic");
    }
}
