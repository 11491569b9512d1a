//! Carrying out a plan: blobs first (mounted within a registry — no bytes move — or streamed
//! and digest-checked across registries), then platform manifests by digest, and the tag last.
//! A failure at any point leaves the target tag where it was, never pointing at missing content;
//! running the promotion again skips what is already there and finishes the job.

use super::plan::{BlobCopy, ManifestCopy, PromotionPlan};
use super::progress::PromotionProgress;
use crate::registry::ops::MountOutcome;
use crate::registry::{Reference, RegistryClient, RegistryError, Tag};
use futures_util::{stream, StreamExt, TryStreamExt};
use std::sync::atomic::Ordering;

/// Upload chunk across registries: the most of a layer held in memory at once (per blob).
pub const CHUNK_SIZE: usize = 8 << 20;
/// Blobs copied at the same time.
const BLOBS_IN_FLIGHT: usize = 4;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub bytes_moved: u64,
    pub blobs_mounted: u32,
    pub blobs_copied: u32,
    pub blobs_present: u32,
}

enum BlobOutcome {
    Mounted,
    Copied(u64),
}

pub(super) async fn execute(
    source: &RegistryClient,
    target: &RegistryClient,
    plan: &PromotionPlan,
    progress: &PromotionProgress,
) -> Result<CopyReport, RegistryError> {
    let mut report = CopyReport {
        blobs_present: plan.blobs.iter().filter(|b| b.at_target).count() as u32,
        ..CopyReport::default()
    };
    // Owned items: a stream of borrowed ones makes the future too general to be `Send`.
    let missing: Vec<BlobCopy> = plan
        .blobs
        .iter()
        .filter(|b| !b.at_target)
        .cloned()
        .collect();
    let outcomes: Vec<BlobOutcome> = stream::iter(missing)
        .map(|blob| async move { copy_blob(source, target, plan, &blob, progress).await })
        .buffer_unordered(BLOBS_IN_FLIGHT)
        .try_collect()
        .await?;
    for outcome in outcomes {
        match outcome {
            BlobOutcome::Mounted => report.blobs_mounted += 1,
            BlobOutcome::Copied(bytes) => {
                report.blobs_copied += 1;
                report.bytes_moved += bytes;
            }
        }
    }
    // Attachments point at the digest, not at the tag: they may go first, and the promoted tag
    // stays the last thing written.
    for attachment in &plan.attachments {
        push_tagged(target, plan, &attachment.manifests, &attachment.tag).await?;
    }
    push_tagged(target, plan, &plan.manifests, &plan.target.tag).await?;
    Ok(report)
}

/// Platform manifests by digest, then the last of `manifests` as `tag`.
async fn push_tagged(
    target: &RegistryClient,
    plan: &PromotionPlan,
    manifests: &[ManifestCopy],
    tag: &Tag,
) -> Result<(), RegistryError> {
    let (top, platforms) = manifests
        .split_last()
        .expect("a tagged manifest at the end");
    for manifest in platforms {
        target
            .push_manifest(
                &plan.target.repository,
                &Reference::Digest(manifest.digest.clone()),
                &manifest.media_type,
                manifest.bytes.clone(),
            )
            .await?;
    }
    target
        .push_manifest(
            &plan.target.repository,
            &Reference::Tag(tag.clone()),
            &top.media_type,
            top.bytes.clone(),
        )
        .await?;
    Ok(())
}

async fn copy_blob(
    source: &RegistryClient,
    target: &RegistryClient,
    plan: &PromotionPlan,
    blob: &BlobCopy,
    progress: &PromotionProgress,
) -> Result<BlobOutcome, RegistryError> {
    if plan.same_registry {
        let mounted = target
            .mount_blob(
                &plan.target.repository,
                &plan.source.repository,
                &blob.digest,
            )
            .await?;
        if mounted == MountOutcome::Mounted {
            progress.blobs_done.fetch_add(1, Ordering::Relaxed);
            return Ok(BlobOutcome::Mounted);
        }
        // The registry would not mount (e.g. mounting disabled): copy the bytes instead.
    }
    let content = source
        .get_blob(&plan.source.repository, &blob.digest)
        .await?
        .inspect_ok(|chunk| {
            progress
                .bytes_done
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
        });
    let sent = target
        .push_blob_stream(&plan.target.repository, &blob.digest, content, CHUNK_SIZE)
        .await?;
    progress.blobs_done.fetch_add(1, Ordering::Relaxed);
    Ok(BlobOutcome::Copied(sent))
}
