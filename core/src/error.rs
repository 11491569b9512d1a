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

impl From<sqlx::Error> for DomainError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}
