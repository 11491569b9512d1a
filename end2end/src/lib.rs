//! The test harness: real processes, no mocks. A CNCF distribution registry on a free port
//! with seeded images, the `regatta` binary on port 0 with a fresh database, and headless
//! Chromium driven through chromedriver. Every fixture cleans up when dropped.

pub mod app_fixture;
pub mod audit;
pub mod browser;
pub mod ideal_fetch;
pub mod images;
pub mod oidc_provider;
pub mod page_timing;
pub mod ports;
pub mod postgres;
pub mod registry_fixture;
pub mod seed;
pub mod settings;
pub mod synthetic_audit;
pub mod synthetic_index;
pub mod synthetic_snapshots;
pub mod token_server;
pub mod wait;

pub use app_fixture::{AppFixture, AppOptions};
pub use browser::Browser;
pub use registry_fixture::{RegistryFixture, RegistryOptions};
pub use settings::SettingsFile;
