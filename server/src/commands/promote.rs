//! `regatta promote REGISTRY/REPOSITORY:TAG --to ENV [--as TAG]`: for deploy scripts. Whoever
//! runs the CLI holds the configuration and the database, so it acts as an admin; the history
//! and audit trail name the operating-system user.

use anyhow::Context;
use regatta_core::config::Settings;
use regatta_core::promotion::{self, PromotionRequest};
use regatta_core::registry::{Reference, RepoReference};
use regatta_core::Services;

const EXPECTED: &str = "expected REGISTRY/REPOSITORY:TAG, e.g. local/dev/shop-api:1.2.0";

#[derive(Debug, clap::Args)]
pub struct PromoteArgs {
    /// REGISTRY/REPOSITORY:TAG, e.g. local/dev/shop-api:1.2.0
    image: String,
    /// The environment to promote into.
    #[arg(long)]
    to: String,
    /// The tag to write there (default: the same tag).
    #[arg(long = "as")]
    target_tag: Option<String>,
    /// Leave the digest's signatures, attestations and SBOMs behind.
    #[arg(long)]
    without_attachments: bool,
}

pub async fn promote(settings: Settings, args: PromoteArgs) -> anyhow::Result<()> {
    let (registry, image) = args.image.split_once('/').context(EXPECTED)?;
    let image = RepoReference::parse(image).context(EXPECTED)?;
    let Reference::Tag(tag) = &image.reference else {
        anyhow::bail!("{EXPECTED} (a tag, not a digest: the target gets a tag)");
    };
    let services = Services::start(settings).await?;
    let request = PromotionRequest {
        registry: registry.to_string(),
        repository: image.repository.to_string(),
        tag: tag.to_string(),
        to_environment: args.to,
        target_tag: args.target_tag,
        with_attachments: !args.without_attachments,
    };
    let outcome = promotion::promote(&services, &super::cli_actor(), &request).await?;
    let (plan, report) = (&outcome.plan, &outcome.report);
    println!(
        "promoted {} to {} ({}) in {} ms: {} bytes moved, {} blobs mounted, {} copied, {} already there",
        plan.source,
        plan.target,
        plan.digest,
        outcome.duration_ms,
        report.bytes_moved,
        report.blobs_mounted,
        report.blobs_copied,
        report.blobs_present
    );
    Ok(())
}
