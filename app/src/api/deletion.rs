//! Deletion server functions: the preview behind the confirmation page, the deletion itself,
//! the trash and restoring from it. Deleting and restoring work as plain form posts before
//! hydration: the outcome is then a redirect (to the trash, or back with the reason).

use crate::dto::{DeletionDone, DeletionPreview, RunningDeletion, TrashItem};
use crate::AppError;
use leptos::prelude::*;

/// `tags` is a list separated by commas or spaces (tag names have neither).
#[server(prefix = "/api", endpoint = "deletion-preview")]
pub async fn preview_deletion(
    registry: String,
    repository: String,
    tags: String,
    whole_repository: Option<String>,
    matching: Option<String>,
) -> Result<DeletionPreview, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let mut request = deletion_ssr::request(registry, repository, &tags, whole_repository, None);
    request.matching = matching;
    let plan = regatta_core::deletion::preview(&services, &user, &request)
        .await
        .map_err(from_domain)?;
    Ok((&plan).into())
}

#[allow(clippy::too_many_arguments)] // the fields of the confirmation form
#[server(prefix = "/api", endpoint = "delete")]
pub async fn delete_tags(
    registry: String,
    repository: String,
    tags: String,
    whole_repository: Option<String>,
    matching: Option<String>,
    expected: Option<String>,
    confirmation: Option<String>,
) -> Result<DeletionDone, AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let back = deletion_ssr::confirmation_page(
        &registry,
        &repository,
        &tags,
        &whole_repository,
        matching.as_deref(),
    );
    let mut request =
        deletion_ssr::request(registry, repository, &tags, whole_repository, confirmation);
    request.matching = matching;
    request.expected = expected.filter(|e| !e.is_empty());
    let result = regatta_core::deletion::delete(&services, &actor, &request)
        .await
        .map(|report| DeletionDone::from(&report));
    let trash = |done: &DeletionDone| crate::routes::trash(&[("deleted", &done.id.to_string())]);
    form_outcome(result, trash, &back).await
}

/// Deletions running now: the confirmation page polls this while its form is being answered.
#[server(prefix = "/api", endpoint = "deletions-running")]
pub async fn running_deletions() -> Result<Vec<RunningDeletion>, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let running = regatta_core::deletion::running(&services, &user).map_err(from_domain)?;
    Ok(running.iter().map(|p| p.as_ref().into()).collect())
}

#[server(prefix = "/api", endpoint = "trash")]
pub async fn list_trash() -> Result<Vec<TrashItem>, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let entries = regatta_core::deletion::trash_list(&services, &user, 200)
        .await
        .map_err(from_domain)?;
    Ok(entries.into_iter().map(Into::into).collect())
}

#[server(prefix = "/api", endpoint = "restore")]
pub async fn restore_from_trash(id: i64) -> Result<TrashItem, AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::deletion::restore(&services, &actor, id)
        .await
        .map(TrashItem::from);
    let restored = crate::routes::trash(&[("restored", &id.to_string())]);
    form_outcome(result, |_| restored, "/trash").await
}

#[cfg(feature = "ssr")]
mod deletion_ssr {
    use regatta_core::deletion::DeletionRequest;

    pub fn request(
        registry: String,
        repository: String,
        tags: &str,
        whole_repository: Option<String>,
        confirmation: Option<String>,
    ) -> DeletionRequest {
        DeletionRequest {
            registry,
            repository,
            tags: split_tags(tags),
            whole_repository: is_on(&whole_repository),
            matching: None,
            expected: None,
            confirmation: confirmation.filter(|c| !c.trim().is_empty()),
        }
    }

    pub fn split_tags(tags: &str) -> Vec<String> {
        tags.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// A checkbox or hidden field that says yes.
    pub fn is_on(value: &Option<String>) -> bool {
        matches!(value.as_deref(), Some("1" | "true" | "on"))
    }

    /// Where the confirmation page of this request is.
    pub fn confirmation_page(
        registry: &str,
        repository: &str,
        tags: &str,
        whole_repository: &Option<String>,
        matching: Option<&str>,
    ) -> String {
        let whole = is_on(whole_repository);
        match (
            split_tags(tags).as_slice(),
            matching.filter(|m| !m.is_empty()),
        ) {
            (_, Some(filter)) => crate::routes::delete_matching(registry, repository, filter),
            ([one], None) if !whole => crate::routes::delete_tag(registry, repository, one),
            (many, None) => crate::routes::delete_tags(registry, repository, many, whole),
        }
    }
}
