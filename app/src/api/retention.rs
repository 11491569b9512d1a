//! Retention server functions: the overview, saving and deleting a policy, previewing, one
//! preview or run, and running a preview. The forms work as plain posts before hydration: the
//! outcome is a redirect.

// A server function's arguments are the fields of its form (the policy form has twelve); the
// macro's generated client function takes them too, out of reach of an attribute on the fn.
#![allow(clippy::too_many_arguments)]

use crate::dto::{RetentionOverview, RunDetails};
use crate::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "retention")]
pub async fn load_retention() -> Result<RetentionOverview, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    use regatta_core::retention;
    let services = services()?;
    let user = current_user(&services).await?;
    let policies = retention::policies(&services, &user)
        .await
        .map_err(from_domain)?;
    let runs = retention::history(&services, &user, 50)
        .await
        .map_err(from_domain)?;
    // A maintainer anywhere may make policies (each is checked where it deletes).
    let may_edit = regatta_core::auth::highest_role(&user) >= regatta_core::users::Role::Maintainer;
    Ok(RetentionOverview {
        policies: policies.into_iter().map(Into::into).collect(),
        runs: runs.iter().map(Into::into).collect(),
        may_edit,
    })
}

/// Lists are one entry per line (globs may hold commas: `{a,b}`); numbers may be empty.
#[server(prefix = "/api", endpoint = "retention-save")]
pub async fn save_retention_policy(
    name: String,
    registry: String,
    environment: Option<String>,
    repositories: Option<String>,
    exclude_repositories: Option<String>,
    most_recent: Option<String>,
    pushed_within_days: Option<String>,
    pulled_within_days: Option<String>,
    tags: Option<String>,
    tags_regex: Option<String>,
    promoted: Option<String>,
    schedule: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, from_domain, services};
    use regatta_core::retention::{KeepRules, RetentionPolicy};
    let services = services()?;
    let actor = actor(&services).await?;
    let number = |value: Option<String>, what: &str| -> Result<Option<u32>, AppError> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                from_domain(regatta_core::DomainError::Invalid(format!(
                    "{what} must be a whole number, not `{v}`."
                )))
            }),
        }
    };
    let lines = |value: Option<String>| -> Vec<String> {
        value
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let policy = RetentionPolicy {
        name: name.trim().to_string(),
        registry,
        environment: environment.filter(|e| !e.is_empty()),
        repositories: lines(repositories),
        exclude_repositories: lines(exclude_repositories),
        keep: KeepRules {
            most_recent: number(most_recent, "Most recent")?,
            pushed_within_days: number(pushed_within_days, "Pushed within")?,
            pulled_within_days: number(pulled_within_days, "Pulled within")?,
            tags: lines(tags),
            tags_regex: lines(tags_regex),
            promoted: promoted.is_some_and(|p| !p.is_empty()),
        },
        schedule: schedule
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    };
    let saved = format!("/retention?saved={}", policy.name);
    let result = regatta_core::retention::save_policy(&services, &actor, policy).await;
    form_outcome(result, |_| saved, "/retention").await
}

#[server(prefix = "/api", endpoint = "retention-delete")]
pub async fn delete_retention_policy(name: String) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::retention::delete_policy(&services, &actor, &name).await;
    form_outcome(
        result,
        |_| format!("/retention?deleted={name}"),
        "/retention",
    )
    .await
}

/// Previews a policy now and keeps the preview: its page shows it, with Run.
#[server(prefix = "/api", endpoint = "retention-preview")]
pub async fn preview_retention(name: String) -> Result<i64, AppError> {
    use crate::ssr::{actor, form_outcome, services};
    use regatta_core::retention::Trigger;
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::retention::preview(&services, &actor, &name, Trigger::Manual)
        .await
        .map(|(id, _)| id);
    form_outcome(result, |id| crate::routes::retention_run(*id), "/retention").await
}

#[server(prefix = "/api", endpoint = "retention-run-details")]
pub async fn retention_run_details(id: i64) -> Result<RunDetails, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let row = regatta_core::retention::run_record(&services, &user, id)
        .await
        .map_err(from_domain)?;
    let may_run = match regatta_core::retention::find_policy(&services, &row.policy).await {
        Ok(policy) => regatta_core::retention::may_manage(&user, &services.settings, &policy),
        Err(_) => false,
    };
    Ok(RunDetails::new(&row, may_run))
}

/// Deletes exactly the candidates of preview `id`.
#[server(prefix = "/api", endpoint = "retention-run")]
pub async fn run_retention(id: i64) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let page = crate::routes::retention_run(id);
    let result = regatta_core::retention::run(&services, &actor, id)
        .await
        .map(drop);
    form_outcome(result, |_| page.clone(), &page).await
}
