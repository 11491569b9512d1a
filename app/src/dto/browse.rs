use super::{RegistryIndexSummary, When};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryItem {
    pub name: String,
    pub tags: i64,
    pub last_updated: Option<When>,
}

/// Repositories sharing a namespace below the page's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceGroup {
    /// `dev`, `team/dev`; `None` for repositories directly in the page's scope (the registry's
    /// top level, or the namespace the page shows).
    pub namespace: Option<String>,
    pub repositories: Vec<RepositoryItem>,
}

/// A registry's repositories, or one namespace's, one page of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryListing {
    pub registry: RegistryIndexSummary,
    /// `Some` on a namespace's page.
    pub namespace: Option<String>,
    pub namespaces: Vec<NamespaceGroup>,
    /// Repositories and tags in the whole scope (all pages).
    pub repositories: i64,
    pub tags: i64,
    pub page: i64,
    pub pages: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagItem {
    pub tag: String,
    pub digest: String,
    pub size_bytes: u64,
    pub platforms: Vec<String>,
    /// The image config's `created` (the newest platform's, for an index).
    pub created: Option<When>,
    pub same_digest_as: Vec<String>,
    pub is_index: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagListing {
    pub registry: String,
    pub repository: String,
    /// `host[:port]/repository`, for pull commands.
    pub image: String,
    /// One page of the tags that match `filter`, in `sort` order.
    pub tags: Vec<TagItem>,
    /// What the tags were asked for, as the page's query string spells it.
    pub filter: String,
    pub sort: String,
    pub page: i64,
    pub pages: i64,
    /// Tags that match `filter`, on every page.
    pub matching: i64,
    /// Every tag of the repository.
    pub total: i64,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::browse::{RepositoryPage, RepositoryTags, TagQuery, PAGE_SIZE};
    use regatta_core::index::pages::TagDetailRow;

    impl From<RepositoryPage> for RepositoryListing {
        fn from(page: RepositoryPage) -> Self {
            let scope = page.namespace.as_deref().map(|n| format!("{n}/"));
            let mut namespaces: Vec<NamespaceGroup> = Vec::new();
            for repo in page.repositories {
                let inner = scope
                    .as_deref()
                    .and_then(|s| repo.name.strip_prefix(s))
                    .unwrap_or(&repo.name);
                let namespace = inner.split_once('/').map(|(group, _)| match &scope {
                    Some(scope) => format!("{scope}{group}"),
                    None => group.to_string(),
                });
                let item = RepositoryItem {
                    name: repo.name,
                    tags: repo.tags,
                    last_updated: repo.last_updated.map(When::from),
                };
                match namespaces.iter_mut().find(|g| g.namespace == namespace) {
                    Some(group) => group.repositories.push(item),
                    None => namespaces.push(NamespaceGroup {
                        namespace,
                        repositories: vec![item],
                    }),
                }
            }
            Self {
                registry: (&page.registry).into(),
                namespace: page.namespace,
                namespaces,
                repositories: page.counts.repositories,
                tags: page.counts.tags,
                page: page.page,
                pages: ((page.counts.repositories + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
            }
        }
    }

    impl From<TagDetailRow> for TagItem {
        fn from(row: TagDetailRow) -> Self {
            Self {
                created: row.created.as_deref().and_then(When::parse_rfc3339),
                tag: row.tag,
                digest: row.digest,
                size_bytes: row.total_size.max(0) as u64,
                platforms: row.platforms,
                same_digest_as: row.same_digest_as,
                is_index: row.is_index,
            }
        }
    }

    impl TagListing {
        pub fn new(
            registry: &str,
            repository: &str,
            query: &TagQuery,
            tags: RepositoryTags,
        ) -> Self {
            Self {
                registry: registry.to_string(),
                repository: repository.to_string(),
                image: tags.image,
                tags: tags.tags.into_iter().map(Into::into).collect(),
                filter: query.filter.clone(),
                sort: query.sort.as_str().to_string(),
                page: tags.page,
                pages: tags.pages,
                matching: tags.matching,
                total: tags.total,
            }
        }
    }
}
