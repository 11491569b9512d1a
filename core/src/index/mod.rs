//! The index: what Regatta knows of each registry (repositories, tags, manifests, blobs), kept in
//! SQLite so lists and search never wait on a registry. Filled by the crawler, kept fresh by
//! registry notifications.

mod crawl;
mod describe;
mod forget;
pub mod notifications;
pub(crate) mod progress;
pub mod pulls;
mod refresh;
mod removal_guard;
mod resolve;
mod store;

pub use crawl::{crawl_all, crawl_registry, CrawlReport};
pub use describe::{describe_manifest, BlobRecord, ManifestKind, ManifestRecord};
pub use forget::forget_tags;
pub use progress::{CrawlProgress, CrawlProgressMap};
pub use refresh::refresh_tag;
pub use removal_guard::{Removal, RemovalGuard};
pub use resolve::ResolveError;
pub use store::pulls::pulls_known_since;
pub use store::{forget_verified, pages, registry_id, tags_of_registry, TagRow};
