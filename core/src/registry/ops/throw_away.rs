//! Throw-away manifests: how a registry that deletes only by digest (distribution 2.x) is made
//! to delete tags and keep the images they point at. A tag moved onto a manifest no other tag
//! shares goes when that manifest is deleted by digest. One throw-away can carry many tags:
//! then one delete takes them all, and the registry reads its repository's tags once for them
//! (it reads every tag on each delete by digest), not once per tag.

use crate::registry::error::RegistryError;
use crate::registry::ops::manifest::OCI_MANIFEST;
use crate::registry::reference::{Digest, Reference, RepoName, Tag};
use crate::registry::RegistryClient;
use bytes::Bytes;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Further tries at deleting a throw-away manifest that answered 404 (see `delete_throw_away`).
const THROW_AWAY_RETRIES: u64 = 3;

/// The config of every throw-away manifest: an image of nothing, for no platform.
const THROW_AWAY_CONFIG: &[u8] = br#"{"architecture":"none","os":"none","rootfs":{"type":"layers","diff_ids":[]},"config":{"Labels":{"dev.regatta.placeholder":"a deleted tag"}}}"#;

/// What deleting tags has learnt of a registry: whether it deletes tags itself, and in which
/// repositories the throw-away config is already stored.
#[derive(Debug, Default)]
pub struct TagDeletionMemory {
    pub(super) unsupported: AtomicBool,
    pub(super) supported: AtomicBool,
    configs_pushed: Mutex<HashSet<String>>,
}

/// A manifest of one repository that no other tag shares (a random nonce is in it): tags
/// moved onto it are deleted with it.
#[derive(Debug, Clone)]
pub struct ThrowAway {
    bytes: Bytes,
    pub digest: Digest,
}

impl RegistryClient {
    /// Whether the registry deletes tags itself (OCI distribution 1.1), once a `delete_tag`
    /// has shown it; `None` before.
    pub fn deletes_tags_natively(&self) -> Option<bool> {
        let memory = &self.tag_deletion;
        if memory.supported.load(Ordering::Relaxed) {
            Some(true)
        } else if memory.unsupported.load(Ordering::Relaxed) {
            Some(false)
        } else {
            None
        }
    }

    /// A new throw-away manifest for `repo`; `stands_for` (a tag, or how many) goes in its
    /// annotations for whoever finds it. Its config, the same small blob for every throw-away,
    /// is pushed once per repository and stays until garbage collection.
    pub async fn throw_away(
        &self,
        repo: &RepoName,
        stands_for: &str,
    ) -> Result<ThrowAway, RegistryError> {
        let config = Bytes::from_static(THROW_AWAY_CONFIG);
        let config_digest = Digest::sha256_of(&config);
        let pushed = self.configs_pushed().contains(repo.as_str());
        if !pushed {
            self.push_blob(repo, config.clone()).await?;
            self.configs_pushed().insert(repo.to_string());
        }
        let nonce: u64 = rand::random();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest.as_str(), "size": config.len()},
            "layers": [],
            "annotations": {"dev.regatta.deleted-tag": stands_for, "dev.regatta.nonce": nonce.to_string()},
        });
        let bytes = Bytes::from(serde_json::to_vec(&manifest).expect("JSON"));
        Ok(ThrowAway {
            digest: Digest::sha256_of(&bytes),
            bytes,
        })
    }

    /// Points `tag` at `throw_away`.
    pub async fn move_to_throw_away(
        &self,
        repo: &RepoName,
        tag: &Tag,
        throw_away: &ThrowAway,
    ) -> Result<(), RegistryError> {
        let reference = Reference::Tag(tag.clone());
        let bytes = throw_away.bytes.clone();
        match self
            .push_manifest(repo, &reference, OCI_MANIFEST, bytes.clone())
            .await
        {
            // Garbage collection took the config since it was pushed here: push it again.
            Err(error) if error.has_code("MANIFEST_BLOB_UNKNOWN") => {
                self.push_blob(repo, Bytes::from_static(THROW_AWAY_CONFIG))
                    .await?;
                self.push_manifest(repo, &reference, OCI_MANIFEST, bytes)
                    .await
                    .map(drop)
            }
            pushed => pushed.map(drop),
        }
    }

    /// Deletes `throw_away`, and with it every tag moved onto it (`tag` is one of them).
    /// distribution 2.8 answers 404 to a delete by digest now and then while other deletions
    /// run in the same repository (5 to 10 of 1,000 concurrent sibling-safe deletions) — having
    /// deleted it: the tag was gone every time. A tag must not be left on the throw-away, so
    /// what `tag` points at decides: gone is done, still the throw-away is tried again,
    /// anything else is someone else's push and is left alone.
    pub async fn delete_throw_away(
        &self,
        repo: &RepoName,
        tag: &Tag,
        throw_away: &ThrowAway,
    ) -> Result<(), RegistryError> {
        let digest = &throw_away.digest;
        let mut last = match self.delete_manifest(repo, digest).await {
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
                Some(head) if head.digest == *digest => {}
                Some(_) => return Err(last),
            }
            tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
            match self.delete_manifest(repo, digest).await {
                Ok(()) => return Ok(()),
                Err(error) if error.status() == Some(404) => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }

    fn configs_pushed(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.tag_deletion
            .configs_pushed
            .lock()
            .expect("tag deletion memory")
    }
}
