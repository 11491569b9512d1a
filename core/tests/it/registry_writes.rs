//! Writes against a real distribution registry: uploads (monolithic and chunked), mounts (201
//! and 202), manifests, deleting one tag without its siblings, configs, referrers — and that
//! skopeo reads back what we pushed with the same digest.

use bytes::Bytes;
use end2end::images::{self, app_image, OCI_INDEX, OCI_MANIFEST};
use end2end::{RegistryFixture, RegistryOptions};
use futures_util::StreamExt;
use regatta_core::registry::ops::{MountOutcome, TagDeletion};
use regatta_core::registry::{Digest, Endpoint, Reference, RegistryClient, RepoName, Tag};
use std::process::Command;

fn client(registry: &RegistryFixture) -> RegistryClient {
    RegistryClient::new(Endpoint::anonymous("local", registry.url.clone())).unwrap()
}

fn repo(name: &str) -> RepoName {
    RepoName::parse(name).unwrap()
}

/// 3 MiB that do not compress away.
fn large_content() -> Bytes {
    let mut state: u64 = 0x9E3779B97F4A7C15;
    let bytes: Vec<u8> = (0..3 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    Bytes::from(bytes)
}

#[tokio::test]
async fn monolithic_and_chunked_uploads_store_verified_content() {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let client = client(&registry);
    let content = large_content();
    let chunked = client
        .push_blob_chunked(&repo("dev/big"), content.clone(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(chunked, Digest::sha256_of(&content));
    assert_eq!(
        client.head_blob(&repo("dev/big"), &chunked).await.unwrap(),
        Some(content.len() as u64)
    );

    let mut streamed = Vec::new();
    let mut stream = Box::pin(client.get_blob(&repo("dev/big"), &chunked).await.unwrap());
    while let Some(chunk) = stream.next().await {
        streamed.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(streamed, content);

    let small = Bytes::from_static(b"a small monolithic blob");
    let monolithic = client
        .push_blob(&repo("dev/small"), small.clone())
        .await
        .unwrap();
    assert_eq!(
        client
            .get_blob_bytes(&repo("dev/small"), &monolithic, 1024)
            .await
            .unwrap(),
        small
    );
    let error = client
        .get_blob_bytes(&repo("dev/big"), &chunked, 1024)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("larger than 1024 bytes"),
        "{error}"
    );
}

#[tokio::test]
async fn mounts_link_existing_blobs_and_report_when_they_cannot() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let client = client(&registry);
    let base = Digest::parse(&images::base_layer().blob.digest()).unwrap();
    let mounted = client
        .mount_blob(&repo("prod/new-service"), &repo("dev/shop-api"), &base)
        .await
        .unwrap();
    assert_eq!(mounted, MountOutcome::Mounted);
    assert!(client
        .head_blob(&repo("prod/new-service"), &base)
        .await
        .unwrap()
        .is_some());

    let absent = Digest::sha256_of(b"never pushed");
    let outcome = client
        .mount_blob(&repo("prod/new-service"), &repo("dev/shop-api"), &absent)
        .await
        .unwrap();
    assert_eq!(outcome, MountOutcome::NotMounted);
}

#[tokio::test]
async fn pushed_images_read_back_identically_with_skopeo() {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let client = client(&registry);
    let image = app_image("pushed", "1.0", "amd64");
    let target = repo("dev/pushed");
    for layer in &image.layers {
        client
            .push_blob(&target, Bytes::from(layer.blob.bytes.clone()))
            .await
            .unwrap();
    }
    client
        .push_blob(&target, Bytes::from(image.config.bytes.clone()))
        .await
        .unwrap();
    let tag = Reference::parse("1.0").unwrap();
    let digest = client
        .push_manifest(
            &target,
            &tag,
            OCI_MANIFEST,
            Bytes::from(image.manifest.bytes.clone()),
        )
        .await
        .unwrap();
    assert_eq!(digest.to_string(), image.manifest.digest());

    let reference = format!("docker://{}/dev/pushed:1.0", registry.host());
    let inspect = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", &reference])
        .output()
        .unwrap();
    assert!(
        inspect.status.success(),
        "{}",
        String::from_utf8_lossy(&inspect.stderr)
    );
    let inspected: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(inspected["Digest"], digest.to_string());
    assert_eq!(
        inspected["Labels"]["org.opencontainers.image.version"],
        "1.0"
    );
    let raw = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false", &reference])
        .output()
        .unwrap();
    assert_eq!(
        raw.stdout, image.manifest.bytes,
        "skopeo reads back the exact bytes"
    );

    let config = client
        .get_config(&target, &Digest::parse(&image.config.digest()).unwrap())
        .await
        .unwrap();
    assert_eq!(config.architecture().to_string(), "amd64");
    assert_eq!(config.history().as_ref().unwrap().len(), 2);
}

#[tokio::test]
async fn deleting_one_tag_keeps_its_siblings() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let client = client(&registry);
    let shop = repo("dev/shop-api");
    let before = client
        .head_manifest(&shop, &Reference::parse("1.2.0").unwrap())
        .await
        .unwrap()
        .unwrap();
    let latest = client
        .head_manifest(&shop, &Reference::parse("latest").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        before.digest, latest.digest,
        "the seed makes latest and 1.2.0 siblings"
    );

    let how = client
        .delete_tag(&shop, &Tag::parse("latest").unwrap())
        .await
        .unwrap();
    assert_eq!(
        how,
        TagDeletion::ThrowAwayManifest,
        "distribution 2.8 deletes by digest only"
    );
    let mut tags: Vec<String> = client
        .list_tags(&shop)
        .await
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    tags.sort();
    assert_eq!(tags, ["1.0.0", "1.1.0", "1.2.0"]);
    let after = client
        .head_manifest(&shop, &Reference::parse("1.2.0").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.digest, before.digest);

    client.delete_manifest(&shop, &before.digest).await.unwrap();
    assert_eq!(
        client
            .head_manifest(&shop, &Reference::parse("1.2.0").unwrap())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn referrers_are_found_through_the_fallback_tag() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let client = client(&registry);
    let shop = repo("dev/shop-api");
    let subject = client
        .head_manifest(&shop, &Reference::parse("1.0.0").unwrap())
        .await
        .unwrap()
        .unwrap();

    let empty = client
        .push_blob(&shop, Bytes::from_static(b"{}"))
        .await
        .unwrap();
    let signature = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty.as_str(), "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty.as_str(), "size": 2}],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest.as_str(), "size": subject.size},
    });
    let signature = Bytes::from(serde_json::to_vec(&signature).unwrap());
    let signature_digest = Digest::sha256_of(&signature);
    let by_digest = Reference::Digest(signature_digest.clone());
    client
        .push_manifest(&shop, &by_digest, OCI_MANIFEST, signature.clone())
        .await
        .unwrap();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": signature_digest.as_str(), "size": signature.len(),
                       "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json"}],
    });
    let fallback = Reference::parse(&format!("sha256-{}", subject.digest.hex())).unwrap();
    client
        .push_manifest(
            &shop,
            &fallback,
            OCI_INDEX,
            Bytes::from(serde_json::to_vec(&index).unwrap()),
        )
        .await
        .unwrap();

    let referrers = client.referrers(&shop, &subject.digest).await.unwrap();
    assert_eq!(referrers.len(), 1);
    assert_eq!(
        referrers[0].digest().to_string(),
        signature_digest.to_string()
    );
    let other = client
        .head_manifest(&shop, &Reference::parse("1.1.0").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(client
        .referrers(&shop, &other.digest)
        .await
        .unwrap()
        .is_empty());
}
