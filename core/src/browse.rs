//! What the browsing pages ask: registry summaries, repositories, tags — read from the index,
//! each checking that the user may look.

use crate::auth::require_role;
use crate::index::queries::{self, RegistryIndexRow, RepositoryRow, TagDetailRow};
use crate::index::CrawlProgress;
use crate::users::{Role, User};
use crate::{DomainError, Services};

/// Repositories per page on the registry page.
pub const PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone)]
pub struct RegistryOverview {
    pub name: String,
    pub url: String,
    pub index: Option<RegistryIndexRow>,
    pub progress: CrawlProgress,
}

pub async fn registry_overviews(
    services: &Services,
    user: &User,
) -> Result<Vec<RegistryOverview>, DomainError> {
    require_role(user, Role::Viewer)?;
    let mut overviews = Vec::new();
    for registry in &services.settings.registries {
        overviews.push(overview(services, &registry.name).await?);
    }
    Ok(overviews)
}

async fn overview(services: &Services, name: &str) -> Result<RegistryOverview, DomainError> {
    let config = services
        .settings
        .registry(name)
        .ok_or_else(|| DomainError::NotFound(format!("Registry `{name}`")))?;
    Ok(RegistryOverview {
        name: config.name.clone(),
        url: config.url.to_string(),
        index: queries::registry_index_row(&services.db, name).await?,
        progress: services.index_progress.get(name),
    })
}

#[derive(Debug, Clone)]
pub struct RepositoryPage {
    pub registry: RegistryOverview,
    pub repositories: Vec<RepositoryRow>,
    pub total: i64,
    pub page: i64,
}

/// Page `page` (from 1) of a registry's repositories.
pub async fn repositories(
    services: &Services,
    user: &User,
    registry: &str,
    page: i64,
) -> Result<RepositoryPage, DomainError> {
    require_role(user, Role::Viewer)?;
    let overview = overview(services, registry).await?;
    let page = page.max(1);
    let (repositories, total) =
        queries::repositories_page(&services.db, registry, (page - 1) * PAGE_SIZE, PAGE_SIZE)
            .await?;
    Ok(RepositoryPage {
        registry: overview,
        repositories,
        total,
        page,
    })
}

#[derive(Debug, Clone)]
pub struct RepositoryTags {
    /// `host[:port]/repository`, as in a pull command.
    pub image: String,
    pub tags: Vec<TagDetailRow>,
}

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
    let host = match (config.url.host_str(), config.url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => registry.to_string(),
    };
    let tags = queries::tags_of_repository(&services.db, registry, repository).await?;
    Ok(RepositoryTags {
        image: format!("{host}/{repository}"),
        tags,
    })
}
