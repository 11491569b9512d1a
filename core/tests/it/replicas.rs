//! Leases between replicas on one database, on hand-moved clocks: a job is one live replica's,
//! passes to another once the holder is unseen for the lease time (or stopped cleanly), and
//! the work of a dead replica is ended while a live one's is left alone.

use regatta_core::db::connect_and_migrate;
use regatta_core::replicas::{heartbeat, leases, Replica};
use std::time::Duration;
use time::macros::datetime;

const T0: time::OffsetDateTime = datetime!(2026-12-06 10:00 UTC);

/// A new database with two replicas registered at [`T0`] ("a" and "b", leases of 30 s).
async fn two_replicas() -> (tempfile::TempDir, regatta_core::db::Db, Replica, Replica) {
    let dir = tempfile::tempdir().unwrap();
    let db = connect_and_migrate(&dir.path().join("regatta.db"))
        .await
        .unwrap();
    let lease = Duration::from_secs(30);
    let (a, b) = (Replica::new(lease, T0), Replica::new(lease, T0));
    heartbeat::register(&db, &a, "a", T0).await.unwrap();
    heartbeat::register(&db, &b, "b", T0).await.unwrap();
    (dir, db, a, b)
}

#[tokio::test]
async fn a_job_is_held_by_one_live_replica_and_moves_once_the_holder_is_unseen_or_stopped() {
    let (_dir, db, a, b) = two_replicas().await;
    let t0 = T0;

    assert!(leases::hold(&db, &a, "crawl", t0).await.unwrap().is_some());
    assert!(leases::hold(&db, &b, "crawl", t0).await.unwrap().is_none());
    assert!(
        leases::hold(&db, &b, "gc", t0).await.unwrap().is_some(),
        "per job"
    );
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
    let (_dir, db, alive, dead) = two_replicas().await;
    let t0 = T0;
    let later = t0 + time::Duration::seconds(40);
    heartbeat::beat(&db, &alive, later).await.unwrap();
    for replica in [Some(&alive.id), Some(&dead.id), None] {
        regatta_core::db::query(
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
        regatta_core::db::query_scalar("SELECT replica FROM promotions WHERE status = 'running'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(still, [Some(alive.id.clone())]);
}

async fn replica_on(database: &std::path::Path) -> regatta_core::Services {
    use regatta_core::config::parse_settings;
    let text = end2end::SettingsFile::new().database(database).to_toml();
    // Every process on the database joins the replicas as it starts.
    regatta_core::Services::start(parse_settings("t.toml", &text, &[]).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_promotion_target_is_written_by_one_replica_at_a_time() {
    use regatta_core::promotion::lock_target;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("regatta.db");
    let (a, b) = (replica_on(&database).await, replica_on(&database).await);
    let target = "release/prod/app:1".to_string();

    let (held_by_a, waited) = lock_target(&a, target.clone()).await.unwrap();
    assert!(!waited);
    let b_waits = tokio::spawn({
        let (b, target) = (b.clone(), target.clone());
        async move { lock_target(&b, target).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!b_waits.is_finished(), "B waits while A writes the tag");
    let other = lock_target(&b, "release/prod/app:2".into()).await.unwrap();
    assert!(!other.1, "another tag is not held up");
    drop(other);

    drop(held_by_a);
    let (held_by_b, waited) = tokio::time::timeout(Duration::from_secs(5), b_waits)
        .await
        .expect("B goes on once A is done")
        .unwrap();
    assert!(waited, "B is told it waited, so it plans again");

    // A replica that dies holding a target does not hold it for ever: once it is known dead
    // (here it stopped), the other takes the target over.
    let stopped_at = b.clock.now();
    std::mem::forget(held_by_b); // as if B died mid-copy: no release
    heartbeat::stopped(&b.db, &b.replica, stopped_at)
        .await
        .unwrap();
    let (_, waited) = tokio::time::timeout(Duration::from_secs(5), lock_target(&a, target))
        .await
        .expect("A takes the dead replica's target")
        .unwrap();
    assert!(!waited);
}

#[tokio::test]
async fn replicas_starting_together_on_a_new_database_all_come_up() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regatta.db");
        let starts = (0..4).map(|_| {
            let path = path.clone();
            tokio::spawn(async move { connect_and_migrate(&path).await })
        });
        for start in futures_util::future::join_all(starts).await {
            let db = start
                .unwrap()
                .expect("every replica applies or finds the migrations");
            let newest: i64 =
                regatta_core::db::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                    .fetch_one(&db)
                    .await
                    .unwrap();
            let carried = db.migrator().iter().map(|m| m.version).max();
            assert_eq!(Some(newest), carried, "the schema is the newest");
            assert!(
                carried > Some(20261206000000),
                "this session's are among them"
            );
        }
    }
}

#[tokio::test]
async fn a_crawl_on_one_replica_shows_on_the_others_pages_while_it_runs() {
    use end2end::{seed, settings::Registry, RegistryFixture, RegistryOptions, SettingsFile};
    use regatta_core::config::parse_settings;
    use regatta_core::users::{Role, User};
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    seed::seed_many(&registry.pusher().unwrap(), 100, 3, 8)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("local", &registry.url))
        .to_toml();
    let replica = || async {
        regatta_core::Services::start(parse_settings("t.toml", &text, &[]).unwrap())
            .await
            .unwrap()
    };
    let (a, b) = (replica().await, replica().await);
    let viewer = User::not_stored("v", Role::Viewer);
    let crawling = tokio::spawn({
        let a = a.clone();
        async move { regatta_core::index::crawl_registry(&a, "local").await }
    });
    let started = std::time::Instant::now();
    loop {
        let overviews = regatta_core::browse::registry_overviews(&b, &viewer)
            .await
            .unwrap();
        if overviews[0].progress.running {
            break;
        }
        assert!(!crawling.is_finished(), "A's crawl ended before B saw it");
        assert!(started.elapsed() < Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    crawling.await.unwrap().unwrap();
    let overviews = regatta_core::browse::registry_overviews(&b, &viewer)
        .await
        .unwrap();
    assert!(
        !overviews[0].progress.running,
        "and no longer once it ended"
    );
}
