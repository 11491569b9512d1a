//! Blobs (distribution-spec "Pulling blobs"): existence, size, and content streamed with its
//! digest checked as it passes, so a corrupt or substituted blob never goes unnoticed.

use super::body;
use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::{Digest, RepoName};
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use oci_spec::image::ImageConfiguration;
use reqwest::{header, Method, StatusCode};
use sha2::Digest as _;

/// Image configs are small JSON documents; 8 MiB leaves room for very long histories.
const CONFIG_CAP: usize = 8 << 20;

enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn for_digest(digest: &Digest) -> Self {
        match digest.algorithm() {
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish_hex(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

impl RegistryClient {
    /// The blob's size, or `None` when this repository does not have it.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn head_blob(
        &self,
        repo: &RepoName,
        digest: &Digest,
    ) -> Result<Option<u64>, RegistryError> {
        let scope = Scope::pull(repo.as_str());
        let request = Prepared::new(Method::HEAD, self.url(&format!("v2/{repo}/blobs/{digest}")));
        let response = self.send(request, &scope).await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let response = self.success(response, &scope).await?;
        let length = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok());
        Ok(Some(length.unwrap_or_default()))
    }

    /// The blob's content as a stream. The last item is an error if the bytes did not hash to
    /// `digest`, so a consumer that reads to the end knows the content is genuine.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn get_blob(
        &self,
        repo: &RepoName,
        digest: &Digest,
    ) -> Result<impl Stream<Item = Result<Bytes, RegistryError>> + Send + 'static, RegistryError>
    {
        let scope = Scope::pull(repo.as_str());
        let request =
            Prepared::new(Method::GET, self.url(&format!("v2/{repo}/blobs/{digest}"))).streamed();
        let response = self
            .success(self.send(request, &scope).await?, &scope)
            .await?;
        Ok(verified(
            self.name.clone(),
            format!("{repo}@{digest}"),
            digest.clone(),
            response,
        ))
    }

    /// A whole blob in memory, verified; refused when larger than `cap`.
    pub async fn get_blob_bytes(
        &self,
        repo: &RepoName,
        digest: &Digest,
        cap: usize,
    ) -> Result<Bytes, RegistryError> {
        let scope = Scope::pull(repo.as_str());
        let request = Prepared::new(Method::GET, self.url(&format!("v2/{repo}/blobs/{digest}")));
        let response = self
            .success(self.send(request, &scope).await?, &scope)
            .await?;
        let bytes = body::read_capped(&self.name, response, cap, "a blob").await?;
        if !digest.matches(&bytes) {
            return Err(RegistryError::DigestMismatch {
                registry: self.name.clone(),
                reference: format!("{repo}@{digest}"),
                expected: digest.to_string(),
                actual: Digest::sha256_of(&bytes).to_string(),
            });
        }
        Ok(bytes)
    }

    /// An image's config: created, platform, labels, env, entrypoint, history.
    pub async fn get_config(
        &self,
        repo: &RepoName,
        digest: &Digest,
    ) -> Result<ImageConfiguration, RegistryError> {
        let bytes = self.get_blob_bytes(repo, digest, CONFIG_CAP).await?;
        body::parse_json(&self.name, &bytes, "an image config")
    }
}

fn verified(
    registry: String,
    what: String,
    digest: Digest,
    response: reqwest::Response,
) -> impl Stream<Item = Result<Bytes, RegistryError>> + Send + 'static {
    let state = Some((response.bytes_stream().boxed(), Hasher::for_digest(&digest)));
    futures_util::stream::unfold(state, move |state| {
        let (registry, what, digest) = (registry.clone(), what.clone(), digest.clone());
        async move {
            let (mut stream, mut hasher) = state?;
            match stream.next().await {
                Some(Ok(chunk)) => {
                    hasher.update(&chunk);
                    Some((Ok(chunk), Some((stream, hasher))))
                }
                Some(Err(e)) => {
                    let reason = format!("reading {what}: {e}");
                    Some((Err(RegistryError::Protocol { registry, reason }), None))
                }
                None => {
                    let actual = hasher.finish_hex();
                    (actual != digest.hex()).then(|| {
                        let actual = format!("{}:{actual}", digest.algorithm());
                        let error = RegistryError::DigestMismatch {
                            registry,
                            reference: what,
                            expected: digest.to_string(),
                            actual,
                        };
                        (Err(error), None)
                    })
                }
            }
        }
    })
}
