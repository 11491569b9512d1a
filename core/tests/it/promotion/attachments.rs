//! Signatures, attestations and SBOMs attached by tag travel with the image.

use super::*;

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
