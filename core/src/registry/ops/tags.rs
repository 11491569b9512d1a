use super::{body, next_link};
use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::{RepoName, Tag};
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use reqwest::Method;
use serde::Deserialize;

const PAGE_CAP: usize = 8 << 20;
const MAX_PAGES: usize = 10_000;

#[derive(Deserialize)]
struct TagsPage {
    /// `null` for a repository whose tags were all deleted (distribution 2.8).
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl RegistryClient {
    /// Every tag of `repo`, following `Link` pages where the registry paginates (distribution
    /// 2.8 does not; Harbor, zot and GHCR do). Order is the registry's.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn list_tags(&self, repo: &RepoName) -> Result<Vec<Tag>, RegistryError> {
        let scope = Scope::pull(repo.as_str());
        let mut url = self.url(&format!("v2/{repo}/tags/list"));
        let mut tags = Vec::new();
        for _ in 0..MAX_PAGES {
            let response = self
                .send(Prepared::new(Method::GET, url.clone()), &scope)
                .await?;
            let response = self.success(response, &scope).await?;
            let next = next_link(&self.name, response.headers(), &url, &self.base)?;
            let bytes = body::read_capped(&self.name, response, PAGE_CAP, "a tag list").await?;
            let page: TagsPage = body::parse_json(&self.name, &bytes, "a tag list")?;
            tags.extend(page.tags.unwrap_or_default().into_iter().filter_map(|tag| {
                Tag::parse(&tag)
                    .map_err(|e| tracing::warn!(%e, "skipping a tag"))
                    .ok()
            }));
            match next {
                Some(next) if next != url => url = next,
                _ => return Ok(tags),
            }
        }
        Err(RegistryError::Protocol {
            registry: self.name.clone(),
            reason: format!("{repo} has more than {MAX_PAGES} tag pages"),
        })
    }
}
