//! What the browsing pages ask: registry summaries, repositories, namespaces, tags — read from
//! the index, each checking that the user may look.

use crate::auth::require_role;
use crate::index::pages::{
    self, RegistryIndexRow, RepositoryRow, RepositoryScope, ScopeCounts, TagDetailRow,
};
use crate::index::CrawlProgress;
use crate::users::{Role, User};
use crate::{DomainError, Services};

/// Repositories per page on the registry and namespace pages.
pub const PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone)]
pub struct RegistryOverview {
    pub name: String,
    pub url: String,
    pub index: Option<RegistryIndexRow>,
    pub progress: CrawlProgress,
}

/// Every configured registry with what the index holds of it (one query for all).
pub async fn registry_overviews(
    services: &Services,
    user: &User,
) -> Result<Vec<RegistryOverview>, DomainError> {
    require_role(user, Role::Viewer)?;
    let mut rows = pages::registry_index_rows(&services.db).await?;
    Ok(services
        .settings
        .registries
        .iter()
        .map(|config| {
            let index = rows
                .iter()
                .position(|row| row.name == config.name)
                .map(|at| rows.swap_remove(at));
            RegistryOverview {
                name: config.name.clone(),
                url: config.url.to_string(),
                index,
                progress: services.index_progress.get(&config.name),
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
        progress: services.index_progress.get(name),
    })
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
    require_role(user, Role::Viewer)?;
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

#[derive(Debug, Clone)]
pub struct RepositoryTags {
    /// `host[:port]/repository`, as in a pull command.
    pub image: String,
    /// The newest [`MAX_TAGS_LISTED`].
    pub tags: Vec<TagDetailRow>,
    /// All tags of the repository.
    pub total: i64,
}

/// A CI that tags every build leaves tens of thousands of tags; one page lists the newest this
/// many (search reaches every tag).
pub const MAX_TAGS_LISTED: i64 = 1_000;

/// Every tag of one repository, for the tag table.
pub async fn repository_tags(
    services: &Services,
    user: &User,
    registry: &str,
    repository: &str,
) -> Result<RepositoryTags, DomainError> {
    require_role(user, Role::Viewer)?;
    let config = services
        .settings
        .registry(registry)
        .ok_or_else(|| DomainError::NotFound(format!("Registry `{registry}`")))?;
    let host = crate::registry::host_of(&config.url);
    crate::registry::RepoName::parse(repository)
        .map_err(|e| DomainError::Invalid(e.to_string()))?;
    let tags =
        pages::tags_of_repository(&services.db, registry, repository, MAX_TAGS_LISTED).await?;
    let total = match tags.len() as i64 {
        listed if listed < MAX_TAGS_LISTED => listed,
        _ => pages::count_tags_of_repository(&services.db, registry, repository).await?,
    };
    if total == 0 && !pages::repository_exists(&services.db, registry, repository).await? {
        return Err(DomainError::NotFound(format!(
            "Repository `{repository}` in `{registry}` (not in the index)"
        )));
    }
    Ok(RepositoryTags {
        image: format!("{host}/{repository}"),
        tags,
        total,
    })
}
