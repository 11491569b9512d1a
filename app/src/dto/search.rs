use super::When;
use serde::{Deserialize, Serialize};

/// One page of search results, with what the query was understood as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub query: String,
    pub registry: Option<String>,
    /// One phrase per part of the query, for the chips above the results.
    pub understood: Vec<String>,
    /// Words that matched nothing, and the repository words searched instead.
    pub corrections: Vec<Correction>,
    pub hits: Vec<SearchHitItem>,
    /// Matching tags; `capped` when counting stopped at the cap.
    pub total: i64,
    pub capped: bool,
    pub page: i64,
    pub pages: i64,
    /// For the filter chips: registries the user may search and configured environments.
    pub registries: Vec<String>,
    pub environments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub word: String,
    pub instead: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHitItem {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub platforms: Vec<String>,
    pub size_bytes: u64,
    pub pushed: When,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::search::{SearchHit, SearchRequest, SearchResults, COUNT_CAP};

    impl From<SearchHit> for SearchHitItem {
        fn from(hit: SearchHit) -> Self {
            Self {
                registry: hit.registry,
                repository: hit.repository,
                tag: hit.tag,
                digest: hit.digest,
                platforms: hit.platforms,
                size_bytes: hit.total_size.max(0) as u64,
                pushed: hit.pushed_at.into(),
            }
        }
    }

    impl SearchPage {
        pub fn new(
            request: &SearchRequest,
            results: SearchResults,
            registries: Vec<String>,
            environments: Vec<String>,
        ) -> Self {
            let capped = results.total > COUNT_CAP;
            let total = results.total.min(COUNT_CAP);
            Self {
                query: request.text.clone(),
                registry: request.registry.clone(),
                understood: results.understood,
                corrections: results
                    .corrections
                    .into_iter()
                    .map(|(word, instead)| Correction { word, instead })
                    .collect(),
                hits: results.hits.into_iter().map(Into::into).collect(),
                total,
                capped,
                page: results.page,
                pages: ((total + results.page_size - 1) / results.page_size).max(1),
                registries,
                environments,
            }
        }
    }
}
