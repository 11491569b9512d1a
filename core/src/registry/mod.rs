//! The registry client: OCI distribution API to any registry. Layers, each knowing nothing of
//! the ones above: `reference` (grammar) → `auth` (Basic, Bearer challenge → token, cache) →
//! `transport` (retries, timeouts) → `ops` (catalog, tags, manifests). No database, no web.

pub mod auth;
mod client;
mod endpoint;
pub mod error;
pub mod ops;
mod ping;
pub mod reference;
pub mod transport;

pub use client::{ClientOptions, RegistryClient, RegistryClients};
pub use endpoint::{host_of, Endpoint, Tls};
pub use error::RegistryError;
pub use ping::{ApiCheck, HealthLevel, RegistryHealth};
pub use reference::{Digest, Reference, ReferenceError, RepoName, RepoReference, Tag};
