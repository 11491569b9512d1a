//! Operations: `/healthz` and `/readyz` answer without a session, and readiness fails (503,
//! saying why) while the database cannot be written — its file and WAL made immutable with
//! `chattr +i`, which stops even root, or on PostgreSQL read-only for every session — and
//! recovers at once after;
//! `regatta backup` taken while the server crawls a registry gives a database that opens and
//! passes `PRAGMA integrity_check`, and it never overwrites a file (on PostgreSQL it refuses,
//! naming pg_dump). With `[log] format = "json"` every line is a JSON object, and a request's
//! lines carry its id, echoed as `X-Request-Id`.

use crate::support::open_database;
use end2end::app_fixture::seeded_app_with_pipeline;
use reqwest::Client;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

async fn readyz(url: &reqwest::Url) -> (u16, Value) {
    let response = Client::new()
        .get(url.join("/readyz").unwrap())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The database stops (or starts again) taking writes. SQLite: `chattr +i` / `-i` on the file
/// and its WAL — not on the shared-memory file: SQLite maps that one, and once the kernel has
/// written a page of it back, ext4 answers the next store to the immutable mapping with a
/// SIGBUS that kills the server (why it was gone in one CI run). PostgreSQL: every new session
/// read-only, and the server's sessions ended so its pool reconnects under that.
async fn unwritable(database: &Path, on: bool) {
    match end2end::postgres::test_database_for(database) {
        Some(url) => read_only_database(&url, on).await,
        None => immutable(database, on),
    }
}

async fn read_only_database(url: &str, on: bool) {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    // This session too starts read-only once the database is.
    sqlx::query("SET default_transaction_read_only = off")
        .execute(&mut admin)
        .await
        .unwrap();
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    let setting = if on {
        "SET default_transaction_read_only = on"
    } else {
        "RESET default_transaction_read_only"
    };
    sqlx::query(&format!("ALTER DATABASE \"{name}\" {setting}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
}

fn immutable(database: &Path, on: bool) {
    for suffix in ["", "-wal"] {
        let mut file = database.as_os_str().to_owned();
        file.push(suffix);
        let status = Command::new("chattr")
            .arg(if on { "+i" } else { "-i" })
            .arg(&file)
            .status()
            .expect("chattr (e2fsprogs) runs");
        assert!(
            status.success(),
            "chattr on {file:?}: the test needs ext4-like attributes"
        );
    }
}

#[tokio::test]
async fn readiness_fails_while_the_database_cannot_be_written() {
    let app = crate::support::start_app().await;
    let (status, body) = readyz(&app.url).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");

    unwritable(&app.database, true).await;
    let (status, body) = readyz(&app.url).await;
    let live = Client::new()
        .get(app.url.join("/healthz").unwrap())
        .send()
        .await
        .unwrap();
    unwritable(&app.database, false).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["problems"][0].as_str().unwrap().contains("database"),
        "{body}"
    );
    assert_eq!(live.status(), 200, "alive all the same");

    let (status, body) = readyz(&app.url).await;
    assert_eq!(status, 200, "ready again at once: {body}");
}

#[tokio::test]
async fn a_backup_taken_while_crawling_opens_and_passes_the_integrity_check() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("regatta-backup.db");
    let copy_arg = copy.to_str().unwrap();
    // The first crawl starts with the server: the copy is taken while it writes.
    if end2end::postgres::tests_use_postgres() {
        let refused = app
            .command(&["backup", copy_arg], "")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("pg_dump"), "{refused}");
        assert!(!copy.exists());
        return;
    }
    let said = app.command(&["backup", copy_arg], "").unwrap();
    assert!(said.contains("integrity checked"), "{said}");
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{copy_arg}?mode=ro"))
        .await
        .unwrap();
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(verdict, "ok");
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(admins, 1, "the copy holds the data");

    let refused = app
        .command(&["backup", copy_arg], "")
        .unwrap_err()
        .to_string();
    assert!(refused.contains("never overwrites"), "{refused}");
}

#[tokio::test]
async fn json_logs_carry_the_request_id_the_response_echoes() {
    use end2end::{AppFixture, SettingsFile};
    let app = AppFixture::start_with(SettingsFile::new().log_format("json"))
        .await
        .unwrap();
    let response = Client::new()
        .get(app.url.join("/healthz").unwrap())
        .header("x-request-id", "probe-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "probe-4711", "echoed");
    let minted = Client::new()
        .get(app.url.join("/readyz").unwrap())
        .send()
        .await
        .unwrap();
    let minted = minted.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        minted.len(),
        36,
        "a UUID when the client sent none: {minted}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let log = app.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let of = |id: &str| {
        lines
            .iter()
            .any(|l| l["span"]["request_id"] == id && l["span"]["path"].is_string())
    };
    assert!(of("probe-4711") && of(&minted), "{log}");
}

/// A deletion and a retention run left `running` by a server that died (SIGKILL, no shutdown)
/// are marked failed at the next start, so nothing claims to run forever.
#[tokio::test]
async fn work_left_running_by_a_dead_server_is_marked_failed_at_the_next_start() {
    let mut app = crate::support::start_app().await;
    let db = open_database(&app.database).await;
    // What a server killed mid-deletion leaves behind.
    regatta_core::db::query(
        "INSERT INTO deletions (registry, repository, kind, requested_by, started_at, status, tags_requested)
         VALUES ('local', 'dev/app', 'tags', 'admin', '2026-12-05T00:00:00Z', 'running', 3)",
    )
    .execute(&db)
    .await
    .unwrap();
    regatta_core::db::query(
        "INSERT INTO retention_runs (policy, registry, trigger, requested_by, previewed_at, started_at, status, candidates, bytes_freed, preview)
         VALUES ('p', 'local', 'manual', 'admin', '2026-12-05T00:00:00Z', '2026-12-05T00:00:01Z', 'running', 1, 0, '{}')",
    )
    .execute(&db)
    .await
    .unwrap();
    app.kill();
    app.restart().unwrap();
    let statuses: Vec<String> = regatta_core::db::query_scalar(
        "SELECT status FROM deletions UNION ALL SELECT status FROM retention_runs",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(statuses, ["failed", "failed"]);
    assert!(
        app.log()
            .contains("deletions and retention runs left running"),
        "{}",
        app.log()
    );
}
