//! Retention against a real registry: the preview lists exactly what the run deletes on a quiet
//! registry; a tag pushed or moved between preview and run survives and is reported; the most
//! recent, pattern and "promoted to a later environment" rules keep what they say; a pull rule
//! without pull times keeps; protected environments are never touched; policies of the
//! configuration cannot be edited, and only maintainers edit the others.

use end2end::images::{image_built, opaque_layer, Image, OCI};
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::audit::Actor;
use regatta_core::index::crawl_registry;
use regatta_core::registry::{Endpoint, Reference, RegistryClient, RepoName, Tag};
use regatta_core::retention::{self, KeepRules, Kept, RetentionPolicy, Trigger};
use regatta_core::users::{Role, User};
use regatta_core::{DomainError, Services};

struct World {
    registry: RegistryFixture,
    services: Services,
    _dir: tempfile::TempDir,
}

fn built(day: u32, seed: u64) -> Image {
    let created = format!("2026-11-{day:02}T12:00:00Z");
    image_built(
        OCI,
        &created,
        "linux",
        "amd64",
        vec![opaque_layer(2_000, seed)],
        &[],
    )
}

/// dev/app: v1.0.0 (January), b-1 … b-5 (built Nov 1 … 5), latest = b-5; staging/app:b-2 (the
/// same image: promoted); prod/app:old (protected prod).
async fn world() -> World {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let pusher = registry.pusher().unwrap();
    let release = image_built(
        OCI,
        "2026-01-10T00:00:00Z",
        "linux",
        "amd64",
        vec![opaque_layer(2_000, 60)],
        &[],
    );
    pusher
        .push_image("dev/app", "v1.0.0", &release)
        .await
        .unwrap();
    for n in 1..=5u64 {
        let image = built(n as u32, 60 + n);
        pusher
            .push_image("dev/app", &format!("b-{n}"), &image)
            .await
            .unwrap();
        if n == 5 {
            pusher
                .push_image("dev/app", "latest", &image)
                .await
                .unwrap();
        }
        if n == 2 {
            pusher
                .push_image("staging/app", "b-2", &image)
                .await
                .unwrap();
        }
    }
    pusher
        .push_image("prod/app", "old", &built(1, 70))
        .await
        .unwrap();
    let (dir, services) = crate::start_services(
        SettingsFile::new()
            .registry(Registry::new("local", &registry.url))
            .demo_pipeline("local"),
    )
    .await;
    crawl_registry(&services, "local").await.unwrap();
    World {
        registry,
        services,
        _dir: dir,
    }
}

fn policy(name: &str, environment: &str, keep: KeepRules) -> RetentionPolicy {
    RetentionPolicy {
        name: name.into(),
        registry: "local".into(),
        environment: Some(environment.into()),
        repositories: vec![],
        exclude_repositories: vec![],
        keep,
        schedule: None,
    }
}

fn dev_cleanup() -> RetentionPolicy {
    policy(
        "dev-cleanup",
        "dev",
        KeepRules {
            most_recent: Some(2),
            tags: vec!["v*.*.*".into(), "latest".into()],
            promoted: true,
            ..KeepRules::default()
        },
    )
}

fn maintainer() -> Actor {
    Actor::new(User::not_stored("mia", Role::Maintainer), "test")
}

impl World {
    async fn exists(&self, repo: &str, tag: &str) -> bool {
        let client =
            RegistryClient::new(Endpoint::anonymous("local", self.registry.url.clone())).unwrap();
        let reference = Reference::Tag(Tag::parse(tag).unwrap());
        let head = client
            .head_manifest(&RepoName::parse(repo).unwrap(), &reference)
            .await;
        head.unwrap().is_some()
    }

    /// Saves `dev_cleanup` and previews it as a maintainer: (preview id, preview).
    async fn previewed_dev_cleanup(&self) -> (i64, retention::RetentionPreview) {
        retention::save_policy(&self.services, &maintainer(), dev_cleanup())
            .await
            .unwrap();
        retention::preview(
            &self.services,
            &maintainer(),
            "dev-cleanup",
            Trigger::Manual,
        )
        .await
        .unwrap()
    }
}

fn candidates(preview: &retention::RetentionPreview) -> Vec<String> {
    let mut tags: Vec<String> = preview
        .repositories
        .iter()
        .flat_map(|r| {
            r.candidates
                .iter()
                .map(move |c| format!("{}:{}", r.repository, c.tag))
        })
        .collect();
    tags.sort();
    tags
}

#[tokio::test]
async fn the_run_deletes_exactly_what_the_preview_listed() {
    let world = world().await;
    let (id, preview) = world.previewed_dev_cleanup().await;
    assert_eq!(candidates(&preview), ["dev/app:b-1", "dev/app:b-3"]);
    assert_eq!(
        preview.kept_by.get(&Kept::TagPattern),
        Some(&2),
        "v1.0.0 and latest"
    );
    assert_eq!(preview.kept_by.get(&Kept::MostRecent), Some(&2), "b-5, b-4");
    assert_eq!(
        preview.kept_by.get(&Kept::Promoted),
        Some(&1),
        "b-2 is in staging"
    );
    assert!(
        preview.bytes_freed > 4_000,
        "two own layers: {}",
        preview.bytes_freed
    );

    let report = retention::run(&world.services, &maintainer(), id)
        .await
        .unwrap();
    assert_eq!(
        (report.deleted, report.skipped, report.failed),
        (2, 0, 0),
        "{report:?}"
    );
    assert_eq!(report.bytes_freed, preview.bytes_freed);
    for (tag, exists) in [
        ("b-1", false),
        ("b-3", false),
        ("b-2", true),
        ("v1.0.0", true),
        ("latest", true),
    ] {
        assert_eq!(world.exists("dev/app", tag).await, exists, "{tag}");
    }
    let again = retention::run(&world.services, &maintainer(), id).await;
    assert!(
        matches!(again, Err(DomainError::Conflict(_))),
        "a preview runs once"
    );
    let runs = retention::history(&world.services, &maintainer().user, 10)
        .await
        .unwrap();
    assert_eq!((runs[0].status.as_str(), runs[0].deleted), ("done", 2));
}

#[tokio::test]
async fn a_tag_pushed_or_moved_between_preview_and_run_survives_and_is_reported() {
    let world = world().await;
    let (id, _) = world.previewed_dev_cleanup().await;
    let pusher = world.registry.pusher().unwrap();
    pusher
        .push_image("dev/app", "b-0", &built(1, 80))
        .await
        .unwrap();
    pusher
        .push_image("dev/app", "b-3", &built(3, 81))
        .await
        .unwrap();
    crawl_registry(&world.services, "local").await.unwrap();

    let report = retention::run(&world.services, &maintainer(), id)
        .await
        .unwrap();
    assert_eq!((report.deleted, report.skipped), (1, 1), "{report:?}");
    let (_, _, said) = report
        .outcomes
        .iter()
        .find(|(_, tag, _)| tag == "b-3")
        .unwrap();
    assert!(said.contains("changed since the preview"), "{said}");
    assert!(world.exists("dev/app", "b-3").await, "the new b-3 stays");
    assert!(
        world.exists("dev/app", "b-0").await,
        "not previewed, not touched"
    );
    assert!(!world.exists("dev/app", "b-1").await);
}

#[tokio::test]
async fn guarded_environments_and_unknown_pull_times_keep_everything() {
    let world = world().await;
    let prod = policy(
        "prod-clean",
        "prod",
        KeepRules {
            most_recent: Some(0),
            ..KeepRules::default()
        },
    );
    let pulled = policy(
        "pulled",
        "dev",
        KeepRules {
            pulled_within_days: Some(7),
            ..KeepRules::default()
        },
    );
    for p in [prod, pulled] {
        retention::save_policy(&world.services, &maintainer(), p)
            .await
            .unwrap();
    }
    let (_, prod) = retention::preview(
        &world.services,
        &maintainer(),
        "prod-clean",
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(
        (prod.candidates, prod.kept_by.get(&Kept::Guarded)),
        (0, Some(&1))
    );
    let (_, pulled) = retention::preview(&world.services, &maintainer(), "pulled", Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(
        pulled.candidates, 0,
        "no pull notification ever: cannot judge, keeps"
    );
    assert_eq!(pulled.kept_by.get(&Kept::PullsUnknown), Some(&7));
}

#[tokio::test]
async fn policies_are_checked_and_only_maintainers_edit_them() {
    let world = world().await;
    let developer = Actor::new(User::not_stored("dev", Role::Developer), "test");
    let refused = retention::save_policy(&world.services, &developer, dev_cleanup()).await;
    assert!(matches!(refused, Err(DomainError::Forbidden { .. })));
    let mut no_rule = dev_cleanup();
    no_rule.keep = KeepRules::default();
    let refused = retention::save_policy(&world.services, &maintainer(), no_rule)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("keep rule"), "{refused}");
    let mut elsewhere = dev_cleanup();
    elsewhere.environment = Some("qa".into());
    assert!(
        retention::save_policy(&world.services, &maintainer(), elsewhere)
            .await
            .is_err()
    );
    let preview =
        retention::preview(&world.services, &developer, "dev-cleanup", Trigger::Manual).await;
    assert!(matches!(preview, Err(DomainError::Forbidden { .. })));
    let saved: i64 = regatta_core::db::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.policy.save' AND outcome = 'denied'",
    )
    .fetch_one(&world.services.db)
    .await
    .unwrap();
    assert_eq!(saved, 1, "the developer's attempt is audited");
}
