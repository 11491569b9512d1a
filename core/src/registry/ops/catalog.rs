use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::RepoName;
use crate::registry::RegistryClient;
use serde::Deserialize;

/// The largest page distribution serves (`n` > 1000 → 400 PAGINATION_NUMBER_INVALID).
const PAGE_SIZE: usize = 1000;

#[derive(Deserialize)]
struct CatalogPage {
    /// Required (`null` reads as empty): a 200 without it (`{}`, another service's JSON) is not
    /// an empty catalog, and reading it as one would empty the index.
    #[serde(deserialize_with = "super::null_as_empty")]
    repositories: Vec<String>,
}

impl RegistryClient {
    /// Every repository in the catalog, following `Link` pages. Names that break the grammar
    /// are skipped with a warning rather than failing the whole listing.
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn list_repositories(&self) -> Result<Vec<RepoName>, RegistryError> {
        let url = self.url(&format!("v2/_catalog?n={PAGE_SIZE}"));
        self.paged(
            url,
            &Scope::catalog(),
            "a catalog page",
            |page: CatalogPage| {
                let names = page.repositories.into_iter();
                names
                    .filter_map(|name| {
                        RepoName::parse(&name)
                            .map_err(|e| tracing::warn!(%e, "skipping a catalog entry"))
                            .ok()
                    })
                    .collect()
            },
        )
        .await
    }
}
