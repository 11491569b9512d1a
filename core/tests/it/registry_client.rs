//! The registry client against real CNCF distribution registries: listing, manifests of every
//! kind, digests, Basic auth, TLS with a private CA, and a catalog past one page.

use end2end::images::{self, app_image};
use end2end::{RegistryFixture, RegistryOptions};
use regatta_core::config::{RegistryAuth, RegistryConfig};
use regatta_core::registry::ops::Manifest;
use regatta_core::registry::{
    ApiCheck, Endpoint, Reference, RegistryClient, RegistryError, RepoName,
};

fn client_for(registry: &RegistryFixture, auth: RegistryAuth) -> RegistryClient {
    let config = RegistryConfig {
        auth,
        ca_file: registry.ca_file.clone(),
        ..RegistryConfig::anonymous("test", registry.url.clone())
    };
    RegistryClient::new(config.endpoint(&Default::default()).unwrap()).unwrap()
}

fn basic(user: &str, password: &str) -> RegistryAuth {
    RegistryAuth::Basic {
        username: user.into(),
        password: Some(password.to_string().into()),
        password_env: None,
    }
}

fn repo(name: &str) -> RepoName {
    RepoName::parse(name).unwrap()
}

fn reference(text: &str) -> Reference {
    Reference::parse(text).unwrap()
}

#[tokio::test]
async fn lists_repositories_and_tags_of_a_seeded_registry() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let client = client_for(&registry, RegistryAuth::None);
    let repos: Vec<String> = client
        .list_repositories()
        .await
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    assert_eq!(
        repos,
        [
            "dev/billing-worker",
            "dev/shop-api",
            "dev/toolbox",
            "prod/shop-api",
            "staging/shop-api",
            "staging/toolbox"
        ]
    );
    let mut tags: Vec<String> = client
        .list_tags(&repo("dev/shop-api"))
        .await
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    tags.sort();
    assert_eq!(tags, ["1.0.0", "1.1.0", "1.2.0", "latest"]);
}

#[tokio::test]
async fn fetches_oci_images_and_indexes_with_verified_digests() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let client = client_for(&registry, RegistryAuth::None);
    let expected = app_image("shop-api", "1.2.0", "amd64");

    let latest = client
        .get_manifest(&repo("dev/shop-api"), &reference("latest"))
        .await
        .unwrap();
    assert_eq!(latest.digest.to_string(), expected.manifest.digest());
    assert_eq!(latest.media_type, images::OCI_MANIFEST);
    let Manifest::Image(image) = &latest.manifest else {
        panic!("an image manifest")
    };
    assert_eq!(image.layers().len(), 2);
    assert_eq!(
        image.config().digest().to_string(),
        expected.config.digest()
    );

    let by_digest = client
        .get_manifest(
            &repo("dev/shop-api"),
            &reference(&expected.manifest.digest()),
        )
        .await
        .unwrap();
    assert_eq!(by_digest.bytes, latest.bytes);

    let head = client
        .head_manifest(&repo("dev/shop-api"), &reference("1.2.0"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head.digest, latest.digest);
    assert_eq!(head.size, latest.bytes.len() as u64);

    let index = client
        .get_manifest(&repo("dev/toolbox"), &reference("2.0"))
        .await
        .unwrap();
    assert_eq!(index.media_type, images::OCI_INDEX);
    let Manifest::Index(index) = &index.manifest else {
        panic!("an index")
    };
    let archs: Vec<String> = index
        .manifests()
        .iter()
        .map(|m| m.platform().as_ref().unwrap().architecture().to_string())
        .collect();
    assert_eq!(archs, ["amd64", "arm64"]);
}

#[tokio::test]
async fn docker_schema2_manifests_keep_their_digest() {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let image = images::docker_image("legacy", "1.0");
    registry
        .pusher()
        .unwrap()
        .push_image("dev/legacy", "1.0", &image)
        .await
        .unwrap();
    let client = client_for(&registry, RegistryAuth::None);
    let fetched = client
        .get_manifest(&repo("dev/legacy"), &reference("1.0"))
        .await
        .unwrap();
    assert_eq!(fetched.media_type, images::DOCKER_MANIFEST);
    assert_eq!(
        fetched.digest.to_string(),
        image.manifest.digest(),
        "not converted to schema1"
    );
    assert!(matches!(fetched.manifest, Manifest::Image(_)));
}

#[tokio::test]
async fn missing_things_are_none_or_named_errors() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let client = client_for(&registry, RegistryAuth::None);
    assert_eq!(
        client
            .head_manifest(&repo("dev/shop-api"), &reference("9.9.9"))
            .await
            .unwrap(),
        None
    );
    let error = client
        .get_manifest(&repo("dev/shop-api"), &reference("9.9.9"))
        .await
        .unwrap_err();
    assert!(error.has_code("MANIFEST_UNKNOWN"), "{error}");
    assert_eq!(error.status(), Some(404));
    let error = client.list_tags(&repo("dev/nothing")).await.unwrap_err();
    assert!(error.has_code("NAME_UNKNOWN"), "{error}");
}

#[tokio::test]
async fn basic_auth_over_tls_with_a_private_ca() {
    let registry = RegistryFixture::start_seeded(RegistryOptions {
        basic_auth: Some(("ci".into(), "ci-password".into())),
        tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = client_for(&registry, basic("ci", "ci-password"));
    assert_eq!(client.ping().await.check, ApiCheck::Ok);
    assert_eq!(client.list_repositories().await.unwrap().len(), 6);

    let anonymous = client_for(&registry, RegistryAuth::None);
    let error = anonymous.list_repositories().await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert!(
        error
            .to_string()
            .contains("refused scope `registry:catalog:*`"),
        "{error}"
    );

    let wrong = client_for(&registry, basic("ci", "wrong"));
    assert!(
        matches!(wrong.ping().await.check, ApiCheck::AuthRequired { ref scheme, .. } if scheme == "Basic")
    );

    let untrusting =
        RegistryClient::new(Endpoint::anonymous("no-ca", registry.url.clone())).unwrap();
    let error = untrusting.list_repositories().await.unwrap_err();
    assert!(matches!(error, RegistryError::Tls { .. }), "{error:?}");
    assert!(error.to_string().contains("set `ca_file`"), "{error}");
}

#[tokio::test]
async fn the_catalog_is_followed_past_one_thousand_repositories() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let pusher = registry.pusher().unwrap();
    let base = images::base_layer().blob.digest();
    // A bare cross-repository mount creates a catalog entry: cheap many repositories.
    let names: Vec<String> = (0..1100).map(|i| format!("bulk/repo-{i:04}")).collect();
    for chunk in names.chunks(50) {
        let mounts = chunk
            .iter()
            .map(|name| pusher.mount_blob(name, "dev/shop-api", &base));
        for result in futures_util::future::join_all(mounts).await {
            result.unwrap();
        }
    }
    let client = client_for(&registry, RegistryAuth::None);
    let repos = client.list_repositories().await.unwrap();
    assert_eq!(repos.len(), 1100 + 6);
    assert_eq!(
        repos
            .iter()
            .filter(|r| r.as_str().starts_with("bulk/"))
            .count(),
        1100
    );
}
