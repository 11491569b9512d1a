//! Writing and deleting manifests (distribution-spec "Pushing manifests", "Deleting tags",
//! "Deleting manifests"), including deleting one tag without its siblings.

use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::ops::manifest::OCI_MANIFEST;
use crate::registry::reference::{Digest, Reference, RepoName, Tag};
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use bytes::Bytes;
use reqwest::{header, Method, StatusCode};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// How a tag was deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagDeletion {
    /// The registry deleted the tag itself (OCI distribution 1.1 `DELETE …/manifests/<tag>`).
    Native,
    /// The registry deletes only by digest, which would remove every tag sharing it: the tag
    /// was first moved to a unique throw-away manifest, which was then deleted.
    ThrowAwayManifest,
}

/// Further tries at deleting a throw-away manifest that answered 404 (see `delete_throw_away`).
const THROW_AWAY_RETRIES: u64 = 3;

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
        let throw_away = self.push_throw_away(repo, tag).await?;
        self.delete_throw_away(repo, tag, &throw_away).await?;
        Ok(TagDeletion::ThrowAwayManifest)
    }

    /// Deletes the throw-away manifest `tag` was moved to. distribution 2.8 answers 404 to a
    /// delete by digest now and then while other deletions run in the same repository (5 to
    /// 10 of 1,000 concurrent sibling-safe deletions) — having deleted it: the tag was gone
    /// every time. The tag must not be left on the throw-away, so what it points at decides:
    /// gone is done, still the throw-away is tried again, anything else is someone else's
    /// push and is left alone.
    async fn delete_throw_away(
        &self,
        repo: &RepoName,
        tag: &Tag,
        throw_away: &Digest,
    ) -> Result<(), RegistryError> {
        let mut last = match self.delete_manifest(repo, throw_away).await {
            Ok(()) => return Ok(()),
            Err(error) if error.status() == Some(404) => error,
            Err(error) => return Err(error),
        };
        for attempt in 1..=THROW_AWAY_RETRIES {
            let now = self
                .head_manifest(repo, &Reference::Tag(tag.clone()))
                .await?;
            tracing::warn!(%repo, %tag, attempt, now = ?now.as_ref().map(|h| h.digest.to_string()), "throw-away delete answered 404");
            match now {
                None => return Ok(()),
                Some(head) if head.digest == *throw_away => {}
                Some(_) => return Err(last),
            }
            tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
            match self.delete_manifest(repo, throw_away).await {
                Ok(()) => return Ok(()),
                Err(error) if error.status() == Some(404) => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }

    /// Points `tag` at a manifest no other tag can share: its annotations name the tag and a
    /// random nonce. Its config is the same small blob for every throw-away, pushed once per
    /// repository; it stays until garbage collection.
    async fn push_throw_away(&self, repo: &RepoName, tag: &Tag) -> Result<Digest, RegistryError> {
        let config = Bytes::from_static(THROW_AWAY_CONFIG);
        let config_digest = Digest::sha256_of(&config);
        let pushed = self
            .tag_deletion
            .configs_pushed
            .lock()
            .expect("tag deletion memory")
            .contains(repo.as_str());
        if !pushed {
            self.push_blob(repo, config.clone()).await?;
            self.tag_deletion
                .configs_pushed
                .lock()
                .expect("tag deletion memory")
                .insert(repo.to_string());
        }
        let nonce: u64 = rand::random();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest.as_str(), "size": config.len()},
            "layers": [],
            "annotations": {"dev.regatta.deleted-tag": format!("{repo}:{tag}"), "dev.regatta.nonce": nonce.to_string()},
        });
        let manifest = Bytes::from(serde_json::to_vec(&manifest).expect("JSON"));
        let reference = Reference::Tag(tag.clone());
        match self
            .push_manifest(repo, &reference, OCI_MANIFEST, manifest.clone())
            .await
        {
            // Garbage collection took the config since it was pushed here: push it again.
            Err(error) if error.has_code("MANIFEST_BLOB_UNKNOWN") => {
                self.push_blob(repo, config).await?;
                self.push_manifest(repo, &reference, OCI_MANIFEST, manifest)
                    .await
            }
            pushed => pushed,
        }
    }
}

/// The config of every throw-away manifest: an image of nothing, for no platform.
const THROW_AWAY_CONFIG: &[u8] = br#"{"architecture":"none","os":"none","rootfs":{"type":"layers","diff_ids":[]},"config":{"Labels":{"dev.regatta.placeholder":"a deleted tag"}}}"#;

/// What deleting tags has learnt of a registry: whether it deletes tags itself, and in which
/// repositories the throw-away config is already stored.
#[derive(Debug, Default)]
pub struct TagDeletionMemory {
    unsupported: AtomicBool,
    configs_pushed: Mutex<HashSet<String>>,
}
