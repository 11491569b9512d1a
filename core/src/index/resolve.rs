//! Where a tag points now, and what the index must fetch to know it — shared by the crawler
//! and registry notifications, so both follow the same rules.

use super::describe::{describe_fetched, describe_manifest, ManifestRecord};
use super::store;
use crate::registry::{Digest, Reference, RegistryClient, RegistryError, RepoName, Tag};

/// What one tag turned out to be.
pub(super) enum TagOutcome {
    /// A manifest the index already has (by row id): nothing was fetched beyond the digest.
    Known(i64),
    /// A manifest new to the index, described and ready to save.
    New(ManifestRecord),
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("reading the index: {0}")]
    Database(#[from] sqlx::Error),
}

/// A tag the index has: HEAD it, and fetch the manifest only when its digest is new.
/// `None` when the tag no longer exists. `indexed` is the (manifest id, digest) the index
/// has for the tag, when the caller read it already: an unchanged tag then costs no query.
pub(super) async fn head_tag(
    db: &crate::db::Db,
    client: &RegistryClient,
    registry_id: i64,
    repo: &RepoName,
    tag: &Tag,
    indexed: Option<&(i64, String)>,
) -> Result<Option<TagOutcome>, ResolveError> {
    let Some(head) = client
        .head_manifest(repo, &Reference::Tag(tag.clone()))
        .await?
    else {
        return Ok(None);
    };
    if let Some((id, _)) = indexed.filter(|(_, digest)| digest == head.digest.as_str()) {
        return Ok(Some(TagOutcome::Known(*id)));
    }
    if let Some(id) = known(db, registry_id, &head.digest).await? {
        return Ok(Some(TagOutcome::Known(id)));
    }
    let record = describe_manifest(client, repo, &Reference::Digest(head.digest)).await?;
    Ok(Some(TagOutcome::New(record)))
}

/// A tag the index has never seen: GET it straight away (a HEAD would only tell the digest,
/// which is probably new), and fetch its config only if the digest is new to the index.
pub(super) async fn get_new_tag(
    db: &crate::db::Db,
    client: &RegistryClient,
    registry_id: i64,
    repo: &RepoName,
    tag: &Tag,
) -> Result<Option<TagOutcome>, ResolveError> {
    let fetched = match client
        .get_manifest(repo, &Reference::Tag(tag.clone()))
        .await
    {
        Ok(fetched) => fetched,
        Err(error) if error.status() == Some(404) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    if let Some(id) = known(db, registry_id, &fetched.digest).await? {
        return Ok(Some(TagOutcome::Known(id)));
    }
    Ok(Some(TagOutcome::New(
        describe_fetched(client, repo, fetched).await?,
    )))
}

async fn known(
    db: &crate::db::Db,
    registry_id: i64,
    digest: &Digest,
) -> Result<Option<i64>, sqlx::Error> {
    store::known_manifest(db, registry_id, digest.as_str()).await
}

/// The manifest row for an outcome, saving a new manifest first.
pub(super) async fn manifest_id(
    db: &mut impl crate::db::Connection,
    registry_id: i64,
    outcome: &TagOutcome,
) -> Result<i64, sqlx::Error> {
    match outcome {
        TagOutcome::Known(id) => Ok(*id),
        TagOutcome::New(record) => store::save_manifest(db, registry_id, record).await,
    }
}
