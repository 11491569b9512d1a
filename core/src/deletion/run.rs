//! Running a deletion. Tags are grouped by digest and the groups run a few at a time. For each
//! group the registry is asked first: a tag that is gone or moved since the preview is skipped
//! and reported, never deleted blind. What remains is put in the trash (its manifests' exact
//! bytes), then deleted:
//! - when no other tag of the repository stays on the image (and no tagged index contains
//!   it), the manifest is deleted by digest — one request for the whole group, and the image
//!   really goes (distribution keeps an untagged manifest forever, and GC frees nothing), with
//!   an index's platform images that nothing else holds;
//! - otherwise each tag alone, the sibling-safe way (`RegistryClient::delete_tag`).
//!
//! A big deletion takes its tags off their images first, so the registry does not read every
//! remaining tag of the repository once per image deleted (`untag`; the groups: `group`).
//!
//! A digest that a staying tag points at in the registry is never deleted by digest, whatever
//! the index says: those tags are asked first (see [`digests_of_staying_tags`]).

use super::group::GroupContext;
use super::plan::{doomed_of, DeletionPlan, PlannedTag};
use super::rules;
use super::store::{self, Tally};
use crate::audit::{self, Actor, AuditAction, AuditEvent, Outcome};
use crate::registry::{Reference, RegistryClient, RegistryError, RepoName, Tag};
use crate::{DomainError, Services};
use futures_util::stream::{self, StreamExt};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagResult {
    Deleted {
        trash_id: i64,
        /// The manifest went too, not only the tag.
        image_deleted: bool,
    },
    /// Not deleted, and why (gone already, moved since the preview, not in the index).
    Skipped(String),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagOutcome {
    pub tag: String,
    pub digest: String,
    pub result: TagResult,
}

#[derive(Debug, Clone)]
pub struct DeletionReport {
    pub id: i64,
    pub registry: String,
    pub repository: String,
    pub outcomes: Vec<TagOutcome>,
    /// What garbage collection frees once it runs (the deleted tags' exclusive bytes).
    pub bytes_freed: u64,
}

impl DeletionReport {
    pub fn deleted(&self) -> impl Iterator<Item = &TagOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.result, TagResult::Deleted { .. }))
    }
}

pub(super) async fn run(
    services: &Services,
    actor: &Actor,
    request: &super::DeletionRequest,
) -> Result<DeletionReport, DomainError> {
    let target = format!("{}/{}", request.registry, request.repository);
    let planned = match checked_plan(services, actor, request).await {
        Ok(plan) => plan,
        Err(error) => {
            let outcome = match error {
                DomainError::Forbidden { .. } | DomainError::NotAllowed(_) => Outcome::Denied,
                _ => Outcome::Error,
            };
            audit_deletion(services, actor, &target, outcome, &error.to_string()).await;
            return Err(error);
        }
    };
    // Not while the registry is read-only for garbage collection; planned again after a wait.
    let writing = crate::gc::writing(services, &planned.registry).await?;
    let planned = match writing.waited {
        true => checked_plan(services, actor, request).await?,
        false => planned,
    };
    let client = services.registry_client(&planned.registry)?;
    let repo =
        RepoName::parse(&planned.repository).map_err(|e| DomainError::Invalid(e.to_string()))?;
    let unavailable = |e| DomainError::from_registry(e, || target.clone());
    let held_elsewhere = digests_of_staying_tags(client, &repo, &planned)
        .await
        .map_err(unavailable)?;
    let now = services.clock.now();
    let kind = if planned.whole_repository {
        "repository"
    } else {
        "tags"
    };
    let id = store::start(
        &services.db,
        &store::NewDeletion {
            registry: &planned.registry,
            repository: &planned.repository,
            kind,
            requested_by: &actor.user.username,
            tags_requested: planned.tags.len() + planned.unknown.len(),
            at: now,
            replica: &services.replica.id,
        },
    )
    .await?;
    // Owned groups: a stream over borrowed ones trips the compiler's lifetime inference in a
    // `Send` future.
    let mut groups: BTreeMap<String, Vec<PlannedTag>> = BTreeMap::new();
    for tag in &planned.tags {
        groups
            .entry(tag.digest.clone())
            .or_default()
            .push(tag.clone());
    }
    let target = format!("{}/{}", planned.registry, planned.repository);
    let progress = services
        .deletion_progress
        .start(id, target, planned.tags.len() as u32);
    let _finished = ProgressEnd { services, id };
    let context = GroupContext {
        services,
        actor,
        client,
        repo: &repo,
        plan: &planned,
        held_elsewhere: &held_elsewhere,
        deletion_id: id,
        progress: &progress,
    };
    // An index deleted by digest takes its platform images along: tags on those platforms go
    // first (alone, see `goes_by_digest`), in a wave of their own, while the manifests the
    // index's trash entry keeps are still there.
    let (indexes, others): (Vec<_>, Vec<_>) = groups
        .into_values()
        .partition(|group| group.iter().any(|t| !t.platforms_going.is_empty()));
    let mut outcomes: Vec<TagOutcome> = Vec::new();
    for wave in [others, indexes] {
        outcomes.extend(context.delete_wave(wave).await);
    }
    outcomes.extend(planned.unknown.iter().map(|tag| TagOutcome {
        tag: tag.clone(),
        digest: String::new(),
        result: TagResult::Skipped("not in the index: no such tag, or not seen yet".into()),
    }));
    let deleted: Vec<String> = outcomes
        .iter()
        .filter(|o| matches!(o.result, TagResult::Deleted { .. }))
        .map(|o| o.tag.clone())
        .collect();
    // Predicted from the index before the index forgets them.
    let pairs: Vec<(String, String)> = deleted
        .iter()
        .map(|tag| (planned.repository.clone(), tag.clone()))
        .collect();
    let bytes_freed = crate::storage::bytes_freed_by(services, &planned.registry, &pairs)
        .await
        .map(|usage| usage.exclusive_bytes)
        .unwrap_or_default();
    // Manifests deleted by digest are gone; the others the deleted tags left stay untagged.
    let gone: Vec<String> = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o.result,
                TagResult::Deleted {
                    image_deleted: true,
                    ..
                }
            )
        })
        .flat_map(|o| {
            let platforms = planned.tags.iter().find(|t| t.tag == o.tag);
            std::iter::once(o.digest.clone()).chain(
                platforms
                    .into_iter()
                    .flat_map(|t| t.platforms_going.iter().cloned()),
            )
        })
        .collect();
    if let Err(error) = crate::index::forget_tags(
        services,
        &planned.registry,
        &planned.repository,
        &deleted,
        &gone,
    )
    .await
    {
        tracing::error!(%error, "taking deleted tags out of the index");
    }
    let tally = tally(&outcomes, bytes_freed);
    crate::metrics::tags_deleted(tally.deleted, tally.skipped, tally.failed);
    store::finish(&services.db, id, tally, services.clock.now()).await?;
    let report = DeletionReport {
        id,
        registry: planned.registry.clone(),
        repository: planned.repository.clone(),
        outcomes,
        bytes_freed,
    };
    if tally.deleted > 0 {
        super::events::notify_webhooks(services, actor, &report, planned.whole_repository).await;
        crate::storage::snapshot_soon(services);
    }
    Ok(report)
}

/// Ends the deletion's progress entry however the run ends.
struct ProgressEnd<'a> {
    services: &'a Services,
    id: i64,
}

impl Drop for ProgressEnd<'_> {
    fn drop(&mut self) {
        self.services.deletion_progress.finish(self.id);
    }
}

/// The plan, with the typed confirmation checked for real (the preview does not need it).
async fn checked_plan(
    services: &Services,
    actor: &Actor,
    request: &super::DeletionRequest,
) -> Result<DeletionPlan, DomainError> {
    let plan = super::plan::plan(services, &actor.user, request).await?;
    if let Some(expected) = request.expected.as_deref() {
        if expected != plan.fingerprint {
            return Err(DomainError::Conflict(
                "What would be deleted changed since the preview (a tag was pushed, moved or \
                 deleted meanwhile): nothing was deleted; preview again."
                    .into(),
            ));
        }
    }
    let names: Vec<String> = plan
        .tags
        .iter()
        .map(|t| t.tag.clone())
        .chain(plan.unknown.iter().cloned())
        .collect();
    rules::check(
        &actor.user,
        &services.settings,
        &plan.registry,
        &plan.repository,
        doomed_of(plan.whole_repository, &names),
        request.confirmation.as_deref(),
    )?;
    Ok(plan)
}

fn tally(outcomes: &[TagOutcome], bytes_freed: u64) -> Tally {
    let mut tally = Tally {
        bytes_freed,
        ..Tally::default()
    };
    for outcome in outcomes {
        match outcome.result {
            TagResult::Deleted { .. } => tally.deleted += 1,
            TagResult::Skipped(_) => tally.skipped += 1,
            TagResult::Failed(_) => tally.failed += 1,
        }
    }
    tally
}

/// The digests the tags that stay point at, as the registry says now: deleting one of them by
/// digest would take such a tag along, whatever the index believes (it may lag, or not know
/// the tag). Asked only when an image would go: one tags/list and a HEAD per staying tag, a
/// few at a time (none when a whole repository goes).
async fn digests_of_staying_tags(
    client: &RegistryClient,
    repo: &RepoName,
    plan: &DeletionPlan,
) -> Result<HashSet<String>, RegistryError> {
    if !plan.tags.iter().any(|t| t.image_goes) {
        return Ok(HashSet::new());
    }
    let doomed: HashSet<&str> = plan.tags.iter().map(|t| t.tag.as_str()).collect();
    let staying: Vec<Tag> = client
        .list_tags(repo)
        .await?
        .into_iter()
        .filter(|tag| !doomed.contains(tag.as_str()))
        .collect();
    let heads: Vec<Result<Option<String>, RegistryError>> = stream::iter(staying)
        .map(|tag| async move {
            let head = client.head_manifest(repo, &Reference::Tag(tag)).await?;
            Ok(head.map(|h| h.digest.to_string()))
        })
        .buffer_unordered(STAYING_HEADS)
        .collect()
        .await;
    let mut digests = HashSet::new();
    for head in heads {
        digests.extend(head?);
    }
    Ok(digests)
}

/// HEADs of staying tags in flight at once.
const STAYING_HEADS: usize = 8;

pub(super) fn outcome(tag: &PlannedTag, result: TagResult) -> TagOutcome {
    TagOutcome {
        tag: tag.tag.clone(),
        digest: tag.digest.clone(),
        result,
    }
}

/// Auditing must not undo a deletion that happened, so a failure to record is logged.
pub(super) async fn audit_deletion(
    services: &Services,
    actor: &Actor,
    target: &str,
    outcome: Outcome,
    detail: &str,
) {
    let event = AuditEvent::by(actor, AuditAction::TagDelete)
        .target(target)
        .outcome(outcome)
        .detail(detail);
    audit::record_or_log(services, &event).await;
}
