//! One integration-test binary for the crate (each binary links the world: one link instead of
//! one per file). Each module is one concern.

mod browse_limits;
mod config_settings;
mod credential_helper;
mod deletion;
mod example_config;
mod index_crawl;
mod index_garbage;
mod promotion;
mod registry_client;
mod registry_faults;
mod registry_token_auth;
mod registry_token_faults;
mod registry_writes;
mod retention;
mod search;
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
