//! Turning what a registry serves into what the index stores: a manifest with its platform,
//! creation time, sizes, and the blobs (config, layers) or child manifests it references.

use crate::registry::ops::{FetchedManifest, Manifest};
use crate::registry::{Digest, Reference, RegistryClient, RegistryError, RepoName};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRecord {
    pub digest: String,
    pub size: i64,
    pub media_type: String,
}

#[derive(Debug, Clone)]
pub enum ManifestKind {
    Image {
        os: Option<String>,
        architecture: Option<String>,
        variant: Option<String>,
        created: Option<String>,
        /// Position 0 is the config, then the layers in order.
        blobs: Vec<BlobRecord>,
    },
    Index {
        children: Vec<ManifestRecord>,
    },
}

#[derive(Debug, Clone)]
pub struct ManifestRecord {
    pub digest: Digest,
    pub media_type: String,
    pub size: i64,
    pub kind: ManifestKind,
}

impl ManifestRecord {
    /// Bytes this manifest makes a registry store: config + layers, or the sum over platforms.
    pub fn total_size(&self) -> i64 {
        match &self.kind {
            ManifestKind::Image { blobs, .. } => blobs.iter().map(|b| b.size).sum(),
            ManifestKind::Index { children } => {
                children.iter().map(ManifestRecord::total_size).sum()
            }
        }
    }
}

/// Fetches a manifest and what the index needs to know of it: for an image its config (platform,
/// created); for an index each platform image in turn. Nested indexes are one level deep.
pub async fn describe_manifest(
    client: &RegistryClient,
    repo: &RepoName,
    reference: &Reference,
) -> Result<ManifestRecord, RegistryError> {
    let fetched = client.get_manifest(repo, reference).await?;
    describe_fetched(client, repo, fetched).await
}

/// Like [`describe_manifest`] for a manifest already fetched.
pub async fn describe_fetched(
    client: &RegistryClient,
    repo: &RepoName,
    fetched: FetchedManifest,
) -> Result<ManifestRecord, RegistryError> {
    let kind = match &fetched.manifest {
        Manifest::Image(image) => {
            let config_digest = Digest::parse(image.config().digest().as_ref())?;
            let config = client.get_config(repo, &config_digest).await?;
            let blob = |d: &oci_spec::image::Descriptor| BlobRecord {
                digest: d.digest().to_string(),
                size: d.size() as i64,
                media_type: d.media_type().to_string(),
            };
            let mut blobs = vec![blob(image.config())];
            blobs.extend(image.layers().iter().map(blob));
            ManifestKind::Image {
                os: Some(config.os().to_string()),
                architecture: Some(config.architecture().to_string()),
                variant: config.variant().clone(),
                created: config.created().clone(),
                blobs,
            }
        }
        Manifest::Index(index) => {
            let mut children = Vec::new();
            for child in index.manifests() {
                let digest = Digest::parse(child.digest().as_ref())?;
                let record =
                    Box::pin(describe_manifest(client, repo, &Reference::Digest(digest))).await?;
                children.push(record);
            }
            ManifestKind::Index { children }
        }
    };
    Ok(ManifestRecord {
        digest: fetched.digest,
        media_type: fetched.media_type,
        size: fetched.bytes.len() as i64,
        kind,
    })
}
