//! Sending one prepared request with bounded retries: connection errors, timeouts, 408, 429 and
//! 5xx (not 501) are retried for idempotent requests with exponential backoff and jitter,
//! waiting as long as `Retry-After` asks when it asks for at most `MAX_RETRY_AFTER`.

use super::error::{parse_envelope, RegistryError};
use bytes::Bytes;
use rand::Rng;
use reqwest::{header, Method, Response, StatusCode};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// The longest `Retry-After` we honour; a registry asking for more gets an error instead of a
/// request hanging for minutes.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// A request fully prepared by the caller, so it can be sent again.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub method: Method,
    pub url: url::Url,
    pub headers: header::HeaderMap,
    pub body: Option<Bytes>,
    /// The body is read as a stream of any length: bounded by the client's idle-read timeout,
    /// not by the total `request_timeout` (a big layer takes longer than 30 s to copy).
    pub streamed: bool,
}

impl Prepared {
    pub fn new(method: Method, url: url::Url) -> Self {
        Self {
            method,
            url,
            headers: header::HeaderMap::new(),
            body: None,
            streamed: false,
        }
    }

    /// GET, HEAD, PUT and DELETE are idempotent (RFC 9110 §9.2.2); POST and PATCH are not.
    pub fn streamed(mut self) -> Self {
        self.streamed = true;
        self
    }

    pub fn is_idempotent(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE
        )
    }
}

pub struct Transport {
    pub registry: String,
    pub http: reqwest::Client,
    pub policy: RetryPolicy,
    pub request_timeout: Duration,
    /// Requests sent so far, retries included (crawl cost accounting).
    pub requests: std::sync::atomic::AtomicU64,
}

impl Transport {
    /// Sends `request` with `authorization`, retrying transient failures. Non-success statuses
    /// that are not retried are returned as responses for the caller to interpret.
    pub async fn send(
        &self,
        request: &Prepared,
        authorization: Option<&header::HeaderValue>,
    ) -> Result<Response, RegistryError> {
        let mut attempt = 0;
        loop {
            let result = self.send_once(request, authorization).await;
            let retry_after = match &result {
                Ok(response) if is_transient(response.status()) => retry_after(response),
                Ok(_) => return result,
                Err(error) if error.is_retryable() => None,
                Err(_) => return result,
            };
            if !request.is_idempotent() || attempt >= self.policy.max_retries {
                return result;
            }
            let delay = match retry_after {
                Some(wait) if wait > MAX_RETRY_AFTER => return result,
                Some(wait) => wait,
                None => self.backoff(attempt),
            };
            tracing::debug!(registry = %self.registry, url = %request.url, attempt, ?delay, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        request: &Prepared,
        authorization: Option<&header::HeaderValue>,
    ) -> Result<Response, RegistryError> {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone())
            .headers(request.headers.clone());
        if !request.streamed {
            builder = builder.timeout(self.request_timeout);
        }
        if let Some(value) = authorization {
            builder = builder.header(header::AUTHORIZATION, value.clone());
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        builder
            .send()
            .await
            .map_err(|error| self.classify(error, request))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self.policy.base_delay.saturating_mul(1 << attempt.min(16));
        let capped = exponential.min(self.policy.max_delay);
        // Full jitter: spread retries of many clients (AWS architecture blog, "Exponential
        // Backoff and Jitter").
        capped.mul_f64(rand::thread_rng().gen_range(0.5..1.0))
    }

    pub fn classify(&self, error: reqwest::Error, request: &Prepared) -> RegistryError {
        let registry = self.registry.clone();
        let what = format!("{} {}", request.method, request.url.path());
        if error.is_timeout() {
            return RegistryError::Timeout {
                registry,
                after: self.request_timeout,
                what,
            };
        }
        let reason = innermost_cause(&error);
        let lower = reason.to_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
            return RegistryError::Tls { registry, reason };
        }
        if error.is_connect() || error.is_request() {
            return RegistryError::Connect { registry, reason };
        }
        RegistryError::Protocol { registry, reason }
    }
}

fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502..=599)
}

/// `Retry-After: <seconds>` or an HTTP date (RFC 9110 §10.2.3).
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response
        .headers()
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

fn innermost_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Turns an unsuccessful response into an error carrying the OCI error envelope.
pub async fn error_from_response(
    registry: &str,
    response: Response,
    scope: Option<String>,
) -> RegistryError {
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    RegistryError::Status {
        registry: registry.to_string(),
        status,
        errors: parse_envelope(&body),
        scope,
    }
}
