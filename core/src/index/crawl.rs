//! Filling the index from a registry: catalog → tag lists → one HEAD per tag; only manifests
//! the index does not know yet are fetched (with their configs). A re-crawl of an unchanged
//! registry therefore costs one catalog page per 1,000 repositories, one tag list per
//! repository and one HEAD per tag — and no HEAD at all while the registry's notifications
//! arrive, except once per `index.verify_interval_hours`. Writes happen per repository, in one
//! transaction each.

use super::removal_guard::Removal;
use super::resolve::{self, ResolveError, TagOutcome};
use super::store;
use crate::registry::{RegistryClient, RegistryError, RepoName, Tag};
use crate::Services;
use futures_util::{stream, StreamExt};
use std::collections::HashSet;

/// Requests in flight per registry: enough to hide latency, few enough to be a polite client.
const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlReport {
    pub repositories: usize,
    pub tags: usize,
    /// Manifests fetched because the index did not know their digest.
    pub manifests_fetched: usize,
    pub requests: u64,
    /// Per-repository failures (the crawl goes on without them).
    pub errors: Vec<String>,
    /// Every known tag was HEADed (else notifications were trusted for moved tags).
    pub verified: bool,
    /// Repositories missing from the catalog that were kept (see `RemovalGuard`), and why.
    pub removal_held: Option<String>,
}

/// Crawls every configured registry, one after the other; failures are recorded per registry.
pub async fn crawl_all(services: &Services) {
    for registry in &services.settings.registries {
        if let Err(error) = crawl_registry(services, &registry.name).await {
            tracing::warn!(registry = %registry.name, %error, "crawl failed");
        }
    }
    if let Err(error) = services.search_vocabulary.refresh(&services.db).await {
        tracing::warn!(%error, "refreshing the search vocabulary");
    }
}

#[tracing::instrument(skip(services))]
pub async fn crawl_registry(services: &Services, name: &str) -> Result<CrawlReport, RegistryError> {
    let client = services
        .registries
        .get(name)
        .expect("crawl of a configured registry");
    let started = services.clock.now();
    services.index_progress.update(name, |p| {
        *p = super::CrawlProgress {
            running: true,
            ..Default::default()
        }
    });
    // Health first: a crawl that fails then still leaves "reachable? auth ok? how fast?" behind.
    let health = client.ping().await;
    crate::metrics::registry_checked(
        name,
        health.level() == crate::registry::HealthLevel::Ok,
        std::time::Duration::from_millis(health.latency_ms),
    );
    let registry_id = store::registry_id(&services.db, name)
        .await
        .map_err(internal(name))?;
    store::record_health(&services.db, registry_id, &health, services.clock.now())
        .await
        .map_err(internal(name))?;
    let requests_before = client.requests_sent();
    let result = crawl_writing_progress(services, client, registry_id).await;
    let finished = services.clock.now();
    let requests = client.requests_sent() - requests_before;
    services.index_progress.update(name, |p| p.running = false);
    // Kept with the registry, so the UI can say what failed: the whole crawl, or some repositories.
    let error = match &result {
        Err(error) => Some(error.to_string()),
        Ok(report) => report
            .errors
            .first()
            .map(|first| {
                format!(
                    "{} of {} repositories could not be read, e.g. {first}",
                    report.errors.len(),
                    report.repositories
                )
            })
            .or_else(|| report.removal_held.clone()),
    };
    store::record_crawl(
        &services.db,
        registry_id,
        started,
        finished,
        requests as i64,
        error.as_deref(),
    )
    .await
    .map_err(internal(name))?;
    let took = std::time::Duration::try_from(finished - started).unwrap_or_default();
    let index = result.as_ref().ok().map(|r| (r.repositories, r.tags));
    crate::metrics::crawl_finished(
        name,
        took,
        error.is_some(),
        index,
        finished.unix_timestamp(),
    );
    let mut report = result?;
    report.requests = requests;
    tracing::info!(
        registry = name,
        repositories = report.repositories,
        tags = report.tags,
        fetched = report.manifests_fetched,
        requests,
        "crawled"
    );
    Ok(report)
}

/// Crawls, writing the progress to the registry's row now and then for the other replicas.
/// The writes are a task of their own: one waiting for the database (the crawl's own write
/// transactions) must not stop the crawl from being polled meanwhile.
async fn crawl_writing_progress(
    services: &Services,
    client: &RegistryClient,
    registry_id: i64,
) -> Result<CrawlReport, RegistryError> {
    use super::progress;
    let name = client.name.clone();
    let done = tokio_util::sync::CancellationToken::new();
    let writer = tokio_util::task::AbortOnDropHandle::new(tokio::spawn({
        let (services, name, done) = (services.clone(), name.clone(), done.clone());
        async move {
            let mut every = tokio::time::interval(progress::WRITE_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = done.cancelled() => return,
                    _ = every.tick() => {}
                }
                let now = services.index_progress.get(&name);
                let replica = services.replica.id.as_str();
                let written = progress::write(&services.db, registry_id, replica, Some(&now));
                if let Err(error) = written.await {
                    tracing::warn!(%error, registry = name, "writing the crawl's progress");
                }
            }
        }
    }));
    let result = crawl(services, client, registry_id).await;
    // Not an abort: a write under way must end before the row is cleared, not after.
    done.cancel();
    let _ = writer.await;
    let replica = services.replica.id.as_str();
    if let Err(error) = progress::write(&services.db, registry_id, replica, None).await {
        tracing::warn!(%error, registry = name, "clearing the crawl's progress");
    }
    result
}

async fn crawl(
    services: &Services,
    client: &RegistryClient,
    registry_id: i64,
) -> Result<CrawlReport, RegistryError> {
    let name = client.name.as_str();
    let verify = must_verify(services, client, registry_id)
        .await
        .map_err(internal(name))?;
    let repositories = client.list_repositories().await?;
    services
        .index_progress
        .update(name, |p| p.repositories_total = repositories.len());
    // Owned items: futures borrowing from the iterator trip the `Send` check of tokio::spawn.
    let results: Vec<_> = stream::iter(repositories.clone())
        .map(|repo| async move {
            let result = crawl_repository(services, client, registry_id, &repo, verify).await;
            services.index_progress.update(name, |p| {
                p.repositories_done += 1;
                p.errors += usize::from(result.is_err());
            });
            result.map_err(|e| format!("{repo}: {e}"))
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut report = CrawlReport {
        repositories: repositories.len(),
        ..Default::default()
    };
    for result in results {
        match result {
            Ok((tags, fetched)) => {
                report.tags += tags;
                report.manifests_fetched += fetched;
            }
            Err(error) => report.errors.push(error),
        }
    }
    let mut tx = crate::db::begin_redoable_write(&services.db)
        .await
        .map_err(internal(name))?;
    let listed: HashSet<&str> = repositories.iter().map(RepoName::as_str).collect();
    let (indexed, missing) = store::repositories_not_listed(&mut tx, registry_id, &listed)
        .await
        .map_err(internal(name))?;
    let (missing_ids, missing_names): (Vec<i64>, Vec<String>) = missing.into_iter().unzip();
    let max_percent = services.settings.index.max_removal_percent;
    match services
        .index_removals
        .check(name, indexed, &missing_names, max_percent)
    {
        Removal::Apply => store::delete_repositories(&mut tx, missing_ids)
            .await
            .map_err(internal(name))?,
        Removal::Hold(why) => {
            tracing::warn!(registry = name, why, "repositories kept");
            report.removal_held = Some(why);
        }
    }
    store::delete_orphans(&mut tx, registry_id, None)
        .await
        .map_err(internal(name))?;
    tx.commit().await.map_err(internal(name))?;
    if verify && report.errors.is_empty() {
        store::record_verified(&services.db, registry_id, services.clock.now())
            .await
            .map_err(internal(name))?;
    }
    report.verified = verify;
    Ok(report)
}

/// Whether this crawl HEADs every tag it already knows. Not needed while the registry's
/// notifications arrive (they report moved tags; the tag lists still show added and removed
/// ones), except every `index.verify_interval_hours`, in case an event was lost — distribution
/// keeps undelivered events in memory only.
async fn must_verify(
    services: &Services,
    client: &RegistryClient,
    registry_id: i64,
) -> Result<bool, sqlx::Error> {
    let notifications_configured = services
        .settings
        .registry(&client.name)
        .is_some_and(|r| r.notify_secret_env.is_some());
    let (notified_at, verified_at) = store::watch_state(&services.db, registry_id).await?;
    let window = time::Duration::hours(services.settings.index.verify_interval_hours.into());
    let now = services.clock.now();
    let trusted = notifications_configured && notified_at.is_some();
    Ok(!trusted || verified_at.is_none_or(|at| now - at >= window))
}

/// Returns (tags seen, manifests fetched).
async fn crawl_repository(
    services: &Services,
    client: &RegistryClient,
    registry_id: i64,
    repo: &RepoName,
    verify: bool,
) -> Result<(usize, usize), RegistryError> {
    let name = client.name.as_str();
    // A repository whose tags were all deleted answers `"tags": null` (empty), not an error.
    let tags = client.list_tags(repo).await?;
    let indexed = &store::indexed_tags(&services.db, registry_id, repo.as_str())
        .await
        .map_err(internal(name))?;
    let outcomes: Vec<(Tag, TagOutcome)> = stream::iter(tags)
        .map(|tag| async move {
            let db = &services.db;
            let outcome = match indexed.get(tag.as_str()) {
                Some(&(known, _)) if !verify => Ok(Some(TagOutcome::Known(known))),
                Some(indexed) => {
                    resolve::head_tag(db, client, registry_id, repo, &tag, Some(indexed)).await
                }
                None => resolve::get_new_tag(db, client, registry_id, repo, &tag).await,
            };
            outcome
                .map(|o| o.map(|o| (tag, o)))
                .map_err(|e| resolve_error(name, e))
        })
        .buffer_unordered(CONCURRENCY)
        .filter_map(|r| async move { r.transpose() })
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let now = services.clock.now();
    let mut tx = crate::db::begin_redoable_write(&services.db)
        .await
        .map_err(internal(name))?;
    let repository_id = store::repository_id(&mut tx, registry_id, repo.as_str())
        .await
        .map_err(internal(name))?;
    let mut fetched = 0;
    let mut seen = Vec::with_capacity(outcomes.len());
    let mut changed = Vec::new();
    for (tag, outcome) in &outcomes {
        fetched += usize::from(matches!(outcome, TagOutcome::New(_)));
        seen.push(tag.to_string());
        // A tag still on the manifest the index has for it needs no write: its row (and the
        // image's `created` on it) is as it was.
        if let TagOutcome::Known(id) = outcome {
            if indexed.get(tag.as_str()).is_some_and(|(was, _)| was == id) {
                continue;
            }
        }
        let manifest_id = resolve::manifest_id(&mut tx, registry_id, outcome)
            .await
            .map_err(internal(name))?;
        changed.push((tag.as_str(), manifest_id));
    }
    store::upsert_tags(&mut tx, repository_id, &changed, now)
        .await
        .map_err(internal(name))?;
    store::delete_tags_except(&mut tx, repository_id, &seen)
        .await
        .map_err(internal(name))?;
    tx.commit().await.map_err(internal(name))?;
    if verify {
        verify_untagged(services, client, registry_id, repository_id, repo).await?;
    }
    Ok((seen.len(), fetched))
}

/// HEADs the repository's untagged manifests: those the registry no longer has (deleted by
/// digest behind the index's back, or by its garbage collection) are forgotten.
async fn verify_untagged(
    services: &Services,
    client: &RegistryClient,
    registry_id: i64,
    repository_id: i64,
    repo: &RepoName,
) -> Result<(), RegistryError> {
    let name = client.name.as_str();
    let untagged = store::untagged_of(&services.db, repository_id)
        .await
        .map_err(internal(name))?;
    for (_, digest) in untagged {
        let Ok(parsed) = crate::registry::Digest::parse(&digest) else {
            continue;
        };
        let reference = crate::registry::Reference::Digest(parsed);
        if client.head_manifest(repo, &reference).await?.is_none() {
            store::manifest_deleted(&services.db, registry_id, repository_id, &digest)
                .await
                .map_err(internal(name))?;
        }
    }
    Ok(())
}

fn resolve_error(registry: &str, error: ResolveError) -> RegistryError {
    match error {
        ResolveError::Registry(error) => error,
        ResolveError::Database(error) => internal(registry)(error),
    }
}

/// Database failures during a crawl, as the registry error the crawl reports.
fn internal(registry: &str) -> impl Fn(sqlx::Error) -> RegistryError + '_ {
    move |e| RegistryError::Protocol {
        registry: registry.to_string(),
        reason: format!("writing the index: {e}"),
    }
}
