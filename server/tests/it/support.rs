//! What the tests of this binary share: the real `regatta` binary started on port 0, and a
//! client that behaves like a browser before hydration (keeps cookies, shows redirects).

use end2end::app_fixture::{AppFixture, AppOptions};
use end2end::SettingsFile;
use reqwest::{redirect::Policy, Client};
use std::path::Path;

pub async fn start_app() -> AppFixture {
    start_app_with(AppOptions::default()).await
}

pub async fn start_app_with(options: AppOptions) -> AppFixture {
    AppFixture::start(Path::new(env!("CARGO_BIN_EXE_regatta")), options)
        .await
        .expect("starting regatta")
}

pub async fn start_app_with_settings(settings: SettingsFile) -> AppFixture {
    start_app_with(AppOptions {
        settings,
        ..Default::default()
    })
    .await
}

pub fn browser_like_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The database an app started with `database(path)` runs on: the SQLite file, or (with
/// `REGATTA_TEST_DATABASE=postgres`) the PostgreSQL database standing for it. Migrated already
/// by the app; applying them again is a no-op.
pub async fn open_database(path: &Path) -> regatta_core::db::Db {
    match end2end::postgres::test_database_for(path) {
        Some(url) => regatta_core::db::connect_postgres(&url, None).await,
        None => regatta_core::db::connect_and_migrate(path).await,
    }
    .expect("opening the test database")
}
