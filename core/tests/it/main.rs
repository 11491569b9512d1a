//! One integration-test binary for the crate (each binary links the world: one link instead of
//! one per file). Each module is one concern.

mod accounts_admin;
mod audit_log;
mod browse_limits;
mod config_settings;
mod credential_helper;
mod deletion;
mod deletion_bulk;
mod example_config;
mod gc;
mod gc_harbor;
mod index_crawl;
mod index_garbage;
mod promotion;
mod registry_client;
mod registry_faults;
mod registry_token_auth;
mod registry_token_faults;
mod registry_writes;
mod replicas;
mod retention;
mod schema_parity;
mod search;
mod search_large;
mod storage_accounting;
mod storage_alerts;
mod storage_estimate;
mod storage_history;
mod storage_snapshots;
mod storage_untagged;
mod storage_unused;
mod user_cache;

/// Services on `settings` with a fresh database in a temporary directory (kept alive by the
/// returned guard).
pub(crate) async fn start_services(
    settings: end2end::SettingsFile,
) -> (tempfile::TempDir, regatta_core::Services) {
    let dir = tempfile::tempdir().unwrap();
    let text = settings.database(dir.path().join("regatta.db")).to_toml();
    let parsed = regatta_core::config::parse_settings("test.toml", &text, &[]).unwrap();
    (dir, regatta_core::Services::start(parsed).await.unwrap())
}

/// Fills `services`' database, whichever backend it is, with the synthetic index
/// (`end2end::synthetic_index`): `repositories` per registry, about ten tags each.
pub(crate) async fn fill_synthetic_index(
    services: &regatta_core::Services,
    registries: &[&str],
    repositories: usize,
) {
    use end2end::synthetic_index::{fill, Database};
    let db = Database::either(services.db.as_sqlite(), services.db.as_postgres());
    fill(db, registries, repositories).await.unwrap();
}

/// Services on one registry `local` at `url` with one environment `dev` (prefix `dev/`): the
/// setting most single-registry tests need.
pub(crate) async fn start_dev_services(
    url: impl std::fmt::Display,
) -> (tempfile::TempDir, regatta_core::Services) {
    use end2end::settings::{Environment, Registry};
    use end2end::SettingsFile;
    start_services(
        SettingsFile::new()
            .registry(Registry::new("local", &url))
            .environment(Environment::new("dev", "local").prefix("dev/")),
    )
    .await
}

/// An image of the shared `base` layer and a 10 kB layer of its own (`seed` makes it unique).
pub(crate) fn image_on(base: &end2end::images::Layer, seed: u64) -> end2end::images::Image {
    end2end::images::image(
        "linux",
        "amd64",
        vec![base.clone(), end2end::images::opaque_layer(10_000, seed)],
        &[("n", &seed.to_string())],
    )
}

/// What the registry stores for an [`image_on`] beyond the shared base: its own layer, config
/// and manifest.
pub(crate) fn own_bytes(image: &end2end::images::Image) -> u64 {
    (image.layers[1].blob.bytes.len() + image.config.bytes.len() + image.manifest.bytes.len())
        as u64
}
