//! The registry client: one configured HTTP client per upstream registry. It knows nothing of
//! the database or the web; the full OCI distribution operations grow here.

mod client;
mod ping;

pub use client::{RegistryClient, RegistryClients};
pub use ping::{ApiCheck, RegistryHealth};
