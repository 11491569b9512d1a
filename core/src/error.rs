/// What a domain operation can fail with. `Display` is safe to show to a user; the cause chain
/// of `Internal` is logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    Invalid(String),
    #[error("Wrong username or password.")]
    BadCredentials,
    #[error("Too many failed logins. Try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error("Please log in.")]
    Unauthenticated,
    #[error("Your role ({have}) may not do this; it needs {need}.")]
    Forbidden { have: String, need: String },
    /// A rule refused the operation whatever the role (e.g. promoting backwards); says which.
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0} not found.")]
    NotFound(String),
    /// A registry could not answer; the message says which and why.
    #[error("{0}")]
    Unavailable(String),
    #[error("Something went wrong on the server; the details are in its log.")]
    Internal(#[from] anyhow::Error),
}

impl DomainError {
    /// A registry's answer as the user should see it: 404 means `missing` does not exist there;
    /// anything else means the registry could not answer (the message says why).
    pub fn from_registry(
        error: crate::registry::RegistryError,
        missing: impl FnOnce() -> String,
    ) -> Self {
        match error.status() {
            Some(404) => Self::NotFound(missing()),
            _ => Self::Unavailable(error.to_string()),
        }
    }
}

impl From<sqlx::Error> for DomainError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}
