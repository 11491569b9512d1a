//! One image or index, fetched live from its registry (lists come from the index; details do
//! not, so they are never stale): platforms, layers with the history step that made each and
//! the other repositories sharing it, config, annotations, referrers.

use crate::auth::require_read;
use crate::registry::ops::Manifest;
use crate::registry::{Digest, Reference, RepoName};
use crate::users::User;
use crate::{DomainError, Services};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Platform {
    pub digest: String,
    pub platform: String,
    pub size: u64,
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub digest: String,
    pub size: u64,
    pub media_type: String,
    /// The history step (Dockerfile instruction) that produced this layer.
    pub created_by: Option<String>,
    /// Other repositories of this registry whose tagged images contain this layer.
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ImageConfigSummary {
    pub created: Option<String>,
    pub platform: String,
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
}

#[derive(Debug, Clone)]
pub enum ImageKind {
    Index {
        platforms: Vec<Platform>,
    },
    Image {
        config: ImageConfigSummary,
        layers: Vec<Layer>,
        size: u64,
    },
}

#[derive(Debug, Clone)]
pub struct ImageDetails {
    pub digest: String,
    pub media_type: String,
    pub kind: ImageKind,
    pub annotations: BTreeMap<String, String>,
    /// (artifact type, digest) of signatures, SBOMs, attestations referring to this manifest.
    pub referrers: Vec<(String, String)>,
}

pub async fn image_details(
    services: &Services,
    user: &User,
    registry: &str,
    repository: &str,
    reference: &str,
) -> Result<ImageDetails, DomainError> {
    require_read(user, &services.settings, registry)?;
    let client = services.registry_client(registry)?;
    let invalid = |e: crate::registry::ReferenceError| DomainError::Invalid(e.to_string());
    let repo = RepoName::parse(repository).map_err(invalid)?;
    let reference = Reference::parse(reference).map_err(invalid)?;
    let unavailable = |e| DomainError::from_registry(e, || format!("{repository}:{reference}"));
    let fetched = client
        .get_manifest(&repo, &reference)
        .await
        .map_err(unavailable)?;
    let (kind, annotations) = match &fetched.manifest {
        Manifest::Index(index) => {
            let platforms = index
                .manifests()
                .iter()
                .map(|m| Platform {
                    digest: m.digest().to_string(),
                    platform: m
                        .platform()
                        .as_ref()
                        .map(|p| {
                            platform_name(
                                &p.os().to_string(),
                                &p.architecture().to_string(),
                                p.variant().as_deref(),
                            )
                        })
                        .unwrap_or_default(),
                    size: m.size(),
                })
                .collect();
            (
                ImageKind::Index { platforms },
                index.annotations().clone().unwrap_or_default(),
            )
        }
        Manifest::Image(image) => {
            let config_digest = Digest::parse(image.config().digest().as_ref()).map_err(invalid)?;
            let config = client
                .get_config(&repo, &config_digest)
                .await
                .map_err(unavailable)?;
            let steps: Vec<Option<String>> = config
                .history()
                .clone()
                .unwrap_or_default()
                .into_iter()
                .filter(|h| !h.empty_layer().unwrap_or(false))
                .map(|h| h.created_by().clone())
                .collect();
            let digests: Vec<String> = image
                .layers()
                .iter()
                .map(|l| l.digest().to_string())
                .collect();
            let shared = crate::index::pages::repositories_with_blobs(
                &services.db,
                registry,
                &digests,
                repository,
            )
            .await?;
            let layers = image
                .layers()
                .iter()
                .zip(digests)
                .enumerate()
                .map(|(i, (layer, digest))| Layer {
                    shared_with: repositories_of(&shared, &digest),
                    created_by: steps.get(i).cloned().flatten(),
                    size: layer.size(),
                    media_type: layer.media_type().to_string(),
                    digest,
                })
                .collect();
            let size = image.config().size() + image.layers().iter().map(|l| l.size()).sum::<u64>();
            let inner = config.config().clone().unwrap_or_default();
            let summary = ImageConfigSummary {
                created: config.created().clone(),
                platform: platform_name(
                    &config.os().to_string(),
                    &config.architecture().to_string(),
                    config.variant().as_deref(),
                ),
                env: inner.env().clone().unwrap_or_default(),
                labels: inner
                    .labels()
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
                entrypoint: inner.entrypoint().clone().unwrap_or_default(),
                cmd: inner.cmd().clone().unwrap_or_default(),
                working_dir: inner.working_dir().clone(),
                user: inner.user().clone(),
            };
            (
                ImageKind::Image {
                    config: summary,
                    layers,
                    size,
                },
                image.annotations().clone().unwrap_or_default(),
            )
        }
    };
    let referrers = client
        .referrers(&repo, &fetched.digest)
        .await
        .map(|list| {
            list.iter()
                .map(|d| {
                    (
                        d.artifact_type()
                            .as_ref()
                            .map(|t| t.to_string())
                            .unwrap_or_else(|| d.media_type().to_string()),
                        d.digest().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ImageDetails {
        digest: fetched.digest.to_string(),
        media_type: fetched.media_type,
        kind,
        annotations: annotations.into_iter().collect(),
        referrers,
    })
}

/// The repositories of `digest` out of (digest, repository) rows. A layer listed twice in one
/// image gets them both times.
fn repositories_of(rows: &[(String, String)], digest: &str) -> Vec<String> {
    rows.iter()
        .filter(|(d, _)| d == digest)
        .map(|(_, repository)| repository.clone())
        .collect()
}

fn platform_name(os: &str, arch: &str, variant: Option<&str>) -> String {
    match variant {
        Some(variant) => format!("{os}/{arch}/{variant}"),
        None => format!("{os}/{arch}"),
    }
}
