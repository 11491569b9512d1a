//! Regatta's untagged cleanup, the safe stand-in for distribution's `--delete-untagged`
//! (which on 2.x deletes the platforms of tagged multi-arch indexes, upstream #3178): delete
//! by digest the untagged manifests the prediction chose (old enough, not a platform of a
//! tagged index), skipping referrers (a manifest with a `subject`: a signature or SBOM of
//! something kept).

use super::log::RunLog;
use super::predict::UntaggedCandidate;
use crate::registry::ops::Manifest;
use crate::registry::{Digest, Reference, RepoName};
use crate::{DomainError, Services};

/// Deletes `candidates` from `registry`; returns how many went. A failure stops the cleanup
/// (the collection then does not run): the registry is not in the state predicted.
pub(super) async fn delete_untagged(
    services: &Services,
    registry: &str,
    candidates: &[UntaggedCandidate],
    log: &mut RunLog,
) -> Result<u64, DomainError> {
    let client = services.registry_client(registry)?;
    let _permit = super::maintenance::writing(services, registry).await?;
    let mut deleted = 0;
    for candidate in candidates {
        let what = format!("{}@{}", candidate.repository, candidate.digest);
        let (Ok(repo), Ok(digest)) = (
            RepoName::parse(&candidate.repository),
            Digest::parse(&candidate.digest),
        ) else {
            log.line(&format!(
                "untagged cleanup: skipped {what}: not a valid reference"
            ));
            continue;
        };
        let unavailable = |e| DomainError::from_registry(e, || what.clone());
        let reference = Reference::Digest(digest.clone());
        if client
            .head_manifest(&repo, &reference)
            .await
            .map_err(unavailable)?
            .is_none()
        {
            log.line(&format!("untagged cleanup: {what} is gone already"));
        } else {
            let fetched = client
                .get_manifest(&repo, &reference)
                .await
                .map_err(unavailable)?;
            let subject = match &fetched.manifest {
                Manifest::Image(image) => image.subject().clone(),
                Manifest::Index(index) => index.subject().clone(),
            };
            if let Some(subject) = subject {
                log.line(&format!(
                    "untagged cleanup: kept {what}: it refers to {}",
                    subject.digest()
                ));
                continue;
            }
            client
                .delete_manifest(&repo, &digest)
                .await
                .map_err(unavailable)?;
            log.line(&format!("untagged cleanup: deleted {what}"));
            deleted += 1;
        }
        let gone = [candidate.digest.clone()];
        crate::index::forget_tags(services, registry, &candidate.repository, &[], &gone).await?;
    }
    Ok(deleted)
}
