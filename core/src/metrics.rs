//! Every Prometheus metric Regatta records, named here (Prometheus conventions, `regatta_`
//! prefix, base units). The domain calls these as things happen; gauges are set by the jobs
//! (crawl, snapshot), so a scrape reads memory and never counts rows. Without an installed
//! recorder (the CLI, tests of the domain) they cost a no-op.

use metrics::{
    counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit,
};
use std::time::Duration;

/// Descriptions for `/metrics` (`# HELP` lines); called once when the exporter is installed.
pub fn describe() {
    describe_counter!(
        "regatta_http_requests_total",
        "HTTP requests answered, by route, method and status."
    );
    describe_histogram!(
        "regatta_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by route and method."
    );
    describe_gauge!(
        "regatta_registry_up",
        "1 when the registry answered its last check with working credentials, else 0."
    );
    describe_gauge!(
        "regatta_registry_latency_seconds",
        Unit::Seconds,
        "The registry's answer time at its last check."
    );
    describe_histogram!(
        "regatta_crawl_duration_seconds",
        Unit::Seconds,
        "Time a crawl of the registry took."
    );
    describe_counter!(
        "regatta_crawl_errors_total",
        "Crawls that failed, or read some repositories not."
    );
    describe_gauge!(
        "regatta_crawl_last_success_timestamp_seconds",
        Unit::Seconds,
        "When the registry's last complete crawl finished (Unix time)."
    );
    describe_gauge!(
        "regatta_index_repositories",
        "Repositories of the registry in the index."
    );
    describe_gauge!("regatta_index_tags", "Tags of the registry in the index.");
    describe_counter!(
        "regatta_promotions_total",
        "Promotions finished, by result."
    );
    describe_histogram!(
        "regatta_promotion_duration_seconds",
        Unit::Seconds,
        "Time a promotion's copy took."
    );
    describe_counter!(
        "regatta_promotion_bytes_total",
        Unit::Bytes,
        "Bytes copied by promotions (mounted blobs move none)."
    );
    describe_counter!(
        "regatta_tag_deletions_total",
        "Tags a deletion or retention run dealt with, by result."
    );
    describe_counter!(
        "regatta_gc_runs_total",
        "Garbage collections, by registry and result."
    );
    describe_counter!(
        "regatta_gc_freed_bytes_total",
        Unit::Bytes,
        "Bytes garbage collection freed, by registry."
    );
    describe_gauge!(
        "regatta_storage_stored_bytes",
        Unit::Bytes,
        "Bytes stored (each blob once), by registry and environment, at the last snapshot."
    );
    describe_gauge!(
        "regatta_storage_exclusive_bytes",
        Unit::Bytes,
        "Bytes only this registry or environment holds, at the last snapshot."
    );
    describe_counter!(
        "regatta_webhook_deliveries_total",
        "Webhook delivery attempts, by state."
    );
    describe_counter!(
        "regatta_logins_total",
        "Logins, by result (success, failure, throttled)."
    );
}

pub fn http_request(route: &str, method: &str, status: u16, took: Duration) {
    let labels = [("route", route.to_string()), ("method", method.to_string())];
    let mut counted = labels.to_vec();
    counted.push(("status", status.to_string()));
    counter!("regatta_http_requests_total", &counted).increment(1);
    histogram!("regatta_http_request_duration_seconds", &labels).record(took.as_secs_f64());
}

pub fn registry_checked(registry: &str, up: bool, latency: Duration) {
    let labels = [("registry", registry.to_string())];
    gauge!("regatta_registry_up", &labels).set(if up { 1.0 } else { 0.0 });
    gauge!("regatta_registry_latency_seconds", &labels).set(latency.as_secs_f64());
}

/// A crawl ended; `index` is (repositories, tags) when it completed.
pub fn crawl_finished(
    registry: &str,
    took: Duration,
    failed: bool,
    index: Option<(usize, usize)>,
    at_unix: i64,
) {
    let labels = [("registry", registry.to_string())];
    histogram!("regatta_crawl_duration_seconds", &labels).record(took.as_secs_f64());
    if failed {
        counter!("regatta_crawl_errors_total", &labels).increment(1);
    } else {
        gauge!("regatta_crawl_last_success_timestamp_seconds", &labels).set(at_unix as f64);
    }
    if let Some((repositories, tags)) = index {
        gauge!("regatta_index_repositories", &labels).set(repositories as f64);
        gauge!("regatta_index_tags", &labels).set(tags as f64);
    }
}

pub fn promotion_finished(succeeded: bool, took: Duration, bytes: u64) {
    let result = if succeeded { "succeeded" } else { "failed" };
    counter!("regatta_promotions_total", "result" => result).increment(1);
    histogram!("regatta_promotion_duration_seconds").record(took.as_secs_f64());
    counter!("regatta_promotion_bytes_total").increment(bytes);
}

pub fn tags_deleted(deleted: usize, skipped: usize, failed: usize) {
    for (result, n) in [
        ("deleted", deleted),
        ("skipped", skipped),
        ("failed", failed),
    ] {
        counter!("regatta_tag_deletions_total", "result" => result).increment(n as u64);
    }
}

pub fn gc_finished(registry: &str, succeeded: bool, freed_bytes: u64) {
    let result = if succeeded { "succeeded" } else { "failed" };
    counter!("regatta_gc_runs_total", "registry" => registry.to_string(), "result" => result)
        .increment(1);
    counter!("regatta_gc_freed_bytes_total", "registry" => registry.to_string())
        .increment(freed_bytes);
}

/// Storage at a snapshot: `environment` is `None` for the whole registry.
pub fn storage(registry: &str, environment: Option<&str>, stored: u64, exclusive: u64) {
    let labels = [
        ("registry", registry.to_string()),
        ("environment", environment.unwrap_or("").to_string()),
    ];
    gauge!("regatta_storage_stored_bytes", &labels).set(stored as f64);
    gauge!("regatta_storage_exclusive_bytes", &labels).set(exclusive as f64);
}

/// `delivered`, `retrying` or `failed`.
pub fn webhook_delivery(state: &'static str) {
    counter!("regatta_webhook_deliveries_total", "state" => state).increment(1);
}

/// `success`, `failure` or `throttled`.
pub fn login(result: &'static str) {
    counter!("regatta_logins_total", "result" => result).increment(1);
}
