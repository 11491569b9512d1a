//! Leases between replicas on one database, on hand-moved clocks: a job is one live replica's,
//! passes to another once the holder is unseen for the lease time (or stopped cleanly), and
//! the work of a dead replica is ended while a live one's is left alone.

use regatta_core::db::connect_and_migrate;
use regatta_core::replicas::{heartbeat, leases, Replica};
use std::time::Duration;
use time::macros::datetime;

#[tokio::test]
async fn a_job_is_held_by_one_live_replica_and_moves_once_the_holder_is_unseen_or_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let db = connect_and_migrate(&dir.path().join("regatta.db")).await.unwrap();
    let lease = Duration::from_secs(30);
    let t0 = datetime!(2026-12-06 10:00 UTC);
    let (a, b) = (Replica::new(lease, t0), Replica::new(lease, t0));
    heartbeat::register(&db, &a, "a", t0).await.unwrap();
    heartbeat::register(&db, &b, "b", t0).await.unwrap();

    assert!(leases::hold(&db, &a, "crawl", t0).await.unwrap().is_some());
    assert!(leases::hold(&db, &b, "crawl", t0).await.unwrap().is_none());
    assert!(leases::hold(&db, &b, "gc", t0).await.unwrap().is_some(), "per job");
    assert!(leases::pass_started(&db, &a, "crawl", t0).await.unwrap());
    assert!(!leases::pass_started(&db, &b, "crawl", t0).await.unwrap());

    // A beats at 20 s: alive until 50 s, whatever B tries.
    let t1 = t0 + time::Duration::seconds(20);
    heartbeat::beat(&db, &a, t1).await.unwrap();
    let t2 = t0 + time::Duration::seconds(45);
    heartbeat::beat(&db, &b, t2).await.unwrap();
    assert!(leases::hold(&db, &b, "crawl", t2).await.unwrap().is_none());

    // Unseen for longer than the lease: B takes the job, with A's unfinished pass to redo.
    let t3 = t0 + time::Duration::seconds(51);
    heartbeat::beat(&db, &b, t3).await.unwrap();
    let taken = leases::hold(&db, &b, "crawl", t3).await.unwrap().unwrap();
    assert!(taken.interrupted(), "A's pass never finished: {taken:?}");
    // A comes back (a long pause, not a death): the job stays B's.
    heartbeat::beat(&db, &a, t3).await.unwrap();
    assert!(leases::hold(&db, &a, "crawl", t3).await.unwrap().is_none());

    // B finishes the pass and stops cleanly: A may take the job at once, finished pass and all.
    let started = leases::pass_started(&db, &b, "crawl", t3).await.unwrap();
    assert!(started);
    let ms = regatta_core::replicas::unix_ms(t3);
    leases::pass_finished(&db, "crawl", ms, t3).await.unwrap();
    heartbeat::stopped(&db, &b, t3).await.unwrap();
    let held = leases::hold(&db, &a, "crawl", t3).await.unwrap().unwrap();
    assert!(!held.interrupted());
    assert_eq!(held.pass_finished_at, Some(ms));
    let alive = heartbeat::alive(&db, &a, t3).await.unwrap();
    assert_eq!(
        alive.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [a.id.as_str()]
    );
}

#[tokio::test]
async fn only_the_work_of_dead_replicas_is_marked_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let db = connect_and_migrate(&dir.path().join("regatta.db")).await.unwrap();
    let lease = Duration::from_secs(30);
    let t0 = datetime!(2026-12-06 10:00 UTC);
    let (alive, dead) = (Replica::new(lease, t0), Replica::new(lease, t0));
    heartbeat::register(&db, &alive, "a", t0).await.unwrap();
    heartbeat::register(&db, &dead, "b", t0).await.unwrap();
    let later = t0 + time::Duration::seconds(40);
    heartbeat::beat(&db, &alive, later).await.unwrap();
    for replica in [Some(&alive.id), Some(&dead.id), None] {
        sqlx::query(
            "INSERT INTO promotions (started_at, actor, source_registry, source_repository,
                 source_tag, digest, target_registry, target_repository, target_tag,
                 from_environment, to_environment, status, replica)
             VALUES (?, 'u', 'r', 'dev/a', '1', 'sha256:00', 'r', 'staging/a', '1', 'dev',
                 'staging', 'running', ?)",
        )
        .bind(t0)
        .bind(replica)
        .execute(&db)
        .await
        .unwrap();
    }
    let marked = regatta_core::promotion::mark_interrupted(&db, alive.alive_since(later))
        .await
        .unwrap();
    assert_eq!(marked, 2, "the dead replica's and the one of no replica");
    let still: Vec<Option<String>> =
        sqlx::query_scalar("SELECT replica FROM promotions WHERE status = 'running'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(still, [Some(alive.id.clone())]);
}
