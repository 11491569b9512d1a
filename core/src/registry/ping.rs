//! `GET /v2/` — the API version check every registry answers (distribution-spec "end-1").

use super::RegistryClient;
use std::time::Instant;

/// What one `GET /v2/` told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCheck {
    /// 200: reachable, and our credentials (or none) are accepted.
    Ok,
    /// 401: reachable but wants credentials we did not give or that were refused. Carries the
    /// `WWW-Authenticate` challenge's scheme (`Basic` or `Bearer`).
    AuthRequired { scheme: String },
    /// Any other status.
    Unexpected { status: u16 },
    /// No HTTP answer: DNS, refused connection, TLS, timeout.
    Unreachable { reason: String },
}

#[derive(Debug, Clone)]
pub struct RegistryHealth {
    pub check: ApiCheck,
    pub latency_ms: u64,
    /// `Docker-Distribution-API-Version`, e.g. `registry/2.0`.
    pub api_version: Option<String>,
}

impl RegistryClient {
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn ping(&self) -> RegistryHealth {
        let started = Instant::now();
        let response = self.authorize(self.http.get(self.url("v2/"))).send().await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(error = %error, "registry unreachable");
                return RegistryHealth {
                    check: ApiCheck::Unreachable {
                        reason: describe(&error),
                    },
                    latency_ms,
                    api_version: None,
                };
            }
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let api_version = header("docker-distribution-api-version");
        let check = match response.status().as_u16() {
            200 => ApiCheck::Ok,
            401 => ApiCheck::AuthRequired {
                scheme: header("www-authenticate")
                    .and_then(|h| h.split_whitespace().next().map(str::to_string))
                    .unwrap_or_else(|| "unknown".into()),
            },
            status => ApiCheck::Unexpected { status },
        };
        RegistryHealth {
            check,
            latency_ms,
            api_version,
        }
    }
}

/// The innermost cause is the one that says what to fix ("Connection refused", "invalid peer
/// certificate: UnknownIssuer").
fn describe(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    format!("{kind}: {cause}")
}

impl RegistryHealth {
    /// One sentence for the dashboard: what we saw and, when it is not fine, what to do.
    pub fn summary(&self) -> String {
        let version = self
            .api_version
            .as_deref()
            .unwrap_or("no API version header");
        match &self.check {
            ApiCheck::Ok => format!("Reachable, access granted ({version}), {} ms.", self.latency_ms),
            ApiCheck::AuthRequired { scheme } => format!(
                "Reachable, but it wants {scheme} credentials that were missing or refused: \
                 set `auth` for this registry in regatta.toml."
            ),
            ApiCheck::Unexpected { status } => format!(
                "Answered HTTP {status} to GET /v2/: is the URL the registry's root (not a UI or a repository path)?"
            ),
            ApiCheck::Unreachable { reason } => format!(
                "Not reachable ({reason}). Check the URL, that the registry runs, and for TLS errors its `ca_file`."
            ),
        }
    }
}
