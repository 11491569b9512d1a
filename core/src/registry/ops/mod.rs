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
mod throw_away;
mod upload;

pub use link::{next_link, next_target};
pub use manifest::{FetchedManifest, Manifest, ManifestHead, MANIFEST_ACCEPT};
pub use manifest_write::TagDeletion;
pub use throw_away::{TagDeletionMemory, ThrowAway};
pub use upload::MountOutcome;

/// A list field that must be present but may be `null` (read as empty).
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<Vec<T>>::deserialize(deserializer).map(Option::unwrap_or_default)
}
