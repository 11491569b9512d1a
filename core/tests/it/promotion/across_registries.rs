//! Across registries: byte for byte (checked with skopeo), and a target killed mid-copy then a retry.

use super::*;

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
    let now = promotion::running(&services, &user(Role::Viewer))
        .await
        .unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].target, "release/prod/data:1.0");
    assert!(now[0].bytes_total > 48 << 20);
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
