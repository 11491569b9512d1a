//! `GET /v2/` — the API version check every registry answers (distribution-spec "end-1"),
//! authenticated the way real requests are, so "access granted" means our credentials work.

use super::auth::{parse_challenges, Scope};
use super::error::RegistryError;
use super::transport::Prepared;
use super::RegistryClient;
use reqwest::{header, Method};
use std::time::Instant;

/// What one `GET /v2/` told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCheck {
    /// 200: reachable, and our credentials (or none) are accepted.
    Ok,
    /// Reachable but wants credentials we did not give or that were refused. Carries the
    /// challenge's scheme (`Basic` or `Bearer`) and, when a token was refused, why.
    AuthRequired {
        scheme: String,
        reason: Option<String>,
    },
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
        let result = self
            .send(Prepared::new(Method::GET, self.url("v2/")), &Scope::none())
            .await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(%error, "registry check failed");
                let check = match error {
                    RegistryError::Auth { reason, .. } => ApiCheck::AuthRequired {
                        scheme: "Bearer".into(),
                        reason: Some(reason),
                    },
                    RegistryError::Connect { reason, .. } => ApiCheck::Unreachable {
                        reason: format!("cannot connect: {reason}"),
                    },
                    RegistryError::Tls { reason, .. } => ApiCheck::Unreachable {
                        reason: format!("TLS: {reason}"),
                    },
                    other => ApiCheck::Unreachable {
                        reason: other.to_string(),
                    },
                };
                return RegistryHealth {
                    check,
                    latency_ms,
                    api_version: None,
                };
            }
        };
        let header_value = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let api_version = header_value(header::HeaderName::from_static(
            "docker-distribution-api-version",
        ));
        let check = match response.status().as_u16() {
            200 => ApiCheck::Ok,
            401 => ApiCheck::AuthRequired {
                scheme: header_value(header::WWW_AUTHENTICATE)
                    .and_then(|h| parse_challenges(&h).into_iter().next())
                    .map(|c| capitalize(&c.scheme))
                    .unwrap_or_else(|| "unknown".into()),
                reason: None,
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

fn capitalize(scheme: &str) -> String {
    let mut chars = scheme.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// How usable a registry is, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthLevel {
    Ok,
    /// Reachable, but not usable as configured (credentials, not a registry).
    Warning,
    Down,
}

impl HealthLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Down => "down",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Ok, Self::Warning, Self::Down]
            .into_iter()
            .find(|level| level.as_str() == text)
    }
}

impl RegistryHealth {
    pub fn level(&self) -> HealthLevel {
        match self.check {
            ApiCheck::Ok => HealthLevel::Ok,
            ApiCheck::AuthRequired { .. } | ApiCheck::Unexpected { .. } => HealthLevel::Warning,
            ApiCheck::Unreachable { .. } => HealthLevel::Down,
        }
    }

    /// One sentence for the dashboard: what we saw and, when it is not fine, what to do.
    pub fn summary(&self) -> String {
        let version = self
            .api_version
            .as_deref()
            .unwrap_or("no API version header");
        match &self.check {
            ApiCheck::Ok => format!("Reachable, access granted ({version}), {} ms.", self.latency_ms),
            ApiCheck::AuthRequired { scheme, reason } => format!(
                "Reachable, but it wants {scheme} credentials that were missing or refused{}: \
                 set `auth` for this registry in regatta.toml.",
                reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
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
