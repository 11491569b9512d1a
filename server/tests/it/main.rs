//! One integration-test binary for the crate (each binary links the world: one link instead of
//! one per file). Each module is one concern.

mod api;
mod audit;
mod cli;
mod grants;
mod hostile;
mod login;
mod metrics;
mod migrate_db;
mod notifications;
mod operations;
mod registry_health;
mod replicas;
mod sessions;
mod shutdown;
mod sso;
mod support;
mod two_registries;
