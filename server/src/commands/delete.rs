//! `regatta delete REGISTRY/REPOSITORY:TAG… [--repository] [--yes]`: deletes tags as the
//! dashboard does (siblings kept, the image going with its last tag, the trash first), for
//! scripts. It shows the preview and asks first; `--yes` answers for scripts, and is also the
//! confirmation a protected environment asks for (the CLI acts as an admin, see `cli_actor`).
//! With `--repository` the arguments are REGISTRY/REPOSITORY and every tag goes.

use anyhow::Context;
use app::format::human_size;
use regatta_core::config::Settings;
use regatta_core::deletion::{self, DeletionPlan, DeletionRequest, TagResult};
use regatta_core::registry::{Reference, RepoReference};
use regatta_core::Services;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

const EXPECTED: &str = "expected REGISTRY/REPOSITORY:TAG, e.g. local/dev/shop-api:1.2.0";

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// REGISTRY/REPOSITORY:TAG (or REGISTRY/REPOSITORY with --repository), one or more.
    #[arg(required = true)]
    images: Vec<String>,
    /// Delete every tag of the named repositories.
    #[arg(long)]
    repository: bool,
    /// Do not ask: delete what the preview shows (and confirm protected environments).
    #[arg(long)]
    yes: bool,
}

pub async fn delete(settings: Settings, args: DeleteArgs) -> anyhow::Result<()> {
    let requests = requests(&args)?;
    let services = Services::start(settings).await?;
    let actor = super::cli_actor();
    let mut failed = 0;
    for mut request in requests {
        refresh_named_tags(&services, &request).await;
        let plan = deletion::preview(&services, &actor.user, &request).await?;
        print_plan(&plan);
        if !args.yes && !confirmed(&plan)? {
            println!("not deleted");
            continue;
        }
        request.confirmation = plan.confirmation.clone();
        let report = deletion::delete(&services, &actor, &request).await?;
        for outcome in &report.outcomes {
            let name = format!("{}/{}:{}", report.registry, report.repository, outcome.tag);
            match &outcome.result {
                TagResult::Deleted {
                    trash_id,
                    image_deleted,
                } => {
                    let what = if *image_deleted {
                        "with its image"
                    } else {
                        "image kept"
                    };
                    println!("deleted {name} ({what}; trash #{trash_id})");
                }
                TagResult::Skipped(why) => println!("skipped {name}: {why}"),
                TagResult::Failed(why) => {
                    failed += 1;
                    println!("FAILED  {name}: {why}");
                }
            }
        }
        println!(
            "garbage collection will free {}",
            human_size(report.bytes_freed)
        );
    }
    anyhow::ensure!(failed == 0, "{failed} tag(s) could not be deleted");
    Ok(())
}

/// The CLI may run where no server keeps the index current: the named tags are looked up in
/// the registry first (a HEAD each), so the preview is about what is there now.
async fn refresh_named_tags(services: &Services, request: &DeletionRequest) {
    let Ok(client) = services.registry_client(&request.registry) else {
        return;
    };
    let Ok(repo) = regatta_core::registry::RepoName::parse(&request.repository) else {
        return;
    };
    for tag in &request.tags {
        let Ok(tag) = regatta_core::registry::Tag::parse(tag) else {
            continue;
        };
        if let Err(error) = regatta_core::index::refresh_tag(services, client, &repo, &tag).await {
            eprintln!("regatta: looking up {}:{tag}: {error}", request.repository);
        }
    }
}

/// One request per registry and repository named.
fn requests(args: &DeleteArgs) -> anyhow::Result<Vec<DeletionRequest>> {
    let mut by_repository: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for image in &args.images {
        let (registry, rest) = image.split_once('/').context(EXPECTED)?;
        let (repository, tag) = match args.repository {
            true => (rest.to_string(), None),
            false => {
                let reference = RepoReference::parse(rest).context(EXPECTED)?;
                let Reference::Tag(tag) = reference.reference else {
                    anyhow::bail!(
                        "{EXPECTED} (a tag: deleting by digest would take every tag on it)"
                    );
                };
                (reference.repository.to_string(), Some(tag.to_string()))
            }
        };
        let tags = by_repository
            .entry((registry.to_string(), repository))
            .or_default();
        tags.extend(tag);
    }
    Ok(by_repository
        .into_iter()
        .map(|((registry, repository), tags)| DeletionRequest {
            registry,
            repository,
            tags,
            whole_repository: args.repository,
            matching: None,
            expected: None,
            confirmation: None,
        })
        .collect())
}

fn print_plan(plan: &DeletionPlan) {
    println!("{}/{}:", plan.registry, plan.repository);
    for tag in &plan.tags {
        let fate = match (tag.image_goes, tag.siblings_kept.as_slice()) {
            (true, _) => "the image goes".to_string(),
            (false, []) => "the image stays (a tagged index holds it)".to_string(),
            (false, kept) => format!("the image stays with {}", kept.join(", ")),
        };
        println!("  {:<24} {}  {fate}", tag.tag, tag.digest);
    }
    for tag in &plan.unknown {
        println!("  {tag:<24} not in the index: skipped");
    }
    println!(
        "  then garbage collection frees {}",
        human_size(plan.bytes_freed)
    );
}

/// Asks on the terminal: y, or in a guarded environment the text it asks for.
fn confirmed(plan: &DeletionPlan) -> anyhow::Result<bool> {
    let wanted = plan.confirmation.clone().unwrap_or_else(|| "y".into());
    let guard = match plan.confirmation {
        Some(_) => "guarded environment: ",
        None => "",
    };
    print!("{guard}type `{wanted}` to delete: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == wanted)
}
