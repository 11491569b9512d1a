//! Promotion against real registries: within one registry by cross-repository mount (no blob
//! bytes move — checked in the registry's access log), across registries byte for byte (checked
//! with skopeo), a target killed mid-copy then a retry, and the pipeline's rules.

use end2end::images::{self, Image};
use end2end::{RegistryFixture, RegistryOptions};
use regatta_core::audit::Actor;
use regatta_core::config::parse_settings;
use regatta_core::index::{crawl_registry, registry_id, tags_of_registry};
use regatta_core::promotion::WebhookState;
use regatta_core::promotion::{self, PromotionRequest};
use regatta_core::registry::{Reference, RepoName, Tag};
use regatta_core::users::{Role, User};
use regatta_core::{DomainError, Services};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn user(role: Role) -> User {
    User::not_stored(format!("{role}-user"), role)
}

/// dev and staging in `dev_registry`, prod (protected, immutable tags) in `prod_registry`.
async fn services(
    dir: &tempfile::TempDir,
    dev_registry: &RegistryFixture,
    prod_registry: &RegistryFixture,
) -> Services {
    let text = format!(
        r#"database = "{db}"
[[registry]]
name = "build"
url = "{dev}"
[[registry]]
name = "release"
url = "{prod}"
[[environment]]
name = "dev"
registry = "build"
prefix = "dev/"
[[environment]]
name = "staging"
registry = "build"
prefix = "staging/"
[[environment]]
name = "prod"
registry = "release"
prefix = "prod/"
protected = true
immutable_tags = true
"#,
        db = dir.path().join("regatta.db").display(),
        dev = dev_registry.url,
        prod = prod_registry.url,
    );
    Services::start(parse_settings("test.toml", &text, &[]).unwrap())
        .await
        .unwrap()
}

/// `build` seeded with the demo images, `release` empty, and services over both.
async fn seeded_pair() -> (
    RegistryFixture,
    RegistryFixture,
    tempfile::TempDir,
    Services,
) {
    let build = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let release = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir, &build, &release).await;
    (build, release, dir, services)
}

fn request(repository: &str, tag: &str, to: &str) -> PromotionRequest {
    PromotionRequest {
        registry: "build".into(),
        repository: repository.into(),
        tag: tag.into(),
        to_environment: to.into(),
        target_tag: None,
        with_attachments: true,
    }
}

fn raw_manifest(registry: &RegistryFixture, reference: &str) -> Vec<u8> {
    let output = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{}/{reference}", registry.host()))
        .output()
        .expect("running skopeo");
    assert!(
        output.status.success(),
        "skopeo: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[tokio::test]
async fn within_one_registry_blobs_are_mounted_and_no_bytes_move() {
    let build = RegistryFixture::start(RegistryOptions {
        access_log: true,
        ..Default::default()
    })
    .await
    .unwrap();
    end2end::seed::seed_demo(&build.pusher().unwrap())
        .await
        .unwrap();
    let release = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir, &build, &release).await;
    crawl_registry(&services, "build").await.unwrap();
    let log_before = build.log().len();

    let outcome = promotion::promote(
        &services,
        &Actor::new(user(Role::Developer), "127.0.0.1"),
        &request("dev/shop-api", "1.2.0", "staging"),
    )
    .await
    .unwrap();
    assert_eq!(outcome.report.bytes_moved, 0);
    assert_eq!(outcome.report.blobs_copied, 0);
    assert_eq!(
        (outcome.report.blobs_mounted, outcome.report.blobs_present),
        (2, 1),
        "config and app layer mounted; the base layer was already in staging/shop-api"
    );
    let source_digest = images::app_image("shop-api", "1.2.0", "amd64")
        .manifest
        .digest();
    let client = services.registries.get("build").unwrap();
    let head = client
        .head_manifest(
            &RepoName::parse("staging/shop-api").unwrap(),
            &Reference::Tag(Tag::parse("1.2.0").unwrap()),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.digest.as_str(), source_digest);

    // The registry saw mounts only: no upload PATCH, no blob PUT.
    let log = &build.log()[log_before..];
    let uploads: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("\"PATCH ") || (l.contains("\"PUT ") && l.contains("/blobs/uploads/"))
        })
        .collect();
    assert!(uploads.is_empty(), "blob bytes were uploaded: {uploads:?}");
    let mounts = log
        .lines()
        .filter(|l| {
            l.contains("\"POST /v2/staging/shop-api/blobs/uploads/?mount=") && l.contains("\" 201 ")
        })
        .count();
    assert_eq!(mounts, 2, "two mounts answered 201 Created:\n{log}");

    // The index shows the promoted tag at once; history and audit trail have it.
    let id = registry_id(&services.db, "build").await.unwrap();
    let indexed = tags_of_registry(&services.db, id).await.unwrap();
    assert!(indexed.iter().any(|t| t.repository == "staging/shop-api"
        && t.tag == "1.2.0"
        && t.digest == source_digest));
    let history = promotion::history(&services, &user(Role::Viewer), 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status.as_str(), "succeeded");
    assert_eq!(history[0].actor, "developer-user");
    let audit = end2end::audit::rows(&dir.path().join("regatta.db")).await;
    assert!(
        audit
            .iter()
            .any(|r| r.action == "promotion" && r.outcome == "ok"),
        "{audit:?}"
    );
}

#[tokio::test]
async fn across_registries_a_multi_arch_index_arrives_byte_for_byte() {
    let (build, release, _dir, services) = seeded_pair().await;
    let maintainer = user(Role::Maintainer);

    let preview = promotion::preview(
        &services,
        &maintainer,
        &request("staging/toolbox", "2.0", "prod"),
    )
    .await
    .unwrap();
    assert_eq!(preview.target.repository.as_str(), "prod/toolbox");
    assert_eq!(
        preview.manifests.len(),
        3,
        "two platform images, then the index"
    );
    let unique_blobs = 5; // the shared base, two app layers, two configs
    assert_eq!(preview.blobs.len(), unique_blobs);
    assert!(preview.bytes_to_move() > 0);
    assert_eq!(preview.target_current, None);

    // Two promotions to the same target at once run one after the other: the second, planned
    // again after waiting, finds everything there and moves nothing.
    let promote = || {
        let services = services.clone();
        let maintainer = maintainer.clone();
        tokio::spawn(async move {
            promotion::promote(
                &services,
                &Actor::new(maintainer.clone(), "test"),
                &request("staging/toolbox", "2.0", "prod"),
            )
            .await
        })
    };
    let (first, second) = (promote(), promote());
    let mut reports = [
        first.await.unwrap().unwrap().report,
        second.await.unwrap().unwrap().report,
    ];
    reports.sort_by_key(|r| r.bytes_moved);
    assert_eq!(reports[0].bytes_moved, 0);
    assert_eq!(reports[0].blobs_present, unique_blobs as u32);
    assert_eq!(reports[1].blobs_copied, unique_blobs as u32);
    assert_eq!(reports[1].bytes_moved, preview.bytes_to_move());
    assert_eq!(
        raw_manifest(&release, "prod/toolbox:2.0"),
        raw_manifest(&build, "staging/toolbox:2.0"),
        "the index arrives byte for byte, so its digest is kept"
    );
}

#[tokio::test]
async fn a_target_killed_mid_copy_leaves_no_tag_and_a_retry_finishes() {
    let build = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let big: Image = images::image(
        "linux",
        "amd64",
        vec![images::opaque_layer(48 << 20, 7)],
        &[],
    );
    build
        .pusher()
        .unwrap()
        .push_image("staging/data", "1.0", &big)
        .await
        .unwrap();
    let mut release = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir, &build, &release).await;

    let running = {
        let services = services.clone();
        tokio::spawn(async move {
            promotion::promote(
                &services,
                &Actor::new(user(Role::Admin), "test"),
                &request("staging/data", "1.0", "prod"),
            )
            .await
        })
    };
    // Kill the target once the layer is on its way (the first promotion has id 1).
    let started = std::time::Instant::now();
    loop {
        let done = services
            .promotion_progress
            .get(1)
            .map(|p| p.bytes_done.load(Ordering::Relaxed))
            .unwrap_or(0);
        if done > 8 << 20 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the copy never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let now = promotion::running(&services, &user(Role::Viewer)).unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].1.target, "release/prod/data:1.0");
    assert!(now[0].1.bytes_total.load(Ordering::Relaxed) > 48 << 20);
    release.stop();
    let failed = running.await.unwrap();
    match failed {
        Err(DomainError::Unavailable(message)) => {
            assert!(message.contains("target tag was not changed"), "{message}")
        }
        other => panic!("expected a failed promotion, got {other:?}"),
    }

    release.restart().await.unwrap();
    let target = services.registries.get("release").unwrap();
    let prod_data = RepoName::parse("prod/data").unwrap();
    let tag = Reference::Tag(Tag::parse("1.0").unwrap());
    assert_eq!(
        target.head_manifest(&prod_data, &tag).await.unwrap(),
        None,
        "no dangling tag after the failure"
    );
    let retry = promotion::promote(
        &services,
        &Actor::new(user(Role::Admin), "test"),
        &request("staging/data", "1.0", "prod"),
    )
    .await
    .unwrap();
    // The interrupted layer is sent again; the small config may or may not have made it.
    assert!(retry.report.blobs_copied >= 1, "{:?}", retry.report);
    assert_eq!(retry.report.blobs_copied + retry.report.blobs_present, 2);
    let head = target
        .head_manifest(&prod_data, &tag)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.digest.as_str(), big.manifest.digest());

    let history = promotion::history(&services, &user(Role::Viewer), 10)
        .await
        .unwrap();
    let statuses: Vec<&str> = history.iter().map(|h| h.status.as_str()).collect();
    assert_eq!(statuses, ["succeeded", "failed"]);
}

#[tokio::test]
async fn the_pipeline_rules_are_enforced_on_the_server() {
    let (_build, _release, _dir, services) = seeded_pair().await;
    let attempt = |role: Role, repository: &str, tag: &str, to: &str, target_tag: Option<&str>| {
        let services = services.clone();
        let mut request = request(repository, tag, to);
        request.target_tag = target_tag.map(str::to_string);
        async move { promotion::preview(&services, &user(role), &request).await }
    };

    let viewer = attempt(Role::Viewer, "dev/shop-api", "1.2.0", "staging", None).await;
    assert!(
        matches!(viewer, Err(DomainError::Forbidden { .. })),
        "{viewer:?}"
    );
    let skip = attempt(Role::Developer, "dev/shop-api", "1.2.0", "prod", None).await;
    assert!(
        matches!(&skip, Err(DomainError::Forbidden { need, .. }) if need == "maintainer"),
        "{skip:?}"
    );
    let into_protected = attempt(Role::Developer, "staging/shop-api", "1.1.0", "prod", None).await;
    assert!(matches!(into_protected, Err(DomainError::Forbidden { .. })));
    let backwards = attempt(Role::Maintainer, "staging/shop-api", "1.1.0", "dev", None).await;
    assert!(
        matches!(&backwards, Err(DomainError::NotAllowed(m)) if m.contains("forward")),
        "{backwards:?}"
    );
    assert!(
        attempt(Role::Admin, "staging/shop-api", "1.1.0", "dev", None)
            .await
            .is_ok()
    );
    let bad_tag = attempt(
        Role::Developer,
        "dev/shop-api",
        "1.2.0",
        "staging",
        Some("no good"),
    )
    .await;
    assert!(matches!(bad_tag, Err(DomainError::Invalid(_))));
    let missing = attempt(Role::Developer, "dev/shop-api", "9.9.9", "staging", None).await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );

    // prod's tags are immutable: 1.0.0 may be promoted again, but not moved to other bytes.
    let maintainer = user(Role::Maintainer);
    promotion::promote(
        &services,
        &Actor::new(maintainer.clone(), "test"),
        &request("staging/shop-api", "1.0.0", "prod"),
    )
    .await
    .unwrap();
    assert!(
        attempt(Role::Maintainer, "staging/shop-api", "1.0.0", "prod", None)
            .await
            .is_ok()
    );
    let moved = attempt(
        Role::Maintainer,
        "staging/shop-api",
        "1.1.0",
        "prod",
        Some("1.0.0"),
    )
    .await;
    assert!(
        matches!(&moved, Err(DomainError::NotAllowed(m)) if m.contains("immutable")),
        "{moved:?}"
    );
}

#[tokio::test]
async fn webhooks_are_signed_retried_after_a_failure_and_visible_in_the_history() {
    use axum::{extract::State, http::HeaderMap, routing::post, Router};
    use std::sync::{Arc, Mutex};
    // The receiver stands in for a deploy pipeline (not a registry): it fails the first call.
    type Calls = Arc<Mutex<Vec<(HeaderMap, String)>>>;
    let calls: Calls = Arc::default();
    let receiver = Router::new()
        .route(
            "/hook",
            post(
                |State(calls): State<Calls>, headers: HeaderMap, body: String| async move {
                    let mut calls = calls.lock().unwrap();
                    calls.push((headers, body));
                    if calls.len() == 1 {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::NO_CONTENT
                    }
                },
            ),
        )
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    let build = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "database = \"{}\"\n[[registry]]\nname = \"build\"\nurl = \"{}\"\n\
         [[environment]]\nname = \"dev\"\nregistry = \"build\"\nprefix = \"dev/\"\n\
         [[environment]]\nname = \"staging\"\nregistry = \"build\"\nprefix = \"staging/\"\n\
         [[webhook]]\nname = \"deploy\"\nurl = \"{hook}\"\nsecret_env = \"PROMOTION_TEST_WEBHOOK_SECRET\"\n",
        dir.path().join("regatta.db").display(),
        build.url
    );
    let env = [(
        "PROMOTION_TEST_WEBHOOK_SECRET".to_string(),
        "s3cret".to_string(),
    )];
    let mut services = Services::start(parse_settings("test.toml", &text, &env).unwrap())
        .await
        .unwrap();
    let clock = Arc::new(regatta_core::clock::ManualClock::new(
        time::OffsetDateTime::now_utc(),
    ));
    services.clock = clock.clone();

    promotion::promote(
        &services,
        &Actor::new(user(Role::Developer), "test"),
        &request("dev/shop-api", "1.2.0", "staging"),
    )
    .await
    .unwrap();
    // The first call goes out right after the promotion, and fails.
    let started = std::time::Instant::now();
    while calls.lock().unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no webhook call"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let history = || async {
        promotion::history(&services, &user(Role::Viewer), 1)
            .await
            .unwrap()[0]
            .webhooks
            .clone()
    };
    // Read as the history page shows them: `deploy: pending (HTTP 500)`.
    fn describe(states: Vec<WebhookState>) -> Option<String> {
        let described: Vec<String> = states
            .iter()
            .map(|w| match &w.last_error {
                Some(error) => format!("{}: {} ({error})", w.webhook, w.status),
                None => format!("{}: {}", w.webhook, w.status),
            })
            .collect();
        (!described.is_empty()).then(|| described.join("; "))
    }
    let history = || async { describe(history().await) };
    let mut pending = history().await;
    for _ in 0..100 {
        if pending.as_deref() != Some("deploy: pending") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        pending = history().await;
    }
    assert_eq!(pending.as_deref(), Some("deploy: pending (HTTP 500)"));

    // Not due yet; 10 s later it is, and the retry is delivered.
    assert_eq!(
        regatta_core::webhooks::deliver_due(&services)
            .await
            .unwrap(),
        0
    );
    clock.advance(time::Duration::seconds(11));
    assert_eq!(
        regatta_core::webhooks::deliver_due(&services)
            .await
            .unwrap(),
        1
    );
    assert_eq!(history().await.as_deref(), Some("deploy: delivered"));

    let calls = calls.lock().unwrap();
    assert_eq!(calls.len(), 2);
    let (headers, body) = &calls[1];
    assert_eq!(
        headers[regatta_core::webhooks::SIGNATURE_HEADER],
        regatta_core::webhooks::signature(b"s3cret", body.as_bytes()).as_str()
    );
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "promotion.succeeded");
    assert_eq!(
        payload["promotion"]["target"]["repository"],
        "staging/shop-api"
    );
    assert_eq!(
        payload["promotion"]["digest"],
        images::app_image("shop-api", "1.2.0", "amd64")
            .manifest
            .digest()
    );
}

#[tokio::test]
async fn signatures_travel_with_the_image_unless_left_behind() {
    let build = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let release = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    // cosign's tag scheme: the signature of sha256:<hex> is the tag sha256-<hex>.sig.
    let cosign_tag = |image: &str| format!("sha256-{}.sig", &image["sha256:".len()..]);
    let promoted = app_digest("1.2.0");
    let signature = images::app_image("cosign", "signature", "amd64");
    let pusher = build.pusher().unwrap();
    pusher
        .push_image("dev/shop-api", &cosign_tag(&promoted), &signature)
        .await
        .unwrap();
    pusher
        .push_image(
            "dev/shop-api",
            &cosign_tag(&app_digest("1.0.0")),
            &signature,
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let services = services(&dir, &build, &release).await;
    let client = services.registries.get("build").unwrap();
    let staging = RepoName::parse("staging/shop-api").unwrap();
    let signature_in_staging = || async {
        let tag = Reference::Tag(Tag::parse(&cosign_tag(&promoted)).unwrap());
        client.head_manifest(&staging, &tag).await.unwrap()
    };

    let mut without = request("dev/shop-api", "1.2.0", "staging");
    without.with_attachments = false;
    promotion::promote(
        &services,
        &Actor::new(user(Role::Developer), "test"),
        &without,
    )
    .await
    .unwrap();
    assert_eq!(signature_in_staging().await, None);

    let with = request("dev/shop-api", "1.2.0", "staging");
    let preview = promotion::preview(&services, &user(Role::Developer), &with)
        .await
        .unwrap();
    let carried: Vec<String> = preview
        .attachments
        .iter()
        .map(|a| a.tag.to_string())
        .collect();
    assert_eq!(
        carried,
        [cosign_tag(&promoted)],
        "only the promoted digest's signature"
    );
    promotion::promote(&services, &Actor::new(user(Role::Developer), "test"), &with)
        .await
        .unwrap();
    let copied = signature_in_staging()
        .await
        .expect("the signature was copied");
    assert_eq!(copied.digest.as_str(), signature.manifest.digest());
}

fn app_digest(version: &str) -> String {
    images::app_image("shop-api", version, "amd64")
        .manifest
        .digest()
}
