//! Registry operations of the OCI distribution spec, each over [`super::RegistryClient::send`]
//! (which handles auth and retries): catalog and tag listing with pagination, manifests.

mod body;
mod catalog;
mod link;
pub mod manifest;
mod paged;
mod tags;

pub use link::next_link;
pub use manifest::{FetchedManifest, Manifest, ManifestHead, MANIFEST_ACCEPT};
