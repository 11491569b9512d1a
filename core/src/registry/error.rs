//! One error type for everything the registry client does, carrying what the registry said
//! (the OCI error envelope, distribution-spec "Error Codes") and a message a user can act on.

use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// One entry of `{"errors": [{"code", "message", "detail"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OciError {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Envelope {
    errors: Vec<OciError>,
}

/// Parses an error body; anything that is not an OCI envelope gives an empty list.
pub fn parse_envelope(body: &[u8]) -> Vec<OciError> {
    serde_json::from_slice::<Envelope>(body)
        .map(|e| e.errors)
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry answered with an error status.
    #[error("{}", status_message(.registry, .status, .errors, .scope.as_deref()))]
    Status {
        registry: String,
        status: u16,
        errors: Vec<OciError>,
        /// The access we asked for (`repository:dev/app:pull,push`) when it was refused.
        scope: Option<String>,
    },
    #[error("registry `{registry}` did not answer within {after:?} ({what})")]
    Timeout {
        registry: String,
        after: Duration,
        what: String,
    },
    #[error("registry `{registry}`: TLS failed ({reason}). If it uses a private CA, set `ca_file` for it in regatta.toml")]
    Tls { registry: String, reason: String },
    #[error("registry `{registry}` is unreachable: {reason}")]
    Connect { registry: String, reason: String },
    #[error("registry `{registry}` sent something we cannot use: {reason}")]
    Protocol { registry: String, reason: String },
    #[error("registry `{registry}`: the content of {reference} does not match its digest (expected {expected}, got {actual})")]
    DigestMismatch {
        registry: String,
        reference: String,
        expected: String,
        actual: String,
    },
    #[error("registry `{registry}`: authentication failed: {reason}")]
    Auth { registry: String, reason: String },
    #[error(transparent)]
    Reference(#[from] super::reference::ReferenceError),
}

impl RegistryError {
    /// Worth retrying an idempotent request: connection trouble, timeouts, 408, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            RegistryError::Status { status, .. } => {
                matches!(status, 408 | 429 | 500..=599) && *status != 501
            }
            RegistryError::Timeout { .. } | RegistryError::Connect { .. } => true,
            _ => false,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            RegistryError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the registry said this with an OCI error `code` (e.g. `MANIFEST_UNKNOWN`).
    pub fn has_code(&self, code: &str) -> bool {
        matches!(self, RegistryError::Status { errors, .. } if errors.iter().any(|e| e.code == code))
    }
}

fn status_message(
    registry: &str,
    status: &u16,
    errors: &[OciError],
    scope: Option<&str>,
) -> String {
    let said = if errors.is_empty() {
        String::new()
    } else {
        let codes: Vec<String> = errors
            .iter()
            .map(|e| format!("{} ({})", e.code, e.message))
            .collect();
        format!(": {}", codes.join("; "))
    };
    let hint = match (status, scope) {
        (401 | 403, Some(scope)) => {
            format!(" — requested access to the resource is denied: the registry refused scope `{scope}`; check the credentials' permissions")
        }
        (401, None) => " — check the credentials configured for this registry".to_string(),
        (404, _) => " — it does not exist (or is hidden from these credentials)".to_string(),
        (429, _) => " — the registry is rate limiting; try again later".to_string(),
        _ => String::new(),
    };
    format!("registry `{registry}` answered HTTP {status}{said}{hint}")
}

impl fmt::Display for OciError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oci_envelope_is_parsed_and_named_in_the_message() {
        let body = br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":null}]}"#;
        let error = RegistryError::Status {
            registry: "ci".into(),
            status: 403,
            errors: parse_envelope(body),
            scope: Some("repository:prod/app:delete".into()),
        };
        assert!(error.has_code("DENIED") && !error.is_retryable());
        let message = error.to_string();
        assert!(
            message.contains("HTTP 403: DENIED (requested access"),
            "{message}"
        );
        assert!(
            message.contains("refused scope `repository:prod/app:delete`"),
            "{message}"
        );
    }

    #[test]
    fn retryable_errors_are_transient_ones() {
        let status = |status| RegistryError::Status {
            registry: "r".into(),
            status,
            errors: vec![],
            scope: None,
        };
        assert!(
            status(429).is_retryable() && status(503).is_retryable() && status(408).is_retryable()
        );
        assert!(
            !status(501).is_retryable()
                && !status(404).is_retryable()
                && !status(401).is_retryable()
        );
        assert!(parse_envelope(b"<html>").is_empty());
    }
}
