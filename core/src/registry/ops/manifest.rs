//! Manifests by tag or digest (distribution-spec "Pulling manifests"): the full Accept list (a
//! registry answers 404 for OCI, or converts Docker schema2 to schema1 with another digest,
//! without it), a size cap, and digest verification.

use super::body;
use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::{Digest, Reference, RepoName};
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use bytes::Bytes;
use oci_spec::image::{ImageIndex, ImageManifest};
use reqwest::{header, Method, StatusCode};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1";

/// Every manifest type we read, most specific first (as regclient orders them).
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, \
     application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json";

/// distribution refuses manifests over 4 MiB; so do we.
const MANIFEST_CAP: usize = 4 << 20;

/// A single-platform image, or an index of them (multi-arch). Docker schema2 and manifest
/// lists have the same shape as their OCI counterparts; `media_type` tells them apart.
#[derive(Debug, Clone)]
pub enum Manifest {
    Image(Box<ImageManifest>),
    Index(Box<ImageIndex>),
}

#[derive(Debug, Clone)]
pub struct FetchedManifest {
    pub digest: Digest,
    pub media_type: String,
    /// The exact bytes: their digest is the manifest's identity.
    pub bytes: Bytes,
    pub manifest: Manifest,
}

/// What a HEAD tells: enough to know whether a tag moved without fetching it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    pub digest: Digest,
    pub media_type: String,
    pub size: u64,
}

impl RegistryClient {
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn get_manifest(
        &self,
        repo: &RepoName,
        reference: &Reference,
    ) -> Result<FetchedManifest, RegistryError> {
        let scope = Scope::pull(repo.as_str());
        let response = self
            .send(manifest_request(self, Method::GET, repo, reference), &scope)
            .await?;
        let response = self.success(response, &scope).await?;
        let header_digest = content_digest(response.headers());
        let content_type = content_type(response.headers());
        let bytes = body::read_capped(&self.name, response, MANIFEST_CAP, "a manifest").await?;
        let digest = self.verify_digest(repo, reference, header_digest.as_ref(), &bytes)?;
        let media_type = media_type_of(content_type, &bytes);
        let manifest =
            parse_manifest(&media_type, &bytes).map_err(|reason| RegistryError::Protocol {
                registry: self.name.clone(),
                reason,
            })?;
        Ok(FetchedManifest {
            digest,
            media_type,
            bytes,
            manifest,
        })
    }

    /// `None` when the tag or digest does not exist.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn head_manifest(
        &self,
        repo: &RepoName,
        reference: &Reference,
    ) -> Result<Option<ManifestHead>, RegistryError> {
        let scope = Scope::pull(repo.as_str());
        let response = self
            .send(
                manifest_request(self, Method::HEAD, repo, reference),
                &scope,
            )
            .await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = self.success(response, &scope).await?;
        let digest = match (content_digest(response.headers()), reference) {
            (Some(digest), _) => digest,
            (None, Reference::Digest(digest)) => digest.clone(),
            (None, Reference::Tag(_)) => {
                // Some registries omit the header on HEAD: ask with GET instead.
                return Ok(Some(self.get_manifest(repo, reference).await.map(|m| {
                    ManifestHead {
                        size: m.bytes.len() as u64,
                        digest: m.digest,
                        media_type: m.media_type,
                    }
                })?));
            }
        };
        Ok(Some(ManifestHead {
            media_type: content_type(response.headers()).unwrap_or_default(),
            // reqwest reports no length for HEAD bodies: read the header itself.
            size: response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse().ok())
                .unwrap_or_default(),
            digest,
        }))
    }

    /// By digest, the bytes must hash to it; by tag, to `Docker-Content-Digest` when sent.
    fn verify_digest(
        &self,
        repo: &RepoName,
        reference: &Reference,
        header: Option<&Digest>,
        bytes: &[u8],
    ) -> Result<Digest, RegistryError> {
        let expected = match reference {
            Reference::Digest(digest) => Some(digest),
            Reference::Tag(_) => header,
        };
        match expected {
            Some(expected) if !expected.matches(bytes) => Err(RegistryError::DigestMismatch {
                registry: self.name.clone(),
                reference: format!("{repo}:{reference}"),
                expected: expected.to_string(),
                actual: Digest::sha256_of(bytes).to_string(),
            }),
            Some(expected) => Ok(expected.clone()),
            None => Ok(Digest::sha256_of(bytes)),
        }
    }
}

/// Parses manifest bytes of `media_type`. Pure, so it can be fuzzed.
pub fn parse_manifest(media_type: &str, bytes: &[u8]) -> Result<Manifest, String> {
    let json = |what: &str, e: serde_json::Error| {
        format!("{what} is not valid JSON of the expected shape: {e}")
    };
    match media_type {
        OCI_MANIFEST | DOCKER_MANIFEST => serde_json::from_slice(bytes)
            .map(|m| Manifest::Image(Box::new(m)))
            .map_err(|e| json("an image manifest", e)),
        OCI_INDEX | DOCKER_MANIFEST_LIST => serde_json::from_slice(bytes)
            .map(|m| Manifest::Index(Box::new(m)))
            .map_err(|e| json("an image index", e)),
        other if other.starts_with(DOCKER_SCHEMA1) => {
            Err("it served a Docker schema1 manifest, which is deprecated and not supported; re-push the image".into())
        }
        other => Err(format!("unknown manifest media type `{other}`")),
    }
}

fn manifest_request(
    client: &RegistryClient,
    method: Method,
    repo: &RepoName,
    reference: &Reference,
) -> Prepared {
    let mut request = Prepared::new(
        method,
        client.url(&format!("v2/{repo}/manifests/{reference}")),
    );
    request.headers.insert(
        header::ACCEPT,
        header::HeaderValue::from_static(MANIFEST_ACCEPT),
    );
    request
}

fn content_digest(headers: &header::HeaderMap) -> Option<Digest> {
    let value = headers.get("docker-content-digest")?.to_str().ok()?;
    Digest::parse(value).ok()
}

fn content_type(headers: &header::HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or(value).trim().to_string())
}

/// The Content-Type, unless it is generic, then the document's own `mediaType`.
pub fn media_type_of(content_type: Option<String>, bytes: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct MediaTypeField {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
    }
    match content_type {
        Some(ct) if ct.starts_with("application/vnd.") => ct,
        _ => serde_json::from_slice::<MediaTypeField>(bytes)
            .ok()
            .and_then(|f| f.media_type)
            .unwrap_or_else(|| OCI_MANIFEST.to_string()),
    }
}
