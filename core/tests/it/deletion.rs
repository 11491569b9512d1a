//! Deletion against a real registry: one tag of two goes and its sibling still pulls; the last
//! tag takes the image and garbage collection (the real `garbage-collect`) frees exactly what
//! the preview said; a platform of a tagged index is never deleted; a tag the index does not
//! know keeps its image; the trash puts the exact bytes back, and after GC names what is
//! missing; the environment rules refuse, and refusals change nothing.

use end2end::images::{image, multi_arch, opaque_layer, Image, Layer, MultiArch};
use end2end::settings::{Environment, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::audit::Actor;
use regatta_core::deletion::{self, DeletionRequest, TagResult};
use regatta_core::index::crawl_registry;
use regatta_core::registry::{Digest, Endpoint, Reference, RegistryClient, RepoName, Tag};
use regatta_core::users::{Role, User};
use regatta_core::{DomainError, Services};

struct World {
    registry: RegistryFixture,
    services: Services,
    _dir: tempfile::TempDir,
    base: Layer,
    app: Image,
    app2: Image,
    tool: MultiArch,
}

fn on(arch: &str, layers: Vec<Layer>, name: &str) -> Image {
    image("linux", arch, layers, &[("name", name)])
}

/// dev/app: 1.0 and latest on one image, 2.0 on another; dev/tool: 1.0 a two-platform index,
/// 1.0-amd64 its amd64 platform; prod/app:1.0 (protected). A shared base layer.
async fn world() -> World {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let base = opaque_layer(100_000, 31);
    let app = on("amd64", vec![base.clone(), opaque_layer(10_000, 32)], "app");
    let app2 = on(
        "amd64",
        vec![base.clone(), opaque_layer(20_000, 33)],
        "app2",
    );
    let tool = multi_arch(vec![
        on(
            "amd64",
            vec![base.clone(), opaque_layer(30_000, 34)],
            "tool",
        ),
        on("arm64", vec![opaque_layer(40_000, 35)], "tool"),
    ]);
    let pusher = registry.pusher().unwrap();
    for (repo, tag, image) in [
        ("dev/app", "1.0", &app),
        ("dev/app", "latest", &app),
        ("dev/app", "2.0", &app2),
        ("prod/app", "1.0", &app),
    ] {
        pusher.push_image(repo, tag, image).await.unwrap();
    }
    pusher
        .push_multi_arch("dev/tool", "1.0", &tool)
        .await
        .unwrap();
    pusher
        .push_image("dev/tool", "1.0-amd64", &tool.images[0])
        .await
        .unwrap();
    let (dir, services) = crate::start_services(
        SettingsFile::new()
            .registry(Registry::new("local", &registry.url))
            .environment(Environment::new("dev", "local").prefix("dev/"))
            .environment(
                Environment::new("prod", "local")
                    .prefix("prod/")
                    .protected(),
            ),
    )
    .await;
    let report = crawl_registry(&services, "local").await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    World {
        registry,
        services,
        _dir: dir,
        base,
        app,
        app2,
        tool,
    }
}

impl World {
    fn client(&self) -> RegistryClient {
        RegistryClient::new(Endpoint::anonymous("local", self.registry.url.clone())).unwrap()
    }

    async fn digest_of(&self, repo: &str, tag: &str) -> Option<String> {
        let head = self
            .client()
            .head_manifest(&repo_name(repo), &Reference::Tag(Tag::parse(tag).unwrap()))
            .await
            .unwrap();
        head.map(|h| h.digest.to_string())
    }

    async fn has_manifest(&self, repo: &str, digest: &str) -> bool {
        let reference = Reference::Digest(Digest::parse(digest).unwrap());
        let (client, repo) = (self.client(), repo_name(repo));
        let head = client.head_manifest(&repo, &reference).await.unwrap();
        head.is_some()
    }

    async fn delete(
        &self,
        role: Role,
        repo: &str,
        tags: &[&str],
        confirmation: Option<&str>,
    ) -> Result<deletion::DeletionReport, DomainError> {
        let actor = Actor::new(User::not_stored("someone", role), "test");
        deletion::delete(&self.services, &actor, &request(repo, tags, confirmation)).await
    }
}

fn repo_name(name: &str) -> RepoName {
    RepoName::parse(name).unwrap()
}

fn request(repo: &str, tags: &[&str], confirmation: Option<&str>) -> DeletionRequest {
    DeletionRequest {
        registry: "local".into(),
        repository: repo.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        whole_repository: false,
        matching: None,
        expected: None,
        confirmation: confirmation.map(str::to_string),
    }
}

fn result_of<'a>(report: &'a deletion::DeletionReport, tag: &str) -> &'a TagResult {
    &report
        .outcomes
        .iter()
        .find(|o| o.tag == tag)
        .unwrap()
        .result
}

#[tokio::test]
async fn deleting_one_of_two_tags_keeps_the_other_and_the_image() {
    let world = world().await;
    let digest = world.app.manifest.digest();
    let viewer = User::not_stored("v", Role::Viewer);
    let plan = deletion::preview(
        &world.services,
        &User::not_stored("d", Role::Developer),
        &request("dev/app", &["1.0"], None),
    )
    .await
    .unwrap();
    assert_eq!(plan.tags[0].siblings_kept, ["latest"]);
    assert!(!plan.tags[0].image_goes);
    assert_eq!(plan.bytes_freed, 0, "latest still holds every blob");
    assert!(deletion::preview(
        &world.services,
        &viewer,
        &request("dev/app", &["1.0"], None)
    )
    .await
    .is_err());

    let report = world
        .delete(Role::Developer, "dev/app", &["1.0"], None)
        .await
        .unwrap();
    assert!(matches!(
        result_of(&report, "1.0"),
        TagResult::Deleted {
            image_deleted: false,
            ..
        }
    ));
    assert_eq!(world.digest_of("dev/app", "1.0").await, None);
    assert_eq!(
        world.digest_of("dev/app", "latest").await,
        Some(digest.clone())
    );
    assert!(
        world.has_manifest("dev/app", &digest).await,
        "the image stays"
    );
    // The sibling still pulls: skopeo reads the manifest and its config.
    let pulled = std::process::Command::new("skopeo")
        .args(["inspect", "--tls-verify=false"])
        .arg(format!("docker://{}/dev/app:latest", world.registry.host()))
        .output()
        .unwrap();
    assert!(
        pulled.status.success(),
        "{}",
        String::from_utf8_lossy(&pulled.stderr)
    );
    let layer = Digest::parse(&world.app.layers[1].blob.digest()).unwrap();
    assert!(world
        .client()
        .head_blob(&repo_name("dev/app"), &layer)
        .await
        .unwrap()
        .is_some());
    let tags = regatta_core::index::tags_of_registry(&world.services.db, 1)
        .await
        .unwrap();
    assert!(
        !tags
            .iter()
            .any(|t| t.repository == "dev/app" && t.tag == "1.0"),
        "the index follows"
    );
    assert!(tags
        .iter()
        .any(|t| t.repository == "dev/app" && t.tag == "latest"));
}

#[tokio::test]
async fn the_last_tag_takes_the_image_and_garbage_collection_frees_what_the_preview_said() {
    let world = world().await;
    let digest = world.app2.manifest.digest();
    let developer = User::not_stored("d", Role::Developer);
    let plan = deletion::preview(
        &world.services,
        &developer,
        &request("dev/app", &["2.0"], None),
    )
    .await
    .unwrap();
    assert!(plan.tags[0].image_goes);
    let own = world.app2.layers[1].blob.bytes.len()
        + world.app2.config.bytes.len()
        + world.app2.manifest.bytes.len();
    assert_eq!(
        plan.bytes_freed, own as u64,
        "its own layer, config and manifest"
    );

    let report = world
        .delete(Role::Developer, "dev/app", &["2.0"], None)
        .await
        .unwrap();
    let TagResult::Deleted {
        trash_id,
        image_deleted: true,
    } = result_of(&report, "2.0")
    else {
        panic!("{report:?}");
    };
    assert_eq!(report.bytes_freed, plan.bytes_freed);
    assert!(
        !world.has_manifest("dev/app", &digest).await,
        "deleted by digest"
    );

    let before = world.registry.stored_blob_bytes();
    world.registry.garbage_collect().unwrap();
    let freed = before - world.registry.stored_blob_bytes();
    assert_eq!(freed, plan.bytes_freed, "exactly what the preview said");

    let actor = Actor::new(User::not_stored("d", Role::Developer), "test");
    let refused = deletion::restore(&world.services, &actor, *trash_id)
        .await
        .unwrap_err();
    let message = refused.to_string();
    assert!(matches!(refused, DomainError::Conflict(_)), "{message}");
    assert!(
        message.contains(&world.app2.layers[1].blob.digest()) && message.contains("2 of"),
        "names the collected layer and config: {message}"
    );
    assert!(
        !message.contains(&world.base.blob.digest()),
        "the base is still there"
    );
    assert_eq!(
        world.digest_of("dev/app", "2.0").await,
        None,
        "nothing written"
    );
}

#[tokio::test]
async fn a_platform_of_a_tagged_index_is_never_deleted_and_an_index_takes_only_its_own() {
    let world = world().await;
    let index = world.tool.index.digest();
    let (amd64, arm64) = (
        world.tool.images[0].manifest.digest(),
        world.tool.images[1].manifest.digest(),
    );
    // 1.0-amd64 is a platform of the tagged 1.0: its tag goes, the image stays.
    let report = world
        .delete(Role::Developer, "dev/tool", &["1.0-amd64"], None)
        .await
        .unwrap();
    assert!(matches!(
        result_of(&report, "1.0-amd64"),
        TagResult::Deleted {
            image_deleted: false,
            ..
        }
    ));
    assert!(world.has_manifest("dev/tool", &amd64).await);
    assert_eq!(
        world.digest_of("dev/tool", "1.0").await,
        Some(index.clone())
    );

    // Put it back, then delete the index: its arm64 platform goes, amd64 (tagged) stays.
    world
        .registry
        .pusher()
        .unwrap()
        .push_image("dev/tool", "1.0-amd64", &world.tool.images[0])
        .await
        .unwrap();
    crawl_registry(&world.services, "local").await.unwrap();
    let report = world
        .delete(Role::Developer, "dev/tool", &["1.0"], None)
        .await
        .unwrap();
    assert!(matches!(
        result_of(&report, "1.0"),
        TagResult::Deleted {
            image_deleted: true,
            ..
        }
    ));
    assert!(!world.has_manifest("dev/tool", &index).await);
    assert!(!world.has_manifest("dev/tool", &arm64).await);
    assert!(
        world.has_manifest("dev/tool", &amd64).await,
        "1.0-amd64 holds it"
    );
    assert_eq!(world.digest_of("dev/tool", "1.0-amd64").await, Some(amd64));
}

#[tokio::test]
async fn a_tag_the_index_does_not_know_keeps_its_image() {
    let world = world().await;
    let digest = world.app2.manifest.digest();
    // Pushed behind the index's back (no notification, no crawl since).
    world
        .registry
        .pusher()
        .unwrap()
        .push_image("dev/app", "hidden", &world.app2)
        .await
        .unwrap();
    let report = world
        .delete(Role::Developer, "dev/app", &["2.0"], None)
        .await
        .unwrap();
    assert!(matches!(
        result_of(&report, "2.0"),
        TagResult::Deleted {
            image_deleted: false,
            ..
        }
    ));
    assert_eq!(world.digest_of("dev/app", "2.0").await, None);
    assert_eq!(world.digest_of("dev/app", "hidden").await, Some(digest));
}

#[tokio::test]
async fn a_tag_moved_since_the_preview_is_skipped_and_reported() {
    let world = world().await;
    let pusher = world.registry.pusher().unwrap();
    pusher
        .push_image("dev/app", "2.0", &world.app)
        .await
        .unwrap();
    let report = world
        .delete(Role::Developer, "dev/app", &["2.0", "nope"], None)
        .await
        .unwrap();
    let TagResult::Skipped(why) = result_of(&report, "2.0") else {
        panic!("{report:?}");
    };
    assert!(why.contains("moved"), "{why}");
    assert!(matches!(result_of(&report, "nope"), TagResult::Skipped(_)));
    assert_eq!(
        world.digest_of("dev/app", "2.0").await,
        Some(world.app.manifest.digest()),
        "the new push survives"
    );
}

#[tokio::test]
async fn the_trash_puts_the_exact_bytes_back() {
    let world = world().await;
    let report = world
        .delete(Role::Developer, "dev/app", &["1.0", "2.0"], None)
        .await
        .unwrap();
    assert_eq!(report.deleted().count(), 2);
    let viewer = User::not_stored("v", Role::Viewer);
    let trash = deletion::trash_list(&world.services, &viewer, 50)
        .await
        .unwrap();
    assert_eq!(trash.len(), 2);
    let actor = Actor::new(User::not_stored("d", Role::Developer), "test");
    for entry in &trash {
        let restored = deletion::restore(&world.services, &actor, entry.id)
            .await
            .unwrap();
        assert!(restored.restored_at.is_some());
        assert_eq!(
            world.digest_of("dev/app", &entry.tag).await.as_deref(),
            Some(entry.digest.as_str()),
            "{} back at its digest",
            entry.tag
        );
    }
    let again = deletion::restore(&world.services, &actor, trash[0].id).await;
    assert!(matches!(again, Err(DomainError::Conflict(_))));
    let tags = regatta_core::index::tags_of_registry(&world.services.db, 1)
        .await
        .unwrap();
    assert!(
        tags.iter()
            .any(|t| t.repository == "dev/app" && t.tag == "2.0"),
        "indexed again"
    );
}

#[tokio::test]
async fn protected_environments_refuse_all_but_an_admin_who_types_the_reference() {
    let world = world().await;
    let digest = world.app.manifest.digest();
    for (role, typed) in [
        (Role::Developer, None),
        (Role::Maintainer, Some("prod/app:1.0")),
        (Role::Admin, None),
        (Role::Admin, Some("prod/app")),
    ] {
        let refused = world.delete(role, "prod/app", &["1.0"], typed).await;
        assert!(
            matches!(
                refused,
                Err(DomainError::NotAllowed(_) | DomainError::Forbidden { .. })
            ),
            "{role:?} {typed:?}: {refused:?}"
        );
        assert_eq!(
            world.digest_of("prod/app", "1.0").await,
            Some(digest.clone())
        );
    }
    let denied: i64 = regatta_core::db::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'tag.delete' AND outcome = 'denied'",
    )
    .fetch_one(&world.services.db)
    .await
    .unwrap();
    assert_eq!(denied, 4, "every refusal is audited");
    let report = world
        .delete(Role::Admin, "prod/app", &["1.0"], Some("prod/app:1.0"))
        .await
        .unwrap();
    assert_eq!(report.deleted().count(), 1);
    assert_eq!(world.digest_of("prod/app", "1.0").await, None);
}

#[tokio::test]
async fn all_matching_deletes_exactly_the_previewed_set_or_nothing() {
    let world = world().await;
    let developer = User::not_stored("d", Role::Developer);
    let matching = |expected: Option<String>| DeletionRequest {
        matching: Some("0".into()),
        expected,
        ..request("dev/app", &[], None)
    };
    let plan = deletion::preview(&world.services, &developer, &matching(None))
        .await
        .unwrap();
    let mut names: Vec<&str> = plan.tags.iter().map(|t| t.tag.as_str()).collect();
    names.sort();
    assert_eq!(names, ["1.0", "2.0"], "`latest` has no 0");

    // A matching tag appears between the preview and the run: nothing is deleted.
    let pusher = world.registry.pusher().unwrap();
    pusher
        .push_image("dev/app", "3.0", &world.app2)
        .await
        .unwrap();
    crawl_registry(&world.services, "local").await.unwrap();
    let actor = Actor::new(developer.clone(), "test");
    let refused = deletion::delete(
        &world.services,
        &actor,
        &matching(Some(plan.fingerprint.clone())),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, DomainError::Conflict(_)), "{refused}");
    assert!(world.digest_of("dev/app", "1.0").await.is_some());

    let again = deletion::preview(&world.services, &developer, &matching(None))
        .await
        .unwrap();
    let report = deletion::delete(&world.services, &actor, &matching(Some(again.fingerprint)))
        .await
        .unwrap();
    assert_eq!(report.deleted().count(), 3);
    assert_eq!(
        world.digest_of("dev/app", "latest").await,
        Some(world.app.manifest.digest())
    );
}

/// Forwards to the real registry, but answers 500 to every DELETE whose path `fails` (a fault
/// the real registry cannot produce on demand).
pub(crate) async fn failing_deletes(
    registry: &url::Url,
    fails: impl Fn(&str) -> bool + Send + Sync + 'static,
) -> url::Url {
    use axum::extract::{Request, State};
    use axum::response::IntoResponse;
    #[derive(Clone)]
    struct Proxy {
        upstream: url::Url,
        fails: std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>,
        http: reqwest::Client,
    }
    async fn forward(State(proxy): State<Proxy>, request: Request) -> axum::response::Response {
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        if request.method() == axum::http::Method::DELETE && (proxy.fails)(&path) {
            return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "injected").into_response();
        }
        let url = proxy.upstream.join(path.trim_start_matches('/')).unwrap();
        let mut upstream = proxy.http.request(request.method().clone(), url);
        // Host too: the registry writes its upload Locations for the host it was asked as.
        for (name, value) in request.headers() {
            upstream = upstream.header(name, value);
        }
        let body = axum::body::to_bytes(request.into_body(), usize::MAX)
            .await
            .unwrap();
        let answer = upstream.body(body).send().await.unwrap();
        let mut response = axum::response::Response::builder().status(answer.status());
        // The body is forwarded whole: its framing is this server's (a long tag list comes
        // chunked from the registry, and chunked plus a length is no valid answer).
        let framing = [
            axum::http::header::TRANSFER_ENCODING,
            axum::http::header::CONTENT_LENGTH,
            axum::http::header::CONNECTION,
        ];
        for (name, value) in answer.headers() {
            if !framing.contains(name) {
                response = response.header(name, value);
            }
        }
        response
            .body(axum::body::Body::from(answer.bytes().await.unwrap()))
            .unwrap()
    }
    let proxy = Proxy {
        upstream: registry.clone(),
        fails: std::sync::Arc::new(fails),
        http: reqwest::Client::new(),
    };
    crate::registry_faults::serve(axum::Router::new().fallback(forward).with_state(proxy)).await
}

#[tokio::test]
async fn a_bulk_deletion_reports_the_tag_that_failed_and_deletes_the_rest() {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let images: Vec<Image> = (0..3)
        .map(|i| on("amd64", vec![opaque_layer(1_000, 40 + i)], "bulk"))
        .collect();
    let pusher = registry.pusher().unwrap();
    for (i, image) in images.iter().enumerate() {
        pusher
            .push_image("dev/app", &format!("{i}"), image)
            .await
            .unwrap();
    }
    let failing = images[1].manifest.digest();
    let fails = failing.clone();
    let proxy = failing_deletes(&registry.url, move |path| path.ends_with(&fails)).await;
    let (_dir, services) = crate::start_dev_services(&proxy).await;
    crawl_registry(&services, "local").await.unwrap();
    let actor = Actor::new(User::not_stored("d", Role::Developer), "test");
    let report = deletion::delete(
        &services,
        &actor,
        &request("dev/app", &["0", "1", "2"], None),
    )
    .await
    .unwrap();
    let TagResult::Failed(why) = result_of(&report, "1") else {
        panic!("{report:?}");
    };
    assert!(why.contains("500") || why.contains("injected"), "{why}");
    assert_eq!(report.deleted().count(), 2);
    let trash = deletion::trash_list(&services, &actor.user, 10)
        .await
        .unwrap();
    let mut trashed: Vec<&str> = trash.iter().map(|t| t.tag.as_str()).collect();
    trashed.sort();
    assert_eq!(
        trashed,
        ["0", "2"],
        "no trash entry for what was not deleted"
    );
    let status: String = regatta_core::db::query_scalar("SELECT status FROM deletions")
        .fetch_one(&services.db)
        .await
        .unwrap();
    assert_eq!(status, "partial");
    let client = RegistryClient::new(Endpoint::anonymous("local", registry.url.clone())).unwrap();
    let mut present = Vec::new();
    for tag in ["0", "1", "2"] {
        let reference = Reference::Tag(Tag::parse(tag).unwrap());
        let head = client
            .head_manifest(&repo_name("dev/app"), &reference)
            .await;
        present.push(head.unwrap().is_some());
    }
    assert_eq!(
        present,
        [false, true, false],
        "only the failed one is still there"
    );
}

#[tokio::test]
async fn a_sibling_safe_deletion_after_gc_pushes_the_collected_throw_away_config_again() {
    let world = world().await;
    let report = world
        .delete(Role::Developer, "dev/app", &["1.0"], None)
        .await
        .unwrap();
    assert_eq!(report.deleted().count(), 1);
    // GC collects the throw-away's config (no manifest refers to it any more).
    world.registry.garbage_collect().unwrap();
    let pusher = world.registry.pusher().unwrap();
    pusher
        .push_image("dev/app", "again", &world.app)
        .await
        .unwrap();
    crawl_registry(&world.services, "local").await.unwrap();
    let report = world
        .delete(Role::Developer, "dev/app", &["again"], None)
        .await
        .unwrap();
    assert!(
        matches!(
            result_of(&report, "again"),
            TagResult::Deleted {
                image_deleted: false,
                ..
            }
        ),
        "{report:?}"
    );
    assert_eq!(world.digest_of("dev/app", "again").await, None);
    assert_eq!(
        world.digest_of("dev/app", "latest").await,
        Some(world.app.manifest.digest())
    );
}

#[tokio::test]
async fn a_bulk_deletion_shows_its_progress_while_it_runs_and_not_after() {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let pusher = registry.pusher().unwrap();
    end2end::seed::seed_distinct_images(&pusher, "dev/bulk", 300, &[""])
        .await
        .unwrap();
    let (_dir, services) = crate::start_dev_services(&registry.url).await;
    crawl_registry(&services, "local").await.unwrap();
    let actor = Actor::new(User::not_stored("d", Role::Developer), "test");
    let whole = DeletionRequest {
        whole_repository: true,
        ..request("dev/bulk", &[], None)
    };
    let running = {
        let (services, actor) = (services.clone(), actor.clone());
        tokio::spawn(async move { deletion::delete(&services, &actor, &whole).await })
    };
    let mut seen = Vec::new();
    while !running.is_finished() {
        if let Some(progress) = deletion::running(&services, &actor.user).unwrap().first() {
            let done = progress
                .tags_done
                .load(std::sync::atomic::Ordering::Relaxed);
            seen.push((progress.target.clone(), done, progress.tags_total));
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let report = running.await.unwrap().unwrap();
    assert_eq!(report.deleted().count(), 300);
    assert!(
        seen.iter()
            .any(|(target, done, total)| target == "local/dev/bulk"
                && *total == 300
                && *done > 0
                && *done < 300),
        "part-way progress was visible: {:?}",
        seen.last()
    );
    assert!(
        deletion::running(&services, &actor.user)
            .unwrap()
            .is_empty(),
        "gone when done"
    );
}

#[tokio::test]
async fn deleting_a_repository_lowers_the_next_snapshot_by_exactly_the_predicted_bytes() {
    use regatta_core::storage::{storage_history, take_snapshot, Grouping};
    let world = world().await;
    let viewer = User::not_stored("v", Role::Viewer);
    let stored = || async {
        take_snapshot(&world.services).await.unwrap();
        let histories = storage_history(
            &world.services,
            &viewer,
            Some("local"),
            Grouping::Environment,
        )
        .await
        .unwrap();
        histories[0].latest.clone().unwrap().stored_bytes
    };
    let before = stored().await;
    let whole = DeletionRequest {
        whole_repository: true,
        ..request("dev/tool", &[], None)
    };
    let developer = User::not_stored("d", Role::Developer);
    let predicted = deletion::preview(&world.services, &developer, &whole)
        .await
        .unwrap()
        .bytes_freed;
    assert!(predicted > 40_000, "the arm64 layer at least: {predicted}");
    let actor = Actor::new(developer, "test");
    let report = deletion::delete(&world.services, &actor, &whole)
        .await
        .unwrap();
    assert_eq!(report.deleted().count(), 2, "{report:?}");
    assert_eq!(before - stored().await, predicted);
}
