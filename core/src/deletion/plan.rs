//! What a deletion will do, from the index: per tag, the sibling tags (same digest) that stay,
//! whether the image itself goes (no tag of the repository is left on it and no tagged index
//! of the repository contains it), and what garbage collection then frees. The preview shows
//! it; the run plans again and checks the registry before it deletes anything.

use super::rules::{self, Doomed};
use super::store::{self, IndexedTag};
use crate::users::User;
use crate::{DomainError, Services};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct DeletionRequest {
    pub registry: String,
    pub repository: String,
    /// The tags to delete; empty with `whole_repository`.
    pub tags: Vec<String>,
    /// Every tag of the repository.
    pub whole_repository: bool,
    /// Also every tag whose name contains this (any case): "all that match the filter".
    pub matching: Option<String>,
    /// The preview's [`DeletionPlan::fingerprint`]: the run refuses when what it would delete
    /// differs (a tag pushed or moved since), so it deletes exactly what was previewed.
    pub expected: Option<String>,
    /// What the user typed to confirm, in a protected or immutable-tag environment.
    pub confirmation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTag {
    pub tag: String,
    pub digest: String,
    pub manifest_id: i64,
    pub is_index: bool,
    /// Config and layers, every platform of an index.
    pub size_bytes: u64,
    /// Other tags of the repository on this digest that are not being deleted.
    pub siblings_kept: Vec<String>,
    /// The manifest goes too (deleted by digest), not only the tag.
    pub image_goes: bool,
    /// Platform images of this index that go with it (no other tagged index holds them).
    pub platforms_going: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DeletionPlan {
    pub registry: String,
    pub repository: String,
    pub whole_repository: bool,
    pub tags: Vec<PlannedTag>,
    /// Requested tags the index does not have.
    pub unknown: Vec<String>,
    /// Every tag of the repository in the index, these included.
    pub repository_tags: usize,
    /// What garbage collection frees once these tags are gone (their exclusive bytes).
    pub bytes_freed: u64,
    /// In a protected or immutable-tag environment: what an admin must type.
    pub confirmation: Option<String>,
    /// Of the tags and their digests: what a confirmation can carry instead of every name.
    pub fingerprint: String,
}

/// The plan for `request`, checking `user` may make it (without the typed confirmation: the
/// preview is where the user learns what to type).
pub async fn plan(
    services: &Services,
    user: &User,
    request: &DeletionRequest,
) -> Result<DeletionPlan, DomainError> {
    let settings = &services.settings;
    crate::auth::require_read(user, settings, &request.registry)?;
    crate::registry::RepoName::parse(&request.repository)
        .map_err(|e| DomainError::Invalid(e.to_string()))?;
    for tag in &request.tags {
        crate::registry::Tag::parse(tag).map_err(|e| DomainError::Invalid(e.to_string()))?;
    }
    let indexed =
        store::repository_tags(&services.db, &request.registry, &request.repository).await?;
    let needle = request
        .matching
        .as_deref()
        .map(|m| m.trim().to_lowercase())
        .filter(|m| !m.is_empty());
    let wanted: Vec<String> = match (request.whole_repository, &needle) {
        (true, _) => indexed.iter().map(|t| t.tag.clone()).collect(),
        (false, Some(needle)) => {
            let matching = indexed
                .iter()
                .filter(|t| t.tag.to_lowercase().contains(needle));
            let names: Vec<String> = request
                .tags
                .iter()
                .cloned()
                .chain(matching.map(|t| t.tag.clone()))
                .collect();
            dedup(&names)
        }
        (false, None) => dedup(&request.tags),
    };
    if wanted.is_empty() {
        return Err(DomainError::Invalid(
            "Nothing to delete: no tag was named.".into(),
        ));
    }
    let doomed = doomed_of(request.whole_repository, &wanted);
    let guarded = rules::is_guarded(settings, &request.registry, &request.repository);
    // The preview is allowed without the typed text; the run is not (see run.rs).
    let confirmation = guarded.then(|| rules::confirmation_text(&request.repository, doomed));
    rules::check(
        user,
        settings,
        &request.registry,
        &request.repository,
        doomed,
        confirmation.as_deref(),
    )?;
    let platforms = platforms_of_indexes(services, &indexed).await?;
    let (tags, unknown) = plan_tags(&indexed, &platforms, &wanted);
    let pairs: Vec<(String, String)> = tags
        .iter()
        .map(|t| (request.repository.clone(), t.tag.clone()))
        .collect();
    let freed = crate::storage::bytes_freed_by(services, &request.registry, &pairs).await?;
    let fingerprint = fingerprint(&tags);
    Ok(DeletionPlan {
        fingerprint,
        registry: request.registry.clone(),
        repository: request.repository.clone(),
        whole_repository: request.whole_repository,
        tags,
        unknown,
        repository_tags: indexed.len(),
        bytes_freed: freed.exclusive_bytes,
        confirmation,
    })
}

/// SHA-256 of the sorted `tag digest` lines.
fn fingerprint(tags: &[PlannedTag]) -> String {
    use sha2::{Digest, Sha256};
    let mut lines: Vec<String> = tags
        .iter()
        .map(|t| format!("{} {}\n", t.tag, t.digest))
        .collect();
    lines.sort();
    hex::encode(Sha256::digest(lines.concat().as_bytes()))
}

pub(super) fn doomed_of(whole_repository: bool, wanted: &[String]) -> Doomed<'_> {
    match (whole_repository, wanted) {
        (true, _) => Doomed::Repository,
        (false, [one]) => Doomed::Tag(one),
        _ => Doomed::Tags,
    }
}

fn dedup(tags: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    tags.iter()
        .filter(|t| seen.insert(t.as_str()))
        .cloned()
        .collect()
}

/// Platform (manifest id, digest) of each tagged index of the repository.
async fn platforms_of_indexes(
    services: &Services,
    indexed: &[IndexedTag],
) -> Result<HashMap<i64, Vec<(i64, String)>>, DomainError> {
    let indexes: Vec<i64> = indexed
        .iter()
        .filter(|t| t.is_index)
        .map(|t| t.manifest_id)
        .collect();
    let mut platforms: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (parent, child, digest) in store::platforms_of(&services.db, &indexes).await? {
        platforms.entry(parent).or_default().push((child, digest));
    }
    Ok(platforms)
}

/// The planned tags (in the order asked) and the requested tags the index lacks.
pub(super) fn plan_tags(
    indexed: &[IndexedTag],
    platforms: &HashMap<i64, Vec<(i64, String)>>,
    wanted: &[String],
) -> (Vec<PlannedTag>, Vec<String>) {
    let doomed: HashSet<&str> = wanted.iter().map(String::as_str).collect();
    let staying: Vec<&IndexedTag> = indexed
        .iter()
        .filter(|t| !doomed.contains(t.tag.as_str()))
        .collect();
    // Manifests still reached after the deletion: staying tags' own, and their platforms.
    let mut still_used: HashSet<i64> = staying.iter().map(|t| t.manifest_id).collect();
    for tag in &staying {
        if let Some(children) = platforms.get(&tag.manifest_id) {
            still_used.extend(children.iter().map(|(id, _)| *id));
        }
    }
    let by_name: HashMap<&str, &IndexedTag> = indexed.iter().map(|t| (t.tag.as_str(), t)).collect();
    let mut planned = Vec::new();
    let mut unknown = Vec::new();
    for name in wanted {
        let Some(tag) = by_name.get(name.as_str()) else {
            unknown.push(name.clone());
            continue;
        };
        let siblings_kept = staying
            .iter()
            .filter(|t| t.manifest_id == tag.manifest_id)
            .map(|t| t.tag.clone())
            .collect();
        let image_goes = !still_used.contains(&tag.manifest_id);
        let platforms_going = match image_goes {
            true => platforms
                .get(&tag.manifest_id)
                .into_iter()
                .flatten()
                .filter(|(id, _)| !still_used.contains(id))
                .map(|(_, digest)| digest.clone())
                .collect(),
            false => Vec::new(),
        };
        planned.push(PlannedTag {
            tag: tag.tag.clone(),
            digest: tag.digest.clone(),
            manifest_id: tag.manifest_id,
            is_index: tag.is_index,
            size_bytes: tag.total_size.max(0) as u64,
            siblings_kept,
            image_goes,
            platforms_going,
        });
    }
    (planned, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str, manifest_id: i64, is_index: bool) -> IndexedTag {
        IndexedTag {
            tag: name.into(),
            manifest_id,
            digest: format!("sha256:{manifest_id}"),
            is_index,
            total_size: 10,
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_sibling_keeps_the_image_and_the_last_tag_takes_it() {
        let indexed = [
            tag("1.0", 1, false),
            tag("latest", 1, false),
            tag("2.0", 2, false),
        ];
        let none = HashMap::new();
        let (one, _) = plan_tags(&indexed, &none, &names(&["1.0"]));
        assert_eq!(one[0].siblings_kept, ["latest"]);
        assert!(!one[0].image_goes);
        let (both, _) = plan_tags(&indexed, &none, &names(&["1.0", "latest"]));
        assert!(both
            .iter()
            .all(|t| t.image_goes && t.siblings_kept.is_empty()));
        let (_, unknown) = plan_tags(&indexed, &none, &names(&["nope"]));
        assert_eq!(unknown, ["nope"]);
    }

    #[test]
    fn a_platform_of_a_tagged_index_stays_and_an_index_takes_its_own_platforms() {
        // Index 10 has platforms 1 and 2; index 20 has platform 2 too.
        let indexed = [
            tag("1.0", 10, true),
            tag("1.0-amd64", 1, false),
            tag("other", 20, true),
        ];
        let platforms = HashMap::from([
            (10, vec![(1, "sha256:1".into()), (2, "sha256:2".into())]),
            (20, vec![(2, "sha256:2".into())]),
        ]);
        let (platform, _) = plan_tags(&indexed, &platforms, &names(&["1.0-amd64"]));
        assert!(!platform[0].image_goes, "1.0 still holds it");
        let (index, _) = plan_tags(&indexed, &platforms, &names(&["1.0", "1.0-amd64"]));
        assert!(index[0].image_goes);
        assert_eq!(
            index[0].platforms_going,
            ["sha256:1"],
            "`other` still holds 2"
        );
    }
}
