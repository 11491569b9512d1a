//! What the browsing pages ask: registry summaries, repositories, namespaces, tags — read from
//! the index, each checking that the user may look.

use crate::auth::{may_read, require_read};
use crate::index::pages::{self, RegistryIndexRow, RepositoryRow, RepositoryScope, ScopeCounts};
use crate::index::CrawlProgress;
use crate::users::User;
use crate::{DomainError, Services};

mod tag_order;
mod tags;

pub use tag_order::TagSort;
pub use tags::{repository_tags, RepositoryTags, TagQuery, TAGS_PER_PAGE};

/// Repositories per page on the registry and namespace pages.
pub const PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone)]
pub struct RegistryOverview {
    pub name: String,
    pub url: String,
    pub index: Option<RegistryIndexRow>,
    pub progress: CrawlProgress,
}

/// Every configured registry `user` may read, with what the index holds of it (one query for
/// all).
pub async fn registry_overviews(
    services: &Services,
    user: &User,
) -> Result<Vec<RegistryOverview>, DomainError> {
    let mut rows = pages::registry_index_rows(&services.db).await?;
    let mut elsewhere = crate::index::progress::elsewhere(services).await?;
    Ok(services
        .settings
        .registries
        .iter()
        .filter(|config| may_read(user, &config.name))
        .map(|config| {
            let index = rows
                .iter()
                .position(|row| row.name == config.name)
                .map(|at| rows.swap_remove(at));
            RegistryOverview {
                name: config.name.clone(),
                url: config.url.to_string(),
                index,
                progress: local_or(services, &config.name, elsewhere.remove(&config.name)),
            }
        })
        .collect())
}

async fn overview(services: &Services, name: &str) -> Result<RegistryOverview, DomainError> {
    let config = services
        .settings
        .registry(name)
        .ok_or_else(|| DomainError::NotFound(format!("Registry `{name}`")))?;
    Ok(RegistryOverview {
        name: config.name.clone(),
        url: config.url.to_string(),
        index: pages::registry_index_row(&services.db, name).await?,
        progress: local_or(
            services,
            name,
            crate::index::progress::elsewhere(services)
                .await?
                .remove(name),
        ),
    })
}

/// This replica's crawl of `name` if it runs one, else another live replica's.
fn local_or(
    services: &Services,
    name: &str,
    elsewhere: Option<crate::index::CrawlProgress>,
) -> crate::index::CrawlProgress {
    let here = services.index_progress.get(name);
    match here.running {
        true => here,
        false => elsewhere.unwrap_or(here),
    }
}

#[derive(Debug, Clone)]
pub struct RepositoryPage {
    pub registry: RegistryOverview,
    /// `Some` on a namespace's page.
    pub namespace: Option<String>,
    pub repositories: Vec<RepositoryRow>,
    pub counts: ScopeCounts,
    pub page: i64,
}

/// Page `page` (from 1) of a registry's repositories, or of one namespace's (`dev`,
/// `team/dev`: the repositories under `namespace/`).
pub async fn repositories(
    services: &Services,
    user: &User,
    registry: &str,
    namespace: Option<&str>,
    page: i64,
) -> Result<RepositoryPage, DomainError> {
    require_read(user, &services.settings, registry)?;
    let namespace = namespace
        .map(|n| n.trim_matches('/'))
        .filter(|n| !n.is_empty());
    if let Some(namespace) = namespace {
        // A namespace follows the grammar of the repository names it prefixes.
        crate::registry::RepoName::parse(namespace)
            .map_err(|e| DomainError::Invalid(e.to_string()))?;
    }
    let overview = overview(services, registry).await?;
    let page = page.max(1);
    let scope = RepositoryScope {
        registry,
        namespace,
    };
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let repositories = pages::repositories_page(&services.db, scope, offset, PAGE_SIZE).await?;
    let counts = pages::scope_counts(&services.db, scope).await?;
    if namespace.is_some() && counts.repositories == 0 {
        return Err(DomainError::NotFound(format!(
            "Namespace `{}` in registry `{registry}`",
            namespace.unwrap_or_default()
        )));
    }
    Ok(RepositoryPage {
        registry: overview,
        namespace: namespace.map(str::to_string),
        repositories,
        counts,
        page,
    })
}
