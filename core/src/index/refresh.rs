//! Bringing one tag of the index up to date with the registry now: after a push notification,
//! or after Regatta itself wrote the tag (a promotion), so pages show it at once.

use super::resolve::{self, ResolveError};
use super::store;
use crate::registry::{RegistryClient, RepoName, Tag};
use crate::Services;

/// HEADs `tag` and indexes what it points at (fetching only what the index lacks), or removes
/// it from the index when the registry no longer has it.
pub async fn refresh_tag(
    services: &Services,
    client: &RegistryClient,
    repo: &RepoName,
    tag: &Tag,
) -> Result<(), ResolveError> {
    let registry_id = store::registry_id(&services.db, &client.name).await?;
    let repository_id = store::repository_id(&services.db, registry_id, repo.as_str()).await?;
    let Some(outcome) =
        resolve::head_tag(&services.db, client, registry_id, repo, tag, None).await?
    else {
        store::delete_tag(&services.db, repository_id, tag.as_str()).await?;
        return Ok(());
    };
    let mut conn = services.db.acquire().await?;
    let manifest_id = resolve::manifest_id(&mut conn, registry_id, &outcome).await?;
    store::upsert_tag(
        &services.db,
        repository_id,
        tag.as_str(),
        manifest_id,
        services.clock.now(),
    )
    .await?;
    Ok(())
}
