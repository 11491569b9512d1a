use anyhow::Context;
use regatta_core::config::Settings;
use regatta_core::promotion::{self, PromotionRequest};
use regatta_core::users::{Role, User};
use regatta_core::Services;

/// `regatta promote REGISTRY/REPOSITORY:TAG --to ENV [--as TAG]`: for deploy scripts. Whoever
/// runs the CLI holds the configuration and the database, so it acts as an admin; the history
/// and audit trail name the operating-system user.
pub async fn promote(
    settings: Settings,
    image: String,
    to: String,
    target_tag: Option<String>,
    with_attachments: bool,
) -> anyhow::Result<()> {
    let services = Services::start(settings).await?;
    let (registry, rest) = image
        .split_once('/')
        .context("expected REGISTRY/REPOSITORY:TAG, e.g. local/dev/shop-api:1.2.0")?;
    let (repository, tag) = rest
        .rsplit_once(':')
        .context("expected REGISTRY/REPOSITORY:TAG, e.g. local/dev/shop-api:1.2.0")?;
    let actor = super::user::cli_actor();
    let user = User::not_stored(actor.name, Role::Admin);
    let request = PromotionRequest {
        registry: registry.to_string(),
        repository: repository.to_string(),
        tag: tag.to_string(),
        to_environment: to,
        target_tag,
        with_attachments,
    };
    let outcome = promotion::promote(&services, &user, &request, &actor.source).await?;
    let (plan, report) = (&outcome.plan, &outcome.report);
    println!(
        "promoted {}/{}:{} to {}/{}:{} ({}) in {} ms: {} bytes moved, {} blobs mounted, {} copied, {} already there",
        plan.source.registry,
        plan.source.repository,
        plan.source.tag,
        plan.target.registry,
        plan.target.repository,
        plan.target.tag,
        plan.digest,
        outcome.duration_ms,
        report.bytes_moved,
        report.blobs_mounted,
        report.blobs_copied,
        report.blobs_present
    );
    Ok(())
}
