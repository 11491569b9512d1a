use std::fmt;

/// An access scope in the docker token grammar: `repository:dev/app:pull,push` or
/// `registry:catalog:*`. The empty scope asks for a token that only proves who we are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Scope(String);

impl Scope {
    pub fn none() -> Self {
        Self(String::new())
    }

    pub fn catalog() -> Self {
        Self("registry:catalog:*".into())
    }

    pub fn pull(repo: &str) -> Self {
        Self(format!("repository:{repo}:pull"))
    }

    pub fn push(repo: &str) -> Self {
        Self(format!("repository:{repo}:pull,push"))
    }

    pub fn delete(repo: &str) -> Self {
        Self(format!("repository:{repo}:delete"))
    }

    /// Several scopes at once (a cross-repository mount needs pull on the source).
    pub fn join(scopes: &[Scope]) -> Self {
        let mut parts: Vec<&str> = scopes
            .iter()
            .map(Scope::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        parts.sort_unstable();
        parts.dedup();
        Self(parts.join(" "))
    }

    pub fn from_raw(raw: &str) -> Self {
        Self(raw.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each space-separated scope, as the token endpoint wants them (`scope=` repeated).
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|s| !s.is_empty())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
