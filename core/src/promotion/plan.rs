//! What a promotion will do, worked out before anything is written (and shown as the preview):
//! the manifests to copy — platform images before their index, exact bytes so digests are kept
//! — every blob with whether the target already has it, and what the target tag points at now.

use super::rules::{self, Stage};
use crate::registry::ops::{FetchedManifest, Manifest};
use crate::registry::{Digest, Reference, RegistryClient, RegistryError, RepoName, Tag};
use crate::users::User;
use crate::{DomainError, Services};
use bytes::Bytes;
use futures_util::{stream, StreamExt, TryStreamExt};

#[derive(Debug, Clone)]
pub struct PromotionRequest {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub to_environment: String,
    /// The tag to write at the target; the source's tag when `None`.
    pub target_tag: Option<String>,
    /// Also copy the signatures, attestations and SBOMs attached to the digest.
    pub with_attachments: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub registry: String,
    pub repository: RepoName,
    pub tag: Tag,
}

/// `registry/repository:tag`, as the history, the audit trail and the UI name it.
impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}:{}", self.registry, self.repository, self.tag)
    }
}

#[derive(Debug, Clone)]
pub struct ManifestCopy {
    pub digest: Digest,
    pub media_type: String,
    pub bytes: Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobCopy {
    pub digest: Digest,
    pub size: u64,
    /// The target repository already has it: nothing to do.
    pub at_target: bool,
}

#[derive(Debug, Clone)]
pub struct PromotionPlan {
    pub source: Side,
    pub target: Side,
    pub from_environment: Option<String>,
    pub to_environment: String,
    /// The digest promoted, kept at the target.
    pub digest: Digest,
    pub same_registry: bool,
    /// Platform images first, the tagged manifest last.
    pub manifests: Vec<ManifestCopy>,
    pub blobs: Vec<BlobCopy>,
    /// What the target tag points at now, if it exists.
    pub target_current: Option<Digest>,
    /// Signatures, attestations, SBOMs to copy with it (when asked).
    pub attachments: Vec<Attachment>,
}

/// An artifact attached to the promoted digest by tag, the way cosign does it on registries
/// without the referrers API (distribution 2.8 included): `sha256-<hex>.sig`, `.att`, `.sbom`,
/// and the OCI referrers fallback index `sha256-<hex>`.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub tag: Tag,
    /// Its platform manifests first (rarely any), its own manifest last.
    pub manifests: Vec<ManifestCopy>,
}

impl PromotionPlan {
    /// Blob bytes that must travel: none within one registry (blobs are mounted).
    pub fn bytes_to_move(&self) -> u64 {
        if self.same_registry {
            return 0;
        }
        self.blobs
            .iter()
            .filter(|b| !b.at_target)
            .map(|b| b.size)
            .sum()
    }

    /// The target tag would move from another digest to this one.
    pub fn overwrites(&self) -> Option<&Digest> {
        self.target_current.as_ref().filter(|d| **d != self.digest)
    }
}

/// Nested indexes are followed this deep (an index of indexes is rare; deeper is refused).
const MAX_DEPTH: usize = 2;
/// Blob HEADs in flight while planning.
const HEADS_IN_FLIGHT: usize = 8;

pub async fn plan(
    services: &Services,
    user: &User,
    request: &PromotionRequest,
) -> Result<PromotionPlan, DomainError> {
    let invalid = |e: crate::registry::ReferenceError| DomainError::Invalid(e.to_string());
    let settings = &services.settings;
    let repository = RepoName::parse(&request.repository).map_err(invalid)?;
    let tag = Tag::parse(&request.tag).map_err(invalid)?;
    let target_tag =
        Tag::parse(request.target_tag.as_deref().unwrap_or(&request.tag)).map_err(invalid)?;
    crate::auth::require_read(user, settings, &request.registry)?;
    let source_client = services.registry_client(&request.registry)?;
    let from = rules::stage_of(settings, &request.registry, repository.as_str());
    let to = rules::stage_named(settings, &request.to_environment)?;
    rules::check(user, from, to)?;
    let target = Side {
        registry: to.environment.registry.clone(),
        repository: RepoName::parse(&rules::target_repository(from, to, repository.as_str()))
            .map_err(invalid)?,
        tag: target_tag,
    };
    let source = Side {
        registry: request.registry.clone(),
        repository,
        tag,
    };
    if source == target {
        return Err(DomainError::Invalid(
            "The target is the source itself; pick another environment or tag.".into(),
        ));
    }
    let target_client = services.registry_client(&target.registry)?;

    let unavailable = |e| {
        DomainError::from_registry(e, || {
            format!(
                "{}:{} in {}",
                source.repository, source.tag, source.registry
            )
        })
    };
    let top = source_client
        .get_manifest(&source.repository, &Reference::Tag(source.tag.clone()))
        .await
        .map_err(unavailable)?;
    let digest = top.digest.clone();
    let mut manifests = Vec::new();
    let mut blobs = Vec::new();
    collect(
        source_client,
        &source.repository,
        top,
        0,
        &mut manifests,
        &mut blobs,
    )
    .await
    .map_err(unavailable)?;
    let attachments = if request.with_attachments {
        attachments_of(source_client, &source.repository, &digest, &mut blobs)
            .await
            .map_err(unavailable)?
    } else {
        Vec::new()
    };
    blobs.sort_by(|a: &(Digest, u64), b| a.0.as_str().cmp(b.0.as_str()));
    blobs.dedup_by(|a, b| a.0 == b.0);
    let target_unavailable = |e: RegistryError| DomainError::Unavailable(e.to_string());
    let blobs = stream::iter(blobs)
        .map(|(digest, size)| {
            let repository = &target.repository;
            async move {
                let at_target = target_client
                    .head_blob(repository, &digest)
                    .await?
                    .is_some();
                Ok::<_, RegistryError>(BlobCopy {
                    digest,
                    size,
                    at_target,
                })
            }
        })
        .buffered(HEADS_IN_FLIGHT)
        .try_collect()
        .await
        .map_err(target_unavailable)?;
    let target_current = target_client
        .head_manifest(&target.repository, &Reference::Tag(target.tag.clone()))
        .await
        .map_err(target_unavailable)?
        .map(|head| head.digest);
    refuse_immutable_overwrite(to, &target, target_current.as_ref(), &digest)?;
    Ok(PromotionPlan {
        same_registry: source.registry == target.registry,
        source,
        target,
        from_environment: from.map(|f| f.environment.name.clone()),
        to_environment: to.environment.name.clone(),
        digest,
        manifests,
        blobs,
        target_current,
        attachments,
    })
}

/// The tags attaching artifacts to `digest`, each with its manifests; their blobs join `blobs`.
async fn attachments_of(
    client: &RegistryClient,
    repository: &RepoName,
    digest: &Digest,
    blobs: &mut Vec<(Digest, u64)>,
) -> Result<Vec<Attachment>, RegistryError> {
    let Some((algorithm, hex)) = digest.as_str().split_once(':') else {
        return Ok(Vec::new());
    };
    let base = format!("{algorithm}-{hex}");
    let mut attachments = Vec::new();
    for tag in client.list_tags(repository).await? {
        let suffix = tag.as_str().strip_prefix(base.as_str());
        if !matches!(suffix, Some("" | ".sig" | ".att" | ".sbom")) {
            continue;
        }
        let fetched = client
            .get_manifest(repository, &Reference::Tag(tag.clone()))
            .await?;
        let mut manifests = Vec::new();
        collect(client, repository, fetched, 0, &mut manifests, blobs).await?;
        attachments.push(Attachment { tag, manifests });
    }
    Ok(attachments)
}

fn refuse_immutable_overwrite(
    to: Stage<'_>,
    target: &Side,
    current: Option<&Digest>,
    digest: &Digest,
) -> Result<(), DomainError> {
    match current {
        Some(current) if to.environment.immutable_tags && current != digest => {
            Err(DomainError::NotAllowed(format!(
                "{}:{} already exists ({}) and tags in {} are immutable; promote under a new tag.",
                target.repository, target.tag, current, to.environment.name
            )))
        }
        _ => Ok(()),
    }
}

/// Adds `fetched` and everything it references: an image's config and layers, an index's
/// platform manifests (fetched by digest, before the index itself).
async fn collect(
    client: &RegistryClient,
    repository: &RepoName,
    fetched: FetchedManifest,
    depth: usize,
    manifests: &mut Vec<ManifestCopy>,
    blobs: &mut Vec<(Digest, u64)>,
) -> Result<(), RegistryError> {
    let protocol = |reason: String| RegistryError::Protocol {
        registry: client.name.clone(),
        reason,
    };
    match &fetched.manifest {
        Manifest::Image(image) => {
            for descriptor in std::iter::once(image.config()).chain(image.layers()) {
                let digest = Digest::parse(descriptor.digest().as_ref())
                    .map_err(|e| protocol(e.to_string()))?;
                blobs.push((digest, descriptor.size()));
            }
        }
        Manifest::Index(index) => {
            if depth >= MAX_DEPTH {
                return Err(protocol(format!(
                    "{} nests indexes deeper than {MAX_DEPTH} levels",
                    fetched.digest
                )));
            }
            for descriptor in index.manifests() {
                let digest = Digest::parse(descriptor.digest().as_ref())
                    .map_err(|e| protocol(e.to_string()))?;
                let child = client
                    .get_manifest(repository, &Reference::Digest(digest))
                    .await?;
                Box::pin(collect(
                    client,
                    repository,
                    child,
                    depth + 1,
                    manifests,
                    blobs,
                ))
                .await?;
            }
        }
    }
    manifests.push(ManifestCopy {
        digest: fetched.digest,
        media_type: fetched.media_type,
        bytes: fetched.bytes,
    });
    Ok(())
}
