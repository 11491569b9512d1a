//! Garbage collection over a real distribution registry, run under
//! `scripts/registry-service.sh` so the `command` driver restarts it read-only and back with
//! `scripts/registry-mode.sh` (the demo's driver): the prediction from the index equals what
//! the registry frees, the registry is read-only during the window and writable after it,
//! Regatta's own writes wait for the window, the untagged cleanup keeps every platform of a
//! tagged index, and a failing or hanging collect step still ends the window.

use end2end::images::{image, multi_arch, opaque_layer};
use end2end::settings::{Environment, Gc, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::audit::Actor;
use regatta_core::deletion::{self, DeletionRequest};
use regatta_core::gc::{self, GcRequest};
use regatta_core::index::crawl_registry;
use regatta_core::promotion::{self, PromotionRequest};
use regatta_core::users::{Role, User};
use regatta_core::{DomainError, Services};
use std::time::Duration;

use crate::{image_on as built, own_bytes as own};

fn admin() -> Actor {
    Actor::new(User::not_stored("root", Role::Admin), "test")
}

async fn supervised_registry() -> RegistryFixture {
    RegistryFixture::start(RegistryOptions {
        supervised: true,
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn services_with(registry: &RegistryFixture, gc: Gc) -> (tempfile::TempDir, Services) {
    crate::start_services(
        SettingsFile::new()
            .registry(Registry::new("local", &registry.url).gc(gc))
            .environment(Environment::new("dev", "local").prefix("dev/"))
            .environment(Environment::new("staging", "local").prefix("staging/")),
    )
    .await
}

/// Whether the registry accepts an upload now (202) or refuses it read-only (405).
async fn upload_status(registry: &RegistryFixture) -> u16 {
    let url = registry.url.join("v2/dev/probe/blobs/uploads/").unwrap();
    let response = reqwest::Client::new().post(url).send().await.unwrap();
    response.status().as_u16()
}

async fn delete_tag(services: &Services, repository: &str, tag: &str) {
    let request = DeletionRequest {
        registry: "local".into(),
        repository: repository.into(),
        tags: vec![tag.into()],
        whole_repository: false,
        matching: None,
        expected: None,
        confirmation: None,
    };
    deletion::delete(services, &admin(), &request)
        .await
        .unwrap();
}

fn request(dry_run: bool, untagged: bool) -> GcRequest {
    GcRequest {
        registry: "local".into(),
        dry_run,
        untagged,
        trigger: None,
    }
}

#[tokio::test]
async fn a_collection_frees_exactly_the_prediction_and_leaves_the_registry_writable() {
    let registry = supervised_registry().await;
    let base = opaque_layer(50_000, 1);
    let (one, two) = (built(&base, 2), built(&base, 3));
    let pusher = registry.pusher().unwrap();
    pusher.push_image("dev/app", "1", &one).await.unwrap();
    pusher.push_image("dev/app", "2", &two).await.unwrap();
    let (_dir, mut services) = services_with(&registry, registry.gc_settings()).await;
    let mut settings = (*services.settings).clone();
    settings.webhooks.push(regatta_core::config::WebhookConfig {
        name: "ops".into(),
        url: "http://127.0.0.1:9/hook".parse().unwrap(),
        secret_env: "UNUSED_HERE".into(),
    });
    services.settings = std::sync::Arc::new(settings);
    crawl_registry(&services, "local").await.unwrap();
    let maintainer = User::not_stored("m", Role::Maintainer);
    let nothing = gc::prediction(&services, &maintainer, "local", false)
        .await
        .unwrap();
    assert_eq!((nothing.blobs, nothing.bytes), (0, 0));

    delete_tag(&services, "dev/app", "2").await;
    let prediction = gc::prediction(&services, &maintainer, "local", false)
        .await
        .unwrap();
    assert_eq!(
        prediction.bytes,
        own(&two),
        "its layer, config and manifest"
    );
    assert_eq!(prediction.blobs, 3);
    assert_eq!(
        prediction.repositories[0].repository.as_deref(),
        Some("dev/app")
    );
    assert_eq!(prediction.trash_lost.len(), 1, "the trashed tag 2");

    let dry = gc::run(&services, &admin(), &request(true, false))
        .await
        .unwrap();
    assert_eq!(dry.run.status, "done", "{:?}", dry.run.error);
    assert_eq!(dry.run.blobs_eligible, Some(3), "the registry's own count");
    assert_eq!(dry.run.bytes_freed, Some(own(&two) as i64));
    assert_eq!(dry.run.read_only_ms, None, "a dry run needs no window");
    assert_eq!(dry.run.storage_before, dry.run.storage_after);

    let before = registry.stored_blob_bytes();
    let report = gc::run(&services, &admin(), &request(false, false))
        .await
        .unwrap();
    let run = &report.run;
    let (_, log) = gc::run_details(&services, &maintainer, run.id)
        .await
        .unwrap();
    assert_eq!(run.status, "done", "{:?}", run.error);
    assert_eq!(run.blobs_deleted, Some(3), "{log}");
    assert_eq!(run.bytes_freed, Some(prediction.bytes as i64));
    assert_eq!(
        run.storage_before.unwrap() - run.storage_after.unwrap(),
        prediction.bytes as i64,
        "the storage directory shrank by the prediction"
    );
    assert_eq!(before - registry.stored_blob_bytes(), prediction.bytes);
    assert!(run.read_only_ms.is_some_and(|ms| ms > 0));

    assert_eq!(upload_status(&registry).await, 202, "writable again");
    pusher
        .push_image("dev/app", "3", &built(&base, 4))
        .await
        .unwrap();
    let after = gc::prediction(&services, &maintainer, "local", false)
        .await
        .unwrap();
    assert_eq!(after.bytes, 0, "what was released is collected");

    let events: Vec<String> = regatta_core::db::query_scalar(
        "SELECT json_extract(payload, '$.event') || ' ' || gc_run_id FROM webhook_deliveries
         WHERE gc_run_id IS NOT NULL ORDER BY id",
    )
    .on_postgres(
        "SELECT (payload::json ->> 'event') || ' ' || gc_run_id FROM webhook_deliveries
         WHERE gc_run_id IS NOT NULL ORDER BY id",
    )
    .fetch_all(&services.db)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "gc.started 1",
            "gc.finished 1",
            "gc.started 2",
            "gc.finished 2"
        ]
    );
    let audited: Vec<String> = regatta_core::db::query_scalar(
        "SELECT outcome || ' ' || detail FROM audit_log WHERE action = 'gc.run' ORDER BY id",
    )
    .fetch_all(&services.db)
    .await
    .unwrap();
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert!(
        audited[1].contains("run #2: done; predicted 3 blobs"),
        "{audited:?}"
    );
    let history = gc::history(&services, &maintainer, Some("local"), 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert!(!history[0].dry_run && history[1].dry_run, "newest first");
    assert!(log.contains("registry-mode.sh readonly"), "{log}");
    assert!(log.contains("blobs marked"), "{log}");
    assert!(log.contains("registry-mode.sh writable"), "{log}");
}

#[tokio::test]
async fn only_an_admin_runs_it_and_a_registry_without_a_driver_says_why() {
    let registry = supervised_registry().await;
    let (_dir, services) = services_with(&registry, registry.gc_settings()).await;
    let maintainer = Actor::new(User::not_stored("m", Role::Maintainer), "test");
    let refused = gc::run(&services, &maintainer, &request(true, false))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DomainError::Forbidden { .. }),
        "{refused}"
    );

    let (_dir2, plain) = crate::start_dev_services(&registry.url).await;
    let refused = gc::run(&plain, &admin(), &request(true, false))
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("Garbage collection is not run by Regatta here"),
        "{refused}"
    );
}

#[tokio::test]
async fn during_the_window_pushes_are_refused_and_a_promotion_waits_then_succeeds() {
    let registry = supervised_registry().await;
    let base = opaque_layer(30_000, 10);
    let pusher = registry.pusher().unwrap();
    pusher
        .push_image("dev/api", "1", &built(&base, 11))
        .await
        .unwrap();
    let marker = registry.dir.path().join("collecting");
    let mut settings = registry.gc_settings();
    // The collect step holds the window open for a while, after saying it started.
    settings.collect = Some(format!(
        "touch {} && sleep 2 && {}",
        marker.display(),
        settings.collect.unwrap()
    ));
    let (_dir, services) = services_with(&registry, settings).await;
    crawl_registry(&services, "local").await.unwrap();

    let collection = tokio::spawn({
        let services = services.clone();
        async move { gc::run(&services, &admin(), &request(false, false)).await }
    });
    assert!(
        end2end::wait::until(Duration::from_secs(20), || {
            let marker = marker.clone();
            async move { marker.exists() }
        })
        .await,
        "the collect step started"
    );
    assert_eq!(upload_status(&registry).await, 405, "read-only");
    let since = gc::in_maintenance_since(&services, "local").await.unwrap();
    assert!(since.is_some(), "the window is recorded for the banner");

    let promotion = PromotionRequest {
        registry: "local".into(),
        repository: "dev/api".into(),
        tag: "1".into(),
        to_environment: "staging".into(),
        target_tag: None,
        with_attachments: false,
    };
    let promoted = promotion::promote(&services, &admin(), &promotion).await;
    let report = collection.await.unwrap().unwrap();
    let (_, log) = gc::run_details(&services, &admin().user, report.run.id)
        .await
        .unwrap();
    assert_eq!(report.run.status, "done", "{:?}\n{log}", report.run.error);
    assert!(promoted.is_ok(), "it waited for the window: {promoted:?}");
    assert_eq!(
        gc::in_maintenance_since(&services, "local").await.unwrap(),
        None
    );
    let copied = registry.url.join("v2/staging/api/manifests/1").unwrap();
    let response = reqwest::Client::new()
        .head(copied)
        .header("Accept", end2end::images::OCI_MANIFEST)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn the_untagged_cleanup_deletes_a_moved_tags_old_image_and_keeps_every_platform() {
    let registry = supervised_registry().await;
    let base = opaque_layer(30_000, 20);
    let (old, new) = (built(&base, 21), built(&base, 22));
    let platforms = vec![
        image("linux", "amd64", vec![opaque_layer(15_000, 23)], &[]),
        image("linux", "arm64", vec![opaque_layer(15_000, 24)], &[]),
    ];
    let multi = multi_arch(platforms);
    let pusher = registry.pusher().unwrap();
    pusher.push_image("dev/app", "1", &old).await.unwrap();
    pusher
        .push_multi_arch("dev/tools", "1", &multi)
        .await
        .unwrap();
    let (_dir, services) = services_with(&registry, registry.gc_settings()).await;
    crawl_registry(&services, "local").await.unwrap();
    pusher.push_image("dev/app", "1", &new).await.unwrap();
    crawl_registry(&services, "local").await.unwrap();

    let maintainer = User::not_stored("m", Role::Maintainer);
    let without = gc::prediction(&services, &maintainer, "local", false)
        .await
        .unwrap();
    assert_eq!(without.bytes, 0, "untagged manifests keep their blobs");
    let prediction = gc::prediction(&services, &maintainer, "local", true)
        .await
        .unwrap();
    assert_eq!(prediction.untagged.len(), 1, "{:?}", prediction.untagged);
    assert_eq!(prediction.untagged[0].digest, old.manifest.digest());
    assert_eq!(prediction.bytes, own(&old));

    let before = registry.stored_blob_bytes();
    let report = gc::run(&services, &admin(), &request(false, true))
        .await
        .unwrap();
    assert_eq!(report.run.status, "done", "{:?}", report.run.error);
    assert_eq!(report.run.untagged_deleted, 1);
    assert_eq!(before - registry.stored_blob_bytes(), own(&old));
    assert_eq!(report.run.bytes_freed, Some(own(&old) as i64));

    let client = reqwest::Client::new();
    for platform in &multi.images {
        let manifest = registry
            .url
            .join(&format!(
                "v2/dev/tools/manifests/{}",
                platform.manifest.digest()
            ))
            .unwrap();
        let response = client
            .get(manifest)
            .header("Accept", end2end::images::OCI_MANIFEST)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "the platform stays");
        for blob in platform
            .layers
            .iter()
            .map(|l| &l.blob)
            .chain([&platform.config])
        {
            let url = registry
                .url
                .join(&format!("v2/dev/tools/blobs/{}", blob.digest()))
                .unwrap();
            let pulled = client.get(url).send().await.unwrap().bytes().await.unwrap();
            assert_eq!(pulled.as_ref(), blob.bytes.as_slice(), "and pulls whole");
        }
    }
}

#[tokio::test]
async fn a_failing_or_hanging_collect_still_ends_the_window_and_is_recorded_failed() {
    let registry = supervised_registry().await;
    for (collect, timeout, expected) in [
        (
            "echo broken >&2; exit 3",
            None,
            "collect failed (exit status: 3)",
        ),
        ("sleep 30", Some(1), "collect timed out after 1 s"),
    ] {
        let mut settings = registry.gc_settings();
        settings.collect = Some(collect.into());
        settings.collect_timeout_seconds = timeout;
        let (_dir, services) = services_with(&registry, settings).await;
        let report = gc::run(&services, &admin(), &request(false, false))
            .await
            .unwrap();
        let (_, log) = gc::run_details(&services, &admin().user, report.run.id)
            .await
            .unwrap();
        assert_eq!(report.run.status, "failed", "{log}");
        assert_eq!(report.run.error.as_deref(), Some(expected), "{log}");
        assert_eq!(upload_status(&registry).await, 202, "writable again");
        assert_eq!(
            gc::in_maintenance_since(&services, "local").await.unwrap(),
            None
        );
        assert!(log.contains("[maintenance_off]"), "{log}");
    }
}

#[tokio::test]
async fn a_due_schedule_runs_once_as_regatta_and_only_an_admin_sets_one() {
    use regatta_core::clock::ManualClock;
    use time::macros::datetime;
    let registry = supervised_registry().await;
    let base = opaque_layer(10_000, 30);
    let pusher = registry.pusher().unwrap();
    pusher
        .push_image("dev/app", "1", &built(&base, 31))
        .await
        .unwrap();
    let (_dir, mut services) = services_with(&registry, registry.gc_settings()).await;
    // 2026-12-06 is a Sunday.
    services.clock = std::sync::Arc::new(ManualClock::new(datetime!(2026-12-06 03:01 UTC)));
    let maintainer = Actor::new(User::not_stored("m", Role::Maintainer), "test");
    let refused = gc::save_schedule(&services, &maintainer, "local", "sun 03:00", false)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, DomainError::Forbidden { .. }),
        "{refused}"
    );
    let invalid = gc::save_schedule(&services, &admin(), "local", "sunday at 3", false)
        .await
        .unwrap_err();
    assert!(
        invalid.to_string().contains("is not a schedule"),
        "{invalid}"
    );
    assert!(gc::run_due(&services).await.unwrap().is_empty(), "none yet");

    gc::save_schedule(&services, &admin(), "local", "sun 03:00", true)
        .await
        .unwrap();
    let schedules = gc::schedules(&services, &maintainer.user).await.unwrap();
    assert_eq!(schedules[0].schedule, "sun 03:00");
    assert!(schedules[0].untagged && !schedules[0].managed_by_config);
    let ran = gc::run_due(&services).await.unwrap();
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].run.trigger, "schedule");
    assert!(ran[0].run.untagged_cleanup && !ran[0].run.dry_run);
    assert_eq!(ran[0].run.status, "done", "{:?}", ran[0].run.error);
    assert!(
        gc::run_due(&services).await.unwrap().is_empty(),
        "once a week"
    );
}
