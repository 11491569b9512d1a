//! The trash: a deleted tag's manifests, kept `trash.keep_days`, so the tag can be put back
//! byte for byte (the same digest) — as long as the registry still has the blobs. Garbage
//! collection removes the blobs of deleted images; a restore HEADs every blob first and names
//! the missing ones instead of writing a manifest nobody could pull.

use super::rules::{self, Doomed};
use super::store::{self, TrashRow, TrashedManifest};
use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::auth::readable_registries;
use crate::registry::{Digest, Reference, RegistryClient, RepoName, Tag};
use crate::users::User;
use crate::{DomainError, Services};
use bytes::Bytes;

pub use store::TrashRow as TrashEntry;

/// The newest entries of the registries `user` may read.
pub async fn trash_list(
    services: &Services,
    user: &User,
    limit: i64,
) -> Result<Vec<TrashEntry>, DomainError> {
    let readable = readable_registries(user, &services.settings);
    Ok(store::list_trash(&services.db, &readable, limit.clamp(1, 1000)).await?)
}

/// Puts the trashed tag back where it was, as a server task (a dropped request cannot leave
/// an index half restored).
pub async fn restore(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<TrashEntry, DomainError> {
    let (owned, actor) = (services.clone(), actor.clone());
    services
        .tasks
        .run(async move { restore_now(&owned, &actor, id).await })
        .await?
}

async fn restore_now(
    services: &Services,
    actor: &Actor,
    id: i64,
) -> Result<TrashEntry, DomainError> {
    let entry = store::trash_entry(&services.db, id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("Trash entry #{id}")))?;
    let target = format!("{}/{}:{}", entry.registry, entry.repository, entry.tag);
    let _writing = crate::gc::writing(services, &entry.registry).await?;
    let result = put_back(services, actor, &entry).await;
    let (outcome, detail) = match &result {
        Ok(()) => (Outcome::Ok, format!("{} from trash #{id}", entry.digest)),
        Err(DomainError::Forbidden { .. } | DomainError::NotAllowed(_)) => {
            (Outcome::Denied, result.as_ref().unwrap_err().to_string())
        }
        Err(error) => (Outcome::Error, error.to_string()),
    };
    let event = AuditEvent::by(actor, AuditAction::TagRestore)
        .target(&target)
        .outcome(outcome)
        .detail(&detail);
    audit::record_or_log(services, &event).await;
    result?;
    let now = services.clock.now();
    store::mark_restored(&services.db, id, &actor.user.username, now).await?;
    crate::storage::snapshot_soon(services);
    Ok(TrashEntry {
        restored_at: Some(now),
        restored_by: Some(actor.user.username.clone()),
        ..entry
    })
}

async fn put_back(services: &Services, actor: &Actor, entry: &TrashRow) -> Result<(), DomainError> {
    if let Some(when) = entry.restored_at {
        return Err(DomainError::Conflict(format!(
            "`{}:{}` was restored already ({when}).",
            entry.repository, entry.tag
        )));
    }
    // Writing the tag back is writing to that environment: the deletion rules apply (the
    // typed confirmation does not: nothing is destroyed).
    let doomed = Doomed::Tag(&entry.tag);
    let typed = rules::confirmation_text(&entry.repository, doomed);
    rules::check(
        &actor.user,
        &services.settings,
        &entry.registry,
        &entry.repository,
        doomed,
        Some(&typed),
    )?;
    let client = services.registry_client(&entry.registry)?;
    let invalid = |e: crate::registry::ReferenceError| DomainError::Invalid(e.to_string());
    let repo = RepoName::parse(&entry.repository).map_err(invalid)?;
    let tag = Tag::parse(&entry.tag).map_err(invalid)?;
    let unavailable = |e| DomainError::from_registry(e, || format!("{repo}:{tag}"));
    let reference = Reference::Tag(tag.clone());
    match client.head_manifest(&repo, &reference).await.map_err(unavailable)? {
        Some(now) if now.digest.as_str() == entry.digest => {
            return Err(DomainError::Conflict(format!(
                "`{repo}:{tag}` is already back at {}.",
                entry.digest
            )))
        }
        Some(now) => {
            return Err(DomainError::Conflict(format!(
                "`{repo}:{tag}` now points at {}: restoring would move it. Delete or rename that tag first.",
                now.digest
            )))
        }
        None => {}
    }
    let manifests = store::trash_manifests(&services.db, entry.id).await?;
    let missing = missing_blobs(client, &repo, &manifests)
        .await
        .map_err(unavailable)?;
    if !missing.is_empty() {
        return Err(DomainError::Conflict(format!(
            "Garbage collection has removed {} of this image's blobs ({}): it cannot be restored.",
            missing.len(),
            missing.join(", ")
        )));
    }
    // Platforms first (by digest): an index whose platforms are missing is refused.
    for platform in manifests.iter().skip(1) {
        let digest = Digest::parse(&platform.digest).map_err(invalid)?;
        client
            .push_manifest(
                &repo,
                &Reference::Digest(digest),
                &platform.media_type,
                Bytes::from(platform.bytes.clone()),
            )
            .await
            .map_err(unavailable)?;
    }
    let own = &manifests[0];
    client
        .push_manifest(
            &repo,
            &reference,
            &own.media_type,
            Bytes::from(own.bytes.clone()),
        )
        .await
        .map_err(unavailable)?;
    if let Err(error) = crate::index::refresh_tag(services, client, &repo, &tag).await {
        tracing::warn!(%error, "indexing a restored tag");
    }
    Ok(())
}

/// The blobs (configs and layers) of the trashed image manifests the repository no longer has.
async fn missing_blobs(
    client: &RegistryClient,
    repo: &RepoName,
    manifests: &[TrashedManifest],
) -> Result<Vec<String>, crate::registry::RegistryError> {
    let mut missing = Vec::new();
    for digest in manifests.iter().flat_map(|m| blobs_of(&m.bytes)) {
        let Ok(parsed) = Digest::parse(&digest) else {
            continue;
        };
        if client.head_blob(repo, &parsed).await?.is_none() && !missing.contains(&digest) {
            missing.push(digest);
        }
    }
    Ok(missing)
}

/// The config and layer digests of an image manifest (none for an index).
fn blobs_of(bytes: &[u8]) -> Vec<String> {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Vec::new();
    };
    let digest = |value: &serde_json::Value| value["digest"].as_str().map(str::to_string);
    let config = digest(&document["config"]);
    let layers = document["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(digest);
    config.into_iter().chain(layers).collect()
}

/// A trash entry that can still be restored, with the blobs (configs, layers) restoring it
/// needs.
#[derive(Debug, Clone)]
pub struct RestorableEntry {
    pub id: i64,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub blobs: Vec<String>,
}

/// The entries of `registry` that can still be restored (garbage collection's prediction says
/// which of them it would make unrestorable).
pub async fn restorable(
    services: &Services,
    registry: &str,
) -> Result<Vec<RestorableEntry>, DomainError> {
    let rows = store::restorable_manifests(&services.db, registry, services.clock.now()).await?;
    let mut entries: Vec<RestorableEntry> = Vec::new();
    for (id, repository, tag, digest, bytes) in rows {
        if entries.last().is_none_or(|e| e.id != id) {
            entries.push(RestorableEntry {
                id,
                repository,
                tag,
                digest,
                blobs: Vec::new(),
            });
        }
        let entry = entries.last_mut().expect("pushed above");
        entry.blobs.extend(blobs_of(&bytes));
    }
    Ok(entries)
}

/// Removes the entries past `trash.keep_days`; returns how many.
pub async fn purge_expired_trash(services: &Services) -> Result<u64, DomainError> {
    Ok(store::purge_expired(&services.db, services.clock.now()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_manifest_names_its_config_and_layers_and_an_index_none() {
        let image = br#"{"config":{"digest":"sha256:c"},"layers":[{"digest":"sha256:a"},{"digest":"sha256:b"}]}"#;
        assert_eq!(blobs_of(image), ["sha256:c", "sha256:a", "sha256:b"]);
        assert!(blobs_of(br#"{"manifests":[{"digest":"sha256:p"}]}"#).is_empty());
        assert!(blobs_of(b"not json").is_empty());
    }
}
