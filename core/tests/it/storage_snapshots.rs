//! Storage snapshots: what one writes (every scope, the same figures as the accounting) and how
//! old ones are thinned out (one per day after 7 days, the day's last value; gone after 2 years).

use super::storage_accounting::crawled_registry;
use regatta_core::storage::{
    downsample, format_taken_at, storage_accounting, take_snapshot, Grouping, KEPT_DAYS,
};
use regatta_core::users::{Role, User};
use time::macros::datetime;
use time::Duration;

#[tokio::test]
async fn a_snapshot_writes_every_scope_with_the_accountings_figures() {
    let (_registry, _dir, services, _pushed) = crawled_registry().await;
    let report = take_snapshot(&services).await.unwrap();
    let rows: Vec<(String, String, i64, i64)> = regatta_core::db::query_as(
        "SELECT kind, scope, stored_bytes, exclusive_bytes FROM storage_snapshots
         WHERE taken_at = ? ORDER BY kind, scope",
    )
    .bind(&report.taken_at)
    .fetch_all(&services.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), report.rows);
    let scopes: Vec<(&str, &str)> = rows
        .iter()
        .map(|(kind, scope, _, _)| (kind.as_str(), scope.as_str()))
        .collect();
    assert_eq!(
        scopes,
        [
            ("environment", "dev"),
            ("environment", "staging"),
            ("namespace", "dev"),
            ("namespace", "staging"),
            ("registry", "local"),
            ("repository", "dev/app"),
            ("repository", "dev/tool"),
            ("repository", "dev/worker"),
            ("repository", "staging/app"),
        ]
    );
    let viewer = User::not_stored("viewer", Role::Viewer);
    let accounting = storage_accounting(&services, &viewer, Some("local"), Grouping::Namespace)
        .await
        .unwrap();
    let registry_row = rows.iter().find(|r| r.0 == "registry").unwrap();
    assert_eq!(registry_row.2 as u64, accounting[0].total.stored_bytes);
    let dev = rows
        .iter()
        .find(|r| r.0 == "namespace" && r.1 == "dev")
        .unwrap();
    let dev_accounted = &accounting[0]
        .scopes
        .iter()
        .find(|s| s.scope == "dev")
        .unwrap()
        .usage;
    assert_eq!(
        (dev.2 as u64, dev.3 as u64),
        (dev_accounted.stored_bytes, dev_accounted.exclusive_bytes)
    );
}

/// Three snapshots a day for `days` days before `now`: stored bytes `day * 10 + slot`.
async fn hand_written_history(db: &regatta_core::db::Db, now: time::OffsetDateTime, days: i64) {
    for day in 0..days {
        for slot in 0..3 {
            let at = now - Duration::days(days - day) + Duration::hours(2 + 8 * slot);
            regatta_core::db::query(
                "INSERT INTO storage_snapshots (taken_at, registry, kind, scope, logical_bytes,
                     stored_bytes, exclusive_bytes, shared_bytes, repositories, tags, manifests, blobs)
                 VALUES (?, 'local', 'registry', 'local', 0, ?, 0, 0, 0, 0, 0, 0)",
            )
            .bind(format_taken_at(at))
            .bind(day * 10 + slot)
            .execute(db)
            .await
            .unwrap();
        }
    }
}

#[tokio::test]
async fn old_snapshots_become_the_last_value_of_each_day_and_expire_after_two_years() {
    let (_registry, _dir, services, _pushed) = crawled_registry().await;
    let now = datetime!(2026-12-03 00:00 UTC);
    let days = KEPT_DAYS + 5;
    hand_written_history(&services.db, now, days).await;
    downsample(&services.db, now).await.unwrap();

    let rows: Vec<(String, i64, String)> = regatta_core::db::query_as(
        "SELECT taken_at, stored_bytes, resolution FROM storage_snapshots ORDER BY taken_at",
    )
    .fetch_all(&services.db)
    .await
    .unwrap();
    let (daily, full): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.2 == "day");
    // The last 7 days stay whole: 3 a day.
    assert_eq!(full.len(), 7 * 3);
    assert!(full
        .iter()
        .all(|r| r.0 >= format_taken_at(now - Duration::days(7))));
    // Older days: one each, the day's last value (slot 2); nothing older than two years.
    assert_eq!(daily.len() as i64, KEPT_DAYS - 7);
    for row in &daily {
        assert_eq!(row.1 % 10, 2, "the day's last snapshot: {row:?}");
    }
    assert!(rows[0].0 >= format_taken_at(now - Duration::days(KEPT_DAYS)));

    // Thinning again changes nothing.
    downsample(&services.db, now).await.unwrap();
    let again: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM storage_snapshots")
        .fetch_one(&services.db)
        .await
        .unwrap();
    assert_eq!(again as usize, rows.len());
}
