use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::{RepoName, Tag};
use crate::registry::RegistryClient;
use serde::Deserialize;

#[derive(Deserialize)]
struct TagsPage {
    /// `null` for a repository whose tags were all deleted (distribution 2.8); required, as
    /// a 200 without it would drop every tag of the repository from the index.
    #[serde(deserialize_with = "super::null_as_empty")]
    tags: Vec<String>,
}

impl RegistryClient {
    /// Every tag of `repo`, following `Link` pages where the registry paginates (distribution
    /// 2.8 does not; Harbor, zot and GHCR do). Order is the registry's.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn list_tags(&self, repo: &RepoName) -> Result<Vec<Tag>, RegistryError> {
        let url = self.url(&format!("v2/{repo}/tags/list"));
        self.paged(
            url,
            &Scope::pull(repo.as_str()),
            "a tag list",
            |page: TagsPage| {
                let tags = page.tags.into_iter();
                tags.filter_map(|tag| {
                    Tag::parse(&tag)
                        .map_err(|e| tracing::warn!(%e, "skipping a tag"))
                        .ok()
                })
                .collect()
            },
        )
        .await
    }
}
