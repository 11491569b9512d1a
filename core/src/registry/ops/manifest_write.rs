//! Writing and deleting manifests (distribution-spec "Pushing manifests", "Deleting tags",
//! "Deleting manifests"), including deleting one tag without its siblings.

use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::{Digest, Reference, RepoName, Tag};
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use bytes::Bytes;
use reqwest::{header, Method, StatusCode};
use std::sync::atomic::Ordering;

/// How a tag was deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagDeletion {
    /// The registry deleted the tag itself (OCI distribution 1.1 `DELETE …/manifests/<tag>`).
    Native,
    /// The registry deletes only by digest, which would remove every tag sharing it: the tag
    /// was first moved to a unique throw-away manifest, which was then deleted.
    ThrowAwayManifest,
}

impl RegistryClient {
    /// Stores `bytes` as `reference` and checks the registry computed the same digest.
    #[tracing::instrument(skip(self, bytes), fields(registry = %self.name))]
    pub async fn push_manifest(
        &self,
        repo: &RepoName,
        reference: &Reference,
        media_type: &str,
        bytes: Bytes,
    ) -> Result<Digest, RegistryError> {
        let scope = Scope::push(repo.as_str());
        let digest = Digest::sha256_of(&bytes);
        let mut request = Prepared::new(
            Method::PUT,
            self.url(&format!("v2/{repo}/manifests/{reference}")),
        );
        let content_type =
            header::HeaderValue::from_str(media_type).map_err(|_| RegistryError::Protocol {
                registry: self.name.clone(),
                reason: format!("`{media_type}` is not a valid media type"),
            })?;
        request.headers.insert(header::CONTENT_TYPE, content_type);
        request.body = Some(bytes);
        let response = self
            .success(self.send(request, &scope).await?, &scope)
            .await?;
        match response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
        {
            Some(stored) if stored != digest.as_str() => Err(RegistryError::DigestMismatch {
                registry: self.name.clone(),
                reference: format!("{repo}:{reference}"),
                expected: digest.to_string(),
                actual: stored.to_string(),
            }),
            _ => Ok(digest),
        }
    }

    /// Deletes the manifest `digest` — and with it every tag of `repo` that points at it.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn delete_manifest(
        &self,
        repo: &RepoName,
        digest: &Digest,
    ) -> Result<(), RegistryError> {
        let scope = Scope::delete(repo.as_str());
        let request = Prepared::new(
            Method::DELETE,
            self.url(&format!("v2/{repo}/manifests/{digest}")),
        );
        self.success(self.send(request, &scope).await?, &scope)
            .await?;
        Ok(())
    }

    /// Deletes `tag` only; other tags on the same digest stay (what regclient does too).
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn delete_tag(
        &self,
        repo: &RepoName,
        tag: &Tag,
    ) -> Result<TagDeletion, RegistryError> {
        if !self.tag_deletion.unsupported.load(Ordering::Relaxed) {
            let scope = Scope::delete(repo.as_str());
            let request = Prepared::new(
                Method::DELETE,
                self.url(&format!("v2/{repo}/manifests/{tag}")),
            );
            let response = self.send(request, &scope).await?;
            if response.status() == StatusCode::ACCEPTED {
                self.tag_deletion.supported.store(true, Ordering::Relaxed);
                return Ok(TagDeletion::Native);
            }
            // distribution 2.x: 400 DIGEST_INVALID (deletes by digest only); others 405.
            let error = self.success(response, &scope).await.err();
            let unsupported = error.as_ref().is_some_and(|e| {
                e.has_code("DIGEST_INVALID")
                    || e.has_code("UNSUPPORTED")
                    || matches!(e.status(), Some(400 | 405))
            });
            if !unsupported {
                return Err(error.unwrap_or_else(|| RegistryError::Protocol {
                    registry: self.name.clone(),
                    reason: format!("unexpected answer deleting tag {repo}:{tag}"),
                }));
            }
            // It will not start deleting tags: do not ask again for every tag of a batch.
            self.tag_deletion.unsupported.store(true, Ordering::Relaxed);
        }
        let throw_away = self.throw_away(repo, &format!("{repo}:{tag}")).await?;
        self.move_to_throw_away(repo, tag, &throw_away).await?;
        self.delete_throw_away(repo, tag, &throw_away).await?;
        Ok(TagDeletion::ThrowAwayManifest)
    }
}
