//! Deleting one wave of a deletion, a digest group at a time: every tag is checked against the
//! registry and trashed (and, in a big repository, taken off its image first: see `untag`), then
//! each group's image is deleted by digest, or its tags alone.

use super::plan::{DeletionPlan, PlannedTag};
use super::progress::DeletionProgress;
use super::run::{audit_deletion, outcome, TagOutcome, TagResult};
use super::store::{self, NewTrash, TrashedManifest};
use crate::audit::{Actor, Outcome};
use crate::registry::{Digest, Reference, RegistryClient, RepoName, Tag};
use crate::Services;
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use std::collections::HashSet;

/// Digest groups (or tags) dealt with at once.
pub(super) const CONCURRENCY: usize = 4;

pub(super) struct GroupContext<'a> {
    pub services: &'a Services,
    pub actor: &'a Actor,
    pub client: &'a RegistryClient,
    pub repo: &'a RepoName,
    pub plan: &'a DeletionPlan,
    /// Digests that tags staying in the registry point at (see `run::digests_of_staying_tags`).
    pub held_elsewhere: &'a HashSet<String>,
    pub deletion_id: i64,
    /// Counts a tag once it is dealt with: settled at its check, off the registry (untagged
    /// first), or when its group finishes.
    pub progress: &'a DeletionProgress,
}

/// A tag checked against the registry and put in the trash, ready to delete.
pub(super) struct Ready {
    pub tag: PlannedTag,
    pub trash_id: i64,
    /// The manifest as fetched (media type, bytes): the tag is put back on it when its image
    /// cannot be deleted after all.
    pub original: (String, Bytes),
    /// Off its image already (see `untag`).
    pub untagged: bool,
    /// Left on a throw-away manifest whose deletion failed, and not put back: why.
    pub stuck: Option<String>,
}

/// One digest's tags after the checks: those settled already (skipped, failed) and the ready.
#[derive(Default)]
pub(super) struct PreparedGroup {
    pub settled: Vec<TagOutcome>,
    pub ready: Vec<Ready>,
}

/// How a ready tag ends.
enum Settled {
    Deleted {
        image_deleted: bool,
        /// What went wrong on the way, for the audit trail.
        note: Option<String>,
    },
    Failed(String),
}

impl GroupContext<'_> {
    /// Deletes the tags of `groups` (each the tags of one digest); an outcome per tag.
    pub(super) async fn delete_wave(&self, groups: Vec<Vec<PlannedTag>>) -> Vec<TagOutcome> {
        let prepared = super::untag::prepare_wave(self, groups).await;
        stream::iter(prepared)
            .map(|group| self.finish_group(group))
            .buffer_unordered(CONCURRENCY)
            .flat_map(stream::iter)
            .collect()
            .await
    }

    /// Adds `tags` to the tags dealt with.
    pub(super) fn dealt(&self, tags: usize) {
        self.progress
            .tags_done
            .fetch_add(tags as u32, std::sync::atomic::Ordering::Relaxed);
    }

    /// Deletes a group's image by digest, or its tags alone.
    async fn finish_group(&self, group: PreparedGroup) -> Vec<TagOutcome> {
        let mut outcomes = group.settled;
        let Some(first) = group.ready.first() else {
            return outcomes;
        };
        let counted_already = group.ready.iter().filter(|r| r.untagged).count();
        let stuck = group.ready.iter().any(|r| r.stuck.is_some());
        // A tag left on a throw-away keeps its image: nothing is lost if that tag is put right.
        let by_digest = self.goes_by_digest(&first.tag) && !stuck;
        let settled = match by_digest {
            true => match self.delete_image(&first.tag).await {
                Ok(()) => group
                    .ready
                    .iter()
                    .map(|_| Settled::Deleted {
                        image_deleted: true,
                        note: None,
                    })
                    .collect(),
                Err(error) => self.put_back(&group.ready, error).await,
            },
            false => self.delete_tags_alone(&group.ready).await,
        };
        for (ready, settled) in group.ready.iter().zip(settled) {
            let result = match settled {
                Settled::Deleted {
                    image_deleted,
                    note,
                } => {
                    if let Some(note) = &note {
                        tracing::warn!(tag = %ready.tag.tag, note, "deleted, with a problem");
                    }
                    TagResult::Deleted {
                        trash_id: ready.trash_id,
                        image_deleted,
                    }
                }
                Settled::Failed(error) => {
                    // Not deleted after all: its trash entry would restore nothing.
                    let _ = store::remove_trash(&self.services.db, ready.trash_id).await;
                    TagResult::Failed(error)
                }
            };
            if let TagResult::Deleted {
                image_deleted: false,
                trash_id,
            } = result
            {
                if self.goes_by_digest(&ready.tag) {
                    let _ = store::keep_image(&self.services.db, trash_id).await;
                }
            }
            self.audit(&ready.tag, &result).await;
            outcomes.push(outcome(&ready.tag, result));
        }
        self.dealt(group.ready.len() - counted_already);
        outcomes
    }

    /// The image could not be deleted: each tag taken off it first is put back on it, so the
    /// group fails as a whole and nothing changed. A tag that cannot be put back is gone —
    /// deleted, with its image staying.
    async fn put_back(&self, ready: &[Ready], error: String) -> Vec<Settled> {
        let mut settled = Vec::with_capacity(ready.len());
        for tag in ready {
            if !tag.untagged {
                settled.push(Settled::Failed(error.clone()));
                continue;
            }
            match self.restore_tag(tag).await {
                Ok(()) => settled.push(Settled::Failed(error.clone())),
                Err(put) => settled.push(Settled::Deleted {
                    image_deleted: false,
                    note: Some(format!(
                        "deleting its image failed ({error}), and putting the tag back too ({put})"
                    )),
                }),
            }
        }
        settled
    }

    /// After a failed `RegistryClient::delete_tag`: a tag it left on its throw-away (moved,
    /// then the throw-away's delete failed) is put back on its image. Gone or unmoved is fine.
    pub(super) async fn put_back_if_moved(&self, ready: &Ready) -> Result<(), String> {
        let tag = Tag::parse(&ready.tag.tag).map_err(|e| e.to_string())?;
        let head = self
            .client
            .head_manifest(self.repo, &Reference::Tag(tag))
            .await
            .map_err(|e| e.to_string())?;
        match head {
            Some(head) if head.digest.as_str() != ready.tag.digest => self.restore_tag(ready).await,
            _ => Ok(()),
        }
    }

    /// Points the tag at its original manifest again (the same bytes, so the same digest).
    pub(super) async fn restore_tag(&self, ready: &Ready) -> Result<(), String> {
        let tag = Tag::parse(&ready.tag.tag).map_err(|e| e.to_string())?;
        let (media_type, bytes) = &ready.original;
        self.client
            .push_manifest(self.repo, &Reference::Tag(tag), media_type, bytes.clone())
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// Whether the image goes with the tag (deleted by digest): the plan says no tag stays on
    /// it, and the registry agrees.
    /// A platform image that an index of this deletion takes along is left to the index (its
    /// own tags go alone, first): deleted here, the index's trash entry could not keep it.
    pub(super) fn goes_by_digest(&self, tag: &PlannedTag) -> bool {
        let taken_by_an_index = self
            .plan
            .tags
            .iter()
            .any(|t| t.platforms_going.contains(&tag.digest));
        tag.image_goes && !self.held_elsewhere.contains(&tag.digest) && !taken_by_an_index
    }

    /// Checks the tag still points where the plan says and keeps its manifests in the trash.
    pub(super) async fn check_and_trash(&self, tag: &PlannedTag) -> Result<Ready, TagResult> {
        let name = Tag::parse(&tag.tag).map_err(|e| TagResult::Failed(e.to_string()))?;
        let fetched = match self
            .client
            .get_manifest(self.repo, &Reference::Tag(name))
            .await
        {
            Ok(fetched) => fetched,
            Err(error) if error.status() == Some(404) => {
                return Err(TagResult::Skipped("already gone from the registry".into()))
            }
            Err(error) => return Err(TagResult::Failed(error.to_string())),
        };
        if fetched.digest.as_str() != tag.digest {
            return Err(TagResult::Skipped(format!(
                "it moved to {} since the preview",
                fetched.digest
            )));
        }
        let mut manifests = vec![TrashedManifest {
            digest: tag.digest.clone(),
            media_type: fetched.media_type.clone(),
            bytes: fetched.bytes.to_vec(),
        }];
        if let crate::registry::ops::Manifest::Index(index) = &fetched.manifest {
            for platform in index.manifests() {
                let digest = Digest::parse(platform.digest().as_ref())
                    .map_err(|e| TagResult::Failed(e.to_string()))?;
                let fetched = self
                    .client
                    .get_manifest(self.repo, &Reference::Digest(digest.clone()))
                    .await
                    .map_err(|e| {
                        TagResult::Failed(format!("keeping platform {digest} in the trash: {e}"))
                    })?;
                manifests.push(TrashedManifest {
                    digest: digest.to_string(),
                    media_type: fetched.media_type,
                    bytes: fetched.bytes.to_vec(),
                });
            }
        }
        let now = self.services.clock.now();
        let keep = time::Duration::days(self.services.settings.trash.keep_days.into());
        let mut db = self
            .services
            .db
            .acquire()
            .await
            .map_err(|e| TagResult::Failed(e.to_string()))?;
        let trash_id = store::insert_trash(
            &mut db,
            &NewTrash {
                deletion_id: self.deletion_id,
                registry: &self.plan.registry,
                repository: &self.plan.repository,
                tag: &tag.tag,
                size_bytes: tag.size_bytes,
                image_deleted: self.goes_by_digest(tag),
                deleted_by: &self.actor.user.username,
                deleted_from: &self.actor.source,
                at: now,
                expires_at: now + keep,
                manifests: &manifests,
            },
        )
        .await
        .map_err(|e| TagResult::Failed(format!("keeping it in the trash: {e}")))?;
        Ok(Ready {
            tag: tag.clone(),
            trash_id,
            original: (fetched.media_type, fetched.bytes),
            untagged: false,
            stuck: None,
        })
    }

    /// Deletes the image by digest (every tag of the group with it), then its platform images
    /// that nothing else holds.
    async fn delete_image(&self, tag: &PlannedTag) -> Result<(), String> {
        let digest = Digest::parse(&tag.digest).map_err(|e| e.to_string())?;
        self.client
            .delete_manifest(self.repo, &digest)
            .await
            .map_err(|e| e.to_string())?;
        for platform in &tag.platforms_going {
            let Ok(platform) = Digest::parse(platform) else {
                continue;
            };
            match self.client.delete_manifest(self.repo, &platform).await {
                Ok(()) => {}
                Err(error) if error.status() == Some(404) => {}
                // The tag is gone; only the platform stays (untagged) until cleaned up.
                Err(error) => tracing::warn!(%error, %platform, "deleting a platform image"),
            }
        }
        Ok(())
    }

    /// Deletes each tag alone (those not taken off their image already); siblings and the
    /// image stay.
    async fn delete_tags_alone(&self, ready: &[Ready]) -> Vec<Settled> {
        let mut settled = Vec::with_capacity(ready.len());
        for tag in ready {
            if let Some(stuck) = &tag.stuck {
                settled.push(Settled::Failed(stuck.clone()));
                continue;
            }
            let deleted = if tag.untagged {
                Ok(())
            } else {
                match Tag::parse(&tag.tag.tag) {
                    Ok(name) => self
                        .client
                        .delete_tag(self.repo, &name)
                        .await
                        .map(drop)
                        .map_err(|e| e.to_string()),
                    Err(error) => Err(error.to_string()),
                }
            };
            settled.push(match deleted {
                Ok(()) => Settled::Deleted {
                    image_deleted: false,
                    note: None,
                },
                Err(error) => match self.put_back_if_moved(tag).await {
                    Ok(()) => Settled::Failed(error),
                    Err(put) => Settled::Failed(format!(
                        "{error}; it may be left on an empty placeholder (putting it back failed: {put})"
                    )),
                },
            });
        }
        settled
    }

    async fn audit(&self, tag: &PlannedTag, result: &TagResult) {
        let target = format!(
            "{}/{}:{}",
            self.plan.registry, self.plan.repository, tag.tag
        );
        let (outcome, detail) = match result {
            TagResult::Deleted {
                trash_id,
                image_deleted,
            } => {
                let what = match (image_deleted, tag.siblings_kept.is_empty()) {
                    (true, _) => "the image went with it".to_string(),
                    (false, true) if self.goes_by_digest(tag) => {
                        "the image stays: deleting it failed".to_string()
                    }
                    (false, true) => "the image stays (a tagged index holds it)".to_string(),
                    (false, false) => format!("kept {}", tag.siblings_kept.join(", ")),
                };
                (
                    Outcome::Ok,
                    format!("{}; {what}; trash #{trash_id}", tag.digest),
                )
            }
            TagResult::Skipped(why) => return tracing::info!(%target, why, "deletion skipped"),
            TagResult::Failed(error) => {
                (Outcome::Error, format!("{}; failed: {error}", tag.digest))
            }
        };
        audit_deletion(self.services, self.actor, &target, outcome, &detail).await;
    }
}
