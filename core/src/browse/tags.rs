//! A repository's tag table: filtered, ordered and paged in the index, so a repository that a
//! CI tags on every build (tens of thousands of tags) costs one page per request.

use super::tag_order::{sort_by_version, TagSort};
use crate::auth::require_read;
use crate::index::pages::{self, TagCounts, TagDetailRow};
use crate::users::User;
use crate::{DomainError, Services};

/// Tags per page of the tag table.
pub const TAGS_PER_PAGE: i64 = 100;

/// Tag names are at most 128 characters (OCI distribution spec): no longer filter can match.
const MAX_FILTER_CHARS: usize = 128;

/// Which page of which tags, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagQuery {
    /// Tags whose name contains this (any case); empty: every tag.
    pub filter: String,
    pub sort: TagSort,
    /// From 1; past the last page means the last page.
    pub page: i64,
}

#[derive(Debug, Clone)]
pub struct RepositoryTags {
    /// `host[:port]/repository`, as in a pull command.
    pub image: String,
    /// The page asked for (at most [`TAGS_PER_PAGE`]).
    pub tags: Vec<TagDetailRow>,
    /// Tags that match the filter.
    pub matching: i64,
    /// All tags of the repository.
    pub total: i64,
    /// The page shown (the one asked for, within 1..=pages).
    pub page: i64,
    pub pages: i64,
}

/// One page of a repository's tags, for the tag table.
pub async fn repository_tags(
    services: &Services,
    user: &User,
    registry: &str,
    repository: &str,
    query: &TagQuery,
) -> Result<RepositoryTags, DomainError> {
    require_read(user, &services.settings, registry)?;
    let config = services
        .settings
        .registry(registry)
        .ok_or_else(|| DomainError::NotFound(format!("Registry `{registry}`")))?;
    crate::registry::RepoName::parse(repository)
        .map_err(|e| DomainError::Invalid(e.to_string()))?;
    if query.filter.chars().count() > MAX_FILTER_CHARS {
        return Err(DomainError::Invalid(format!(
            "A tag filter is at most {MAX_FILTER_CHARS} characters (the longest tag name)."
        )));
    }
    let db = &services.db;
    let needle = query.filter.trim().to_lowercase();
    let asked = query.page.max(1);
    let (tags, counts, page) = match query.sort {
        TagSort::Created => {
            let newest = |page: i64| {
                let offset = (page - 1) * TAGS_PER_PAGE;
                pages::newest_tags_of_repository(
                    db,
                    registry,
                    repository,
                    &needle,
                    TAGS_PER_PAGE,
                    offset,
                )
            };
            let rows = newest(asked).await?;
            let (rows, counts, page) = match rows.first().map(|row| row.counts) {
                Some(counts) => (rows, counts, asked),
                // Nothing to show, or past the last page: count, then show the last page.
                None => {
                    let counts = counts_of(db, registry, repository, &needle).await?;
                    let page = asked.min(page_count(counts));
                    let rows = match page == asked {
                        true => rows,
                        false => newest(page).await?,
                    };
                    (rows, counts, page)
                }
            };
            (
                rows.into_iter().map(|paged| paged.row).collect(),
                counts,
                page,
            )
        }
        TagSort::Semver => {
            let counts = counts_of(db, registry, repository, &needle).await?;
            let page = asked.min(page_count(counts));
            let mut names =
                pages::tag_names_of_repository(db, registry, repository, &needle).await?;
            sort_by_version(&mut names);
            let names: Vec<String> = names
                .into_iter()
                .skip(((page - 1) * TAGS_PER_PAGE) as usize)
                .take(TAGS_PER_PAGE as usize)
                .collect();
            let mut rows = pages::tags_named(db, registry, repository, &names).await?;
            rows.sort_by_key(|row| names.iter().position(|n| *n == row.tag));
            (rows, counts, page)
        }
    };
    Ok(RepositoryTags {
        image: format!("{}/{repository}", crate::registry::host_of(&config.url)),
        tags,
        matching: counts.matching,
        total: counts.total,
        page,
        pages: page_count(counts),
    })
}

/// The repository's tag counts; not found when the index does not know the repository.
async fn counts_of(
    db: &crate::db::Db,
    registry: &str,
    repository: &str,
    needle: &str,
) -> Result<TagCounts, DomainError> {
    let counts = pages::count_tags_of_repository(db, registry, repository, needle).await?;
    if counts.total == 0 && !pages::repository_exists(db, registry, repository).await? {
        return Err(DomainError::NotFound(format!(
            "Repository `{repository}` in `{registry}` (not in the index)"
        )));
    }
    Ok(counts)
}

/// Pages of the tags that match (at least one, the empty page).
fn page_count(counts: TagCounts) -> i64 {
    ((counts.matching + TAGS_PER_PAGE - 1) / TAGS_PER_PAGE).max(1)
}
