//! Promotion against real registries: within one registry by cross-repository mount (no blob
//! bytes move — checked in the registry's access log), across registries byte for byte (checked
//! with skopeo), a target killed mid-copy then a retry, and the pipeline's rules.

mod across_registries;
mod attachments;
mod mount;
mod owned_by_the_server;
mod rules;
mod webhooks;

use end2end::images::{self, Image};
use end2end::settings::{Environment, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
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
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("build", &dev_registry.url))
        .registry(Registry::new("release", &prod_registry.url))
        .environment(Environment::new("dev", "build").prefix("dev/"))
        .environment(Environment::new("staging", "build").prefix("staging/"))
        .environment(
            Environment::new("prod", "release")
                .prefix("prod/")
                .protected()
                .immutable_tags(),
        )
        .to_toml();
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

/// A developer promotes dev/shop-api:1.2.0 to staging: where most promotion tests start.
async fn promote_shop_api_to_staging(services: &Services) -> promotion::PromotionOutcome {
    promotion::promote(
        services,
        &Actor::new(user(Role::Developer), "test"),
        &request("dev/shop-api", "1.2.0", "staging"),
    )
    .await
    .unwrap()
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

fn app_digest(version: &str) -> String {
    images::app_image("shop-api", version, "amd64")
        .manifest
        .digest()
}
