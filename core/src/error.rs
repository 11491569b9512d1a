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
    /// The state of things does not allow it now (a tag moved, blobs were collected); says why.
    #[error("{0}")]
    Conflict(String),
    /// A registry could not answer; the message says which and why.
    #[error("{0}")]
    Unavailable(String),
    #[error("Something went wrong on the server; the details are in its log.")]
    Internal(#[from] anyhow::Error),
}

impl DomainError {
    /// The HTTP status this error means, for the pages, the server functions, the webhook
    /// receiver and the JSON API alike.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Invalid(_) => 400,
            Self::BadCredentials | Self::Unauthenticated => 401,
            Self::Forbidden { .. } | Self::NotAllowed(_) => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Throttled { .. } => 429,
            Self::Unavailable(_) => 502,
            Self::Internal(_) => 500,
        }
    }

    /// What the user sees. For an internal error that is a generic sentence; the cause is
    /// logged here, once, so every caller that shows the message has logged it.
    pub fn user_message(&self) -> String {
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        self.to_string()
    }

    /// An unexpected failure, for causes that are not already an `anyhow::Error`.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::anyhow!("{cause}"))
    }

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
