//! Regatta's domain: typed configuration, the database, users, sessions' business rules, the
//! audit trail and the registry client. Nothing here knows about Leptos or axum, so the same
//! services back the web UI, the CLI and background jobs.

pub mod accounts;
pub mod accounts_admin;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod browse;
pub mod clock;
pub mod config;
pub mod db;
pub mod deletion;
pub mod error;
pub mod gc;
pub mod health;
pub mod image_details;
pub mod index;
pub mod metrics;
pub mod promotion;
pub mod registry;
pub mod registry_status;
pub mod replicas;
pub mod retention;
pub mod schedule;
pub mod search;
pub mod services;
pub mod sessions;
pub mod sso;
pub mod storage;
pub mod tasks;
pub mod tokens;
pub mod users;
pub mod webhooks;

pub use error::DomainError;
pub use services::Services;
