//! Promotion server functions: where a digest is along the pipeline, the preview, the
//! promotion itself (rules enforced in the domain, whatever the UI shows) and the history.

use crate::dto::{PipelineStage, PromotionDone, PromotionPreview, PromotionRow, RunningPromotion};
use crate::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "pipeline")]
pub async fn pipeline_of(
    registry: String,
    repository: String,
    digest: String,
) -> Result<Vec<PipelineStage>, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let stages = regatta_core::promotion::pipeline_presence(
        &services,
        &user,
        &registry,
        &repository,
        &digest,
    )
    .await
    .map_err(from_domain)?;
    Ok(stages.into_iter().map(Into::into).collect())
}

#[server(prefix = "/api", endpoint = "promotion-preview")]
pub async fn preview_promotion(
    registry: String,
    repository: String,
    tag: String,
    to_environment: String,
    target_tag: Option<String>,
    with_attachments: Option<bool>,
) -> Result<PromotionPreview, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let request = request(
        registry,
        repository,
        tag,
        to_environment,
        target_tag,
        with_attachments,
    );
    let plan = regatta_core::promotion::preview(&services, &user, &request)
        .await
        .map_err(from_domain)?;
    Ok((&plan).into())
}

#[server(prefix = "/api", endpoint = "promote")]
pub async fn promote(
    registry: String,
    repository: String,
    tag: String,
    to_environment: String,
    target_tag: Option<String>,
    with_attachments: Option<bool>,
) -> Result<PromotionDone, AppError> {
    use crate::ssr::{actor, from_domain, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let request = request(
        registry,
        repository,
        tag,
        to_environment,
        target_tag,
        with_attachments,
    );
    let outcome = regatta_core::promotion::promote(&services, &actor, &request)
        .await
        .map_err(from_domain)?;
    Ok((&outcome).into())
}

#[server(prefix = "/api", endpoint = "promotions")]
pub async fn promotion_history() -> Result<Vec<PromotionRow>, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let records = regatta_core::promotion::history(&services, &user, 200)
        .await
        .map_err(from_domain)?;
    Ok(records.into_iter().map(Into::into).collect())
}

/// Promotions copying right now, for the progress line while one runs.
#[server(prefix = "/api", endpoint = "promotions-running")]
pub async fn running_promotions() -> Result<Vec<RunningPromotion>, AppError> {
    use crate::ssr::{current_user, from_domain, services};
    let services = services()?;
    let user = current_user(&services).await?;
    let running = regatta_core::promotion::running(&services, &user)
        .await
        .map_err(from_domain)?;
    Ok(running.into_iter().map(Into::into).collect())
}

#[cfg(feature = "ssr")]
fn request(
    registry: String,
    repository: String,
    tag: String,
    to_environment: String,
    target_tag: Option<String>,
    with_attachments: Option<bool>,
) -> regatta_core::promotion::PromotionRequest {
    regatta_core::promotion::PromotionRequest {
        registry,
        repository,
        tag,
        to_environment,
        target_tag: target_tag.filter(|t| !t.trim().is_empty()),
        // Signatures travel with the image unless asked not to.
        with_attachments: with_attachments.unwrap_or(true),
    }
}
