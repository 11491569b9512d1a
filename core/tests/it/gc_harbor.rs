//! The `harbor` garbage collection driver against an in-process fake of Harbor's GC API. No
//! Harbor can run here, so this fake follows the documented answers (Harbor 2.x
//! `/api/v2.0/system/gc`: schedule, list, job, log, stop; Basic auth; one manual run a
//! minute): run, poll, log, stop on timeout, the once-a-minute limit, a refused account.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use end2end::settings::{Gc, Registry};
use end2end::SettingsFile;
use regatta_core::audit::Actor;
use regatta_core::clock::ManualClock;
use regatta_core::gc::{self, GcRequest};
use regatta_core::users::{Role, User};
use regatta_core::Services;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

const USER: &str = "admin";
const PASSWORD: &str = "Harbor12345";
const FREED: u64 = 123_456;

#[derive(Debug, Clone)]
struct Job {
    id: i64,
    status: &'static str,
    created: OffsetDateTime,
    dry_run: bool,
    reads: u32,
}

#[derive(Debug, Default)]
struct Fake {
    jobs: Vec<Job>,
    /// Jobs never finish (to test the timeout and stop).
    hang: bool,
    stopped: Vec<i64>,
    started_with: Vec<serde_json::Value>,
}

type Shared = Arc<Mutex<Fake>>;

fn authorized(headers: &HeaderMap) -> bool {
    use base64::Engine;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {expected}"))
}

fn unauthorized() -> axum::response::Response {
    let body = serde_json::json!({"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized"}]});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn job_json(job: &Job) -> serde_json::Value {
    let mut parameters = serde_json::json!({
        "dry_run": job.dry_run, "delete_untagged": false, "workers": 1,
    });
    if job.status == "Success" {
        parameters["freed_space"] = FREED.into();
        parameters["purged_blobs"] = 7.into();
        parameters["purged_manifests"] = 2.into();
    }
    let format = time::format_description::well_known::Rfc3339;
    serde_json::json!({
        "id": job.id,
        "job_name": "GARBAGE_COLLECTION",
        "job_kind": "MANUAL",
        "job_status": job.status,
        "job_parameters": parameters.to_string(),
        "creation_time": job.created.format(&format).unwrap(),
        "update_time": job.created.format(&format).unwrap(),
    })
}

async fn schedule(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> axum::response::Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let mut fake = fake.lock().unwrap();
    let now = OffsetDateTime::now_utc();
    if fake
        .jobs
        .last()
        .is_some_and(|j| now - j.created < time::Duration::minutes(1))
    {
        let body = serde_json::json!({"errors": [{"code": "PRECONDITION",
            "message": "the interval between two GC jobs must be at least 1 minute"}]});
        return (StatusCode::PRECONDITION_FAILED, Json(body)).into_response();
    }
    let id = fake.jobs.len() as i64 + 1;
    let dry_run = body["parameters"]["dry_run"].as_bool().unwrap_or(false);
    fake.started_with.push(body);
    fake.jobs.push(Job {
        id,
        status: "Pending",
        created: now,
        dry_run,
        reads: 0,
    });
    StatusCode::CREATED.into_response()
}

async fn list(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> axum::response::Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let size: usize = query
        .get("page_size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let fake = fake.lock().unwrap();
    let newest: Vec<_> = fake.jobs.iter().rev().take(size).map(job_json).collect();
    Json(newest).into_response()
}

/// Each read moves a job on: Pending → Running → Success (unless the fake hangs).
async fn job(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> axum::response::Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let mut fake = fake.lock().unwrap();
    let hang = fake.hang;
    let Some(job) = fake.jobs.iter_mut().find(|j| j.id == id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    job.reads += 1;
    job.status = match (job.status, job.reads, hang) {
        ("Stopped", _, _) => "Stopped",
        (_, 1, _) => "Pending",
        (_, _, true) | (_, 2, _) => "Running",
        _ => "Success",
    };
    Json(job_json(job)).into_response()
}

async fn stop(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> axum::response::Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let mut fake = fake.lock().unwrap();
    fake.stopped.push(id);
    if let Some(job) = fake.jobs.iter_mut().find(|j| j.id == id) {
        job.status = "Stopped";
    }
    StatusCode::OK.into_response()
}

async fn log(Path(id): Path<i64>) -> String {
    format!("2026-12-05T03:00:00Z [INFO] start to run gc in job {id}\n2026-12-05T03:00:01Z [INFO] 7 blobs and 2 manifests eligible for deletion\n")
}

async fn fake_harbor(hang: bool) -> (url::Url, Shared) {
    let shared: Shared = Arc::new(Mutex::new(Fake {
        hang,
        ..Fake::default()
    }));
    let router = Router::new()
        .route("/api/v2.0/system/gc/schedule", post(schedule))
        .route("/api/v2.0/system/gc", get(list))
        .route("/api/v2.0/system/gc/{id}", get(job).put(stop))
        .route("/api/v2.0/system/gc/{id}/log", get(log))
        .with_state(shared.clone());
    (crate::registry_faults::serve(router).await, shared)
}

async fn services_on(
    url: &url::Url,
    password: &str,
    timeout: Option<u64>,
) -> (tempfile::TempDir, Services) {
    let gc = Gc {
        kind: "harbor".into(),
        maintenance_on: None,
        collect: None,
        maintenance_off: None,
        collect_timeout_seconds: timeout,
        storage_path: None,
        untagged_grace_hours: None,
        writes_wait_seconds: None,
    };
    crate::start_services(
        SettingsFile::new().registry(
            Registry::new("harbor", url)
                .basic_auth(USER, password)
                .gc(gc),
        ),
    )
    .await
}

fn admin() -> Actor {
    Actor::new(User::not_stored("root", Role::Admin), "test")
}

fn request(dry_run: bool) -> GcRequest {
    GcRequest {
        registry: "harbor".into(),
        dry_run,
        untagged: false,
        trigger: None,
    }
}

#[tokio::test]
async fn a_run_is_started_followed_and_its_figures_and_log_recorded() {
    let (url, fake) = fake_harbor(false).await;
    let (_dir, mut services) = services_on(&url, PASSWORD, None).await;
    let report = gc::run(&services, &admin(), &request(false)).await.unwrap();
    let run = &report.run;
    assert_eq!(run.status, "done", "{:?}", run.error);
    assert_eq!(run.bytes_freed, Some(FREED as i64));
    assert_eq!(run.blobs_deleted, Some(7));
    assert_eq!(run.read_only_ms, None, "Harbor collects online");
    let (_, log) = gc::run_details(&services, &admin().user, run.id)
        .await
        .unwrap();
    assert!(log.contains("Harbor GC job 1 started"), "{log}");
    assert!(
        log.contains("start to run gc in job 1"),
        "Harbor's own log: {log}"
    );
    let body = fake.lock().unwrap().started_with[0].clone();
    assert_eq!(body["schedule"]["type"], "Manual");
    assert_eq!(
        body["parameters"]["delete_untagged"], false,
        "never Harbor's own"
    );

    let jobs = gc::harbor_history(&services, &admin().user, "harbor", 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1, "Harbor's own list");
    assert_eq!(
        (jobs[0].job_status.as_str(), jobs[0].job_kind.as_deref()),
        ("Success", Some("MANUAL"))
    );
    assert_eq!(jobs[0].freed().freed_space, Some(FREED));

    // Within the minute: refused with the wait, not sent to Harbor.
    let again = gc::run(&services, &admin(), &request(true)).await.unwrap();
    let error = again.run.error.unwrap();
    assert!(
        error.contains("one garbage collection a minute; try again in"),
        "{error}"
    );
    assert_eq!(fake.lock().unwrap().jobs.len(), 1);

    // A minute later by Regatta's clock, it asks; the fake keeps Harbor's own minute (real
    // time) and refuses: Regatta reports what Harbor said.
    let later = OffsetDateTime::now_utc() + time::Duration::seconds(61);
    services.clock = Arc::new(ManualClock::new(later));
    let dry = gc::run(&services, &admin(), &request(true)).await;
    let error = dry.unwrap().run.error.unwrap();
    assert!(
        error.contains("HTTP 412") && error.contains("at least 1 minute"),
        "{error}"
    );
    let history = gc::history(&services, &admin().user, Some("harbor"), 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
}

#[tokio::test]
async fn a_run_past_its_timeout_is_stopped_and_recorded_failed() {
    let (url, fake) = fake_harbor(true).await;
    let (_dir, services) = services_on(&url, PASSWORD, Some(1)).await;
    let report = gc::run(&services, &admin(), &request(false)).await.unwrap();
    assert_eq!(report.run.status, "failed");
    assert_eq!(
        report.run.error.as_deref(),
        Some("collect timed out after 1 s")
    );
    assert_eq!(
        fake.lock().unwrap().stopped,
        vec![1],
        "asked Harbor to stop it"
    );
}

#[tokio::test]
async fn an_account_harbor_refuses_is_named_in_the_error() {
    let (url, _fake) = fake_harbor(false).await;
    let (_dir, services) = services_on(&url, "wrong", None).await;
    let report = gc::run(&services, &admin(), &request(false)).await.unwrap();
    let error = report.run.error.unwrap();
    assert!(
        error.contains("HTTP 401") && error.contains("system admin or a robot"),
        "{error}"
    );
}
