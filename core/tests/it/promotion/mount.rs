//! Within one registry blobs are mounted: no blob bytes move (checked in the access log).

use super::*;

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

    let outcome = promote_shop_api_to_staging(&services).await;
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
