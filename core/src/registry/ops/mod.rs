//! Registry operations of the OCI distribution spec, each over [`super::RegistryClient::send`]
//! (which handles auth and retries): catalog and tag listing with pagination, manifests,
//! blobs, uploads and mounts, deletion, referrers.

mod blobs;
mod body;
mod catalog;
mod link;
pub mod manifest;
mod manifest_write;
mod paged;
mod referrers;
mod tags;
mod upload;

pub use link::{next_link, next_target};
pub use manifest::{FetchedManifest, Manifest, ManifestHead, MANIFEST_ACCEPT};
pub use manifest_write::TagDeletion;
pub use upload::MountOutcome;
