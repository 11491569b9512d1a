use super::{body, next_link};
use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::RepoName;
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use reqwest::Method;
use serde::Deserialize;

/// The largest page distribution serves (`n` > 1000 → 400 PAGINATION_NUMBER_INVALID).
const PAGE_SIZE: usize = 1000;
const PAGE_CAP: usize = 8 << 20;
/// A registry that keeps sending `next` forever is broken; 10 million repositories is plenty.
const MAX_PAGES: usize = 10_000;

#[derive(Deserialize)]
struct CatalogPage {
    #[serde(default)]
    repositories: Option<Vec<String>>,
}

impl RegistryClient {
    /// Every repository in the catalog, following `Link` pages. Names that break the grammar
    /// are skipped with a warning rather than failing the whole listing.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn list_repositories(&self) -> Result<Vec<RepoName>, RegistryError> {
        let scope = Scope::catalog();
        let mut url = self.url(&format!("v2/_catalog?n={PAGE_SIZE}"));
        let mut repositories = Vec::new();
        for _ in 0..MAX_PAGES {
            let response = self
                .send(Prepared::new(Method::GET, url.clone()), &scope)
                .await?;
            let response = self.success(response, &scope).await?;
            let next = next_link(&self.name, response.headers(), &url, &self.base)?;
            let bytes = body::read_capped(&self.name, response, PAGE_CAP, "a catalog page").await?;
            let page: CatalogPage = body::parse_json(&self.name, &bytes, "a catalog page")?;
            repositories.extend(
                page.repositories
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|name| {
                        RepoName::parse(&name)
                            .map_err(|e| tracing::warn!(%e, "skipping a catalog entry"))
                            .ok()
                    }),
            );
            match next {
                Some(next) if next != url => url = next,
                _ => return Ok(repositories),
            }
        }
        Err(RegistryError::Protocol {
            registry: self.name.clone(),
            reason: format!("the catalog has more than {MAX_PAGES} pages"),
        })
    }
}
