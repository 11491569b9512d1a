//! The `harbor` driver: garbage collection through Harbor's own API (`/api/v2.0/system/gc`),
//! a small REST client of its own (the registry client stays OCI-only). Harbor collects
//! online (no read-only window); it allows one manual run a minute.
//!
//! `POST /system/gc/schedule` `{"schedule":{"type":"Manual"},"parameters":{"dry_run",
//! "delete_untagged","workers"}}` starts a run; `GET /system/gc?sort=-creation_time` lists runs,
//! `GET /system/gc/{id}` is one (`job_status`; `job_parameters`, a JSON string, carries
//! `freed_space`, `purged_blobs`, `purged_manifests`), `GET /system/gc/{id}/log` its log,
//! `PUT /system/gc/{id}` stops it.

use super::log::RunLog;
use crate::config::{GcConfig, RegistryConfig, SharedSecrets};
use crate::registry::auth::Credentials;
use crate::DomainError;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::time::Duration;
use time::OffsetDateTime;

/// Harbor lets a manual run start once a minute.
const MIN_INTERVAL: time::Duration = time::Duration::minutes(1);
/// How often a running job is asked for its state.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// One of Harbor's GC jobs.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct HarborJob {
    pub id: i64,
    #[serde(default)]
    pub job_status: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub creation_time: Option<OffsetDateTime>,
    /// Manual or Schedule.
    #[serde(default)]
    pub job_kind: Option<String>,
    /// JSON text: the parameters it ran with, and when done what it freed.
    #[serde(default)]
    pub job_parameters: Option<String>,
}

/// What a finished job says it freed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct HarborFreed {
    #[serde(default)]
    pub freed_space: Option<u64>,
    #[serde(default)]
    pub purged_blobs: Option<u64>,
    #[serde(default)]
    pub purged_manifests: Option<u64>,
}

impl HarborJob {
    fn finished(&self) -> bool {
        matches!(
            self.job_status.to_ascii_lowercase().as_str(),
            "success" | "error" | "stopped"
        )
    }

    fn succeeded(&self) -> bool {
        self.job_status.eq_ignore_ascii_case("success")
    }

    pub fn freed(&self) -> HarborFreed {
        self.job_parameters
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }
}

pub struct HarborClient {
    http: reqwest::Client,
    base: url::Url,
    username: Option<String>,
    password: Option<secrecy::SecretString>,
    registry: String,
}

impl HarborClient {
    /// A client for the Harbor behind `registry`: its URL, CA and credentials, or the
    /// `harbor_username` / `harbor_password_env` of its `[registry.gc]`.
    pub fn new(
        registry: &RegistryConfig,
        gc: &GcConfig,
        secrets: &SharedSecrets,
    ) -> Result<Self, DomainError> {
        let endpoint = registry.endpoint(secrets).map_err(DomainError::internal)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(endpoint.tls.accept_invalid_certs);
        if let Some(pem) = &endpoint.tls.extra_root_pem {
            let certificate = reqwest::Certificate::from_pem(pem).map_err(DomainError::internal)?;
            builder = builder.add_root_certificate(certificate);
        }
        let (username, password) = match (&gc.harbor_username, &endpoint.credentials) {
            (Some(user), _) => (
                Some(user.clone()),
                gc.harbor_password_env
                    .as_deref()
                    .and_then(|var| secrets.get(var))
                    .cloned(),
            ),
            (None, Credentials::Basic { username, password }) => {
                (Some(username.clone()), Some(password.clone()))
            }
            (None, _) => (None, None),
        };
        let base = registry
            .url
            .join("api/v2.0/system/gc")
            .map_err(DomainError::internal)?;
        Ok(Self {
            http: builder.build().map_err(DomainError::internal)?,
            base,
            username,
            password,
            registry: registry.name.clone(),
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = format!("{}{path}", self.base.as_str().trim_end_matches('/'));
        let request = self
            .http
            .request(method, url)
            .header("Accept", "application/json");
        match &self.username {
            Some(user) => {
                request.basic_auth(user, self.password.as_ref().map(|p| p.expose_secret()))
            }
            None => request,
        }
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<reqwest::Response, DomainError> {
        let unavailable = |reason: String| {
            DomainError::Unavailable(format!("Harbor `{}`: {what}: {reason}", self.registry))
        };
        let response = request
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let said: String = body.chars().take(300).collect();
        Err(match status.as_u16() {
            401 | 403 => unavailable(format!(
                "HTTP {status}: the account needs Harbor's system admin or a robot with the GC permission ({said})"
            )),
            _ => unavailable(format!("HTTP {status}: {said}")),
        })
    }

    /// The latest runs, newest first.
    pub async fn history(&self, limit: u32) -> Result<Vec<HarborJob>, DomainError> {
        let path = format!("?page=1&page_size={limit}&sort=-creation_time");
        let response = self
            .send(self.request(reqwest::Method::GET, &path), "listing GC runs")
            .await?;
        response.json().await.map_err(|e| {
            DomainError::Unavailable(format!("Harbor `{}`: GC runs: {e}", self.registry))
        })
    }

    pub async fn job(&self, id: i64) -> Result<HarborJob, DomainError> {
        let response = self
            .send(
                self.request(reqwest::Method::GET, &format!("/{id}")),
                "reading a GC run",
            )
            .await?;
        response.json().await.map_err(|e| {
            DomainError::Unavailable(format!("Harbor `{}`: GC run {id}: {e}", self.registry))
        })
    }

    pub async fn log(&self, id: i64) -> Result<String, DomainError> {
        let request = self
            .request(reqwest::Method::GET, &format!("/{id}/log"))
            .header("Accept", "text/plain");
        let response = self.send(request, "reading a GC log").await?;
        Ok(response.text().await.unwrap_or_default())
    }

    pub async fn stop(&self, id: i64) -> Result<(), DomainError> {
        self.send(
            self.request(reqwest::Method::PUT, &format!("/{id}")),
            "stopping a GC run",
        )
        .await
        .map(drop)
    }

    /// Starts a manual run and returns its job. Refuses (naming the wait) within a minute of
    /// the last run, which Harbor would refuse too.
    pub async fn start(
        &self,
        dry_run: bool,
        now: OffsetDateTime,
    ) -> Result<HarborJob, DomainError> {
        let last = self.history(1).await?.into_iter().next();
        if let Some(at) = last.as_ref().and_then(|job| job.creation_time) {
            let wait = at + MIN_INTERVAL - now;
            if wait.is_positive() {
                return Err(DomainError::Conflict(format!(
                    "Harbor `{}` runs one garbage collection a minute; try again in {} s.",
                    self.registry,
                    wait.whole_seconds().max(1)
                )));
            }
        }
        let body = serde_json::json!({
            "schedule": { "type": "Manual" },
            "parameters": { "dry_run": dry_run, "delete_untagged": false, "workers": 1 },
        });
        self.send(
            self.request(reqwest::Method::POST, "/schedule").json(&body),
            "starting GC",
        )
        .await?;
        // The answer names no job: the newest one is ours.
        let newest = self.history(1).await?.into_iter().next();
        newest
            .filter(|job| last.as_ref().is_none_or(|l| l.id != job.id))
            .ok_or_else(|| {
                DomainError::Unavailable(format!(
                    "Harbor `{}` accepted the GC run but lists no new job.",
                    self.registry
                ))
            })
    }

    /// Polls job `id` until it ends, or stops it at `timeout`; then its log goes to `log`.
    pub async fn await_job(
        &self,
        id: i64,
        timeout: Duration,
        log: &mut RunLog,
    ) -> Result<HarborJob, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        let job = loop {
            let job = self.job(id).await.map_err(|e| e.to_string())?;
            if job.finished() {
                break Ok(job);
            }
            if tokio::time::Instant::now() >= deadline {
                let stopped = self.stop(id).await;
                log.line(&format!(
                    "timed out: asked Harbor to stop job {id} ({stopped:?})"
                ));
                break Err(format!("collect timed out after {} s", timeout.as_secs()));
            }
            tokio::time::sleep(POLL_EVERY).await;
        };
        match self.log(id).await {
            Ok(text) => text.lines().for_each(|line| log.line(line)),
            Err(error) => log.line(&format!("(Harbor's log could not be read: {error})")),
        }
        let job = job?;
        match job.succeeded() {
            true => Ok(job),
            false => Err(format!("Harbor's GC job {id} ended {}", job.job_status)),
        }
    }
}
