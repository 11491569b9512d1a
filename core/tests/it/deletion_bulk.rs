//! Big deletions against a real registry. distribution reads every tag of the repository on
//! each delete by digest, so a big deletion takes its tags off their images first (moved onto
//! shared throw-away manifests, one delete per hundred tags) and deletes the images after. The
//! registry's access log shows which way it went; the registry's state shows it went right —
//! also when a delete fails half-way (faults injected by a proxy: the real registry cannot
//! fail on demand).

use end2end::{RegistryFixture, RegistryOptions};
use regatta_core::audit::Actor;
use regatta_core::deletion::{self, DeletionReport, DeletionRequest, TagResult};
use regatta_core::index::crawl_registry;
use regatta_core::registry::{Digest, Endpoint, Reference, RegistryClient, RepoName, Tag};
use regatta_core::users::{Role, User};
use regatta_core::Services;
use std::collections::{HashMap, HashSet};

/// Tags (each on its own image) in the repository; the first `DOOMED` are deleted. Each image
/// delete would read about 240 - 160 / 2 = 160 tags: enough to untag first.
const TAGS: usize = 240;
const DOOMED: usize = 160;
const REPO: &str = "dev/many";

fn tag_name(t: usize) -> String {
    format!("1.{}.{}", t / 100, t % 100)
}

struct Bulk {
    registry: RegistryFixture,
    services: Services,
    _dir: tempfile::TempDir,
    /// Digest of every tag before the deletion.
    before: HashMap<String, String>,
}

/// `REPO` with `TAGS` distinct images, each tagged `1.x.y` (and `1.x.y-keep` with `sibling`),
/// crawled by services that reach the registry through a proxy failing the DELETEs `rule`
/// says, or directly.
async fn bulk(sibling: bool, rule: Option<Failing>) -> Bulk {
    let registry = RegistryFixture::start(RegistryOptions {
        access_log: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let suffixes: &[&str] = if sibling { &["", "-keep"] } else { &[""] };
    end2end::seed::seed_distinct_images(&registry.pusher().unwrap(), REPO, TAGS, suffixes)
        .await
        .unwrap();
    let url = match rule {
        Some(rule) => {
            let fails = move |path: &str| (rule.lock().unwrap())(path);
            crate::deletion::failing_deletes(&registry.url, fails).await
        }
        None => registry.url.clone(),
    };
    let (dir, services) = crate::start_dev_services(&url).await;
    let crawl = crawl_registry(&services, "local").await.unwrap();
    assert!(crawl.errors.is_empty(), "{:?}", crawl.errors);
    let client = client(&registry);
    let mut before = HashMap::new();
    for tag in client.list_tags(&repo()).await.unwrap() {
        let head = client
            .head_manifest(&repo(), &Reference::Tag(tag.clone()))
            .await
            .unwrap()
            .unwrap();
        before.insert(tag.to_string(), head.digest.to_string());
    }
    Bulk {
        registry,
        services,
        _dir: dir,
        before,
    }
}

fn repo() -> RepoName {
    RepoName::parse(REPO).unwrap()
}

fn client(registry: &RegistryFixture) -> RegistryClient {
    RegistryClient::new(Endpoint::anonymous("local", registry.url.clone())).unwrap()
}

impl Bulk {
    /// Deletes the doomed tags; also returns the manifest PUTs and DELETEs it cost the
    /// registry (from its access log).
    async fn delete_doomed(&self) -> (DeletionReport, usize, usize) {
        let before = self.settled_requests().await;
        let report = self.delete_doomed_only().await;
        let after = self.settled_requests().await;
        (report, after.0 - before.0, after.1 - before.1)
    }

    /// Manifest PUTs and DELETEs in the access log once it stops growing: the registry writes
    /// it as it answers, a little behind.
    async fn settled_requests(&self) -> (usize, usize) {
        let count = || {
            (
                self.manifest_requests("PUT"),
                self.manifest_requests("DELETE"),
            )
        };
        let mut last = count();
        for _ in 0..30 {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let now = count();
            if now == last {
                break;
            }
            last = now;
        }
        last
    }

    async fn delete_doomed_only(&self) -> DeletionReport {
        let actor = Actor::new(User::not_stored("d", Role::Developer), "test");
        let request = DeletionRequest {
            registry: "local".into(),
            repository: REPO.into(),
            tags: (0..DOOMED).map(tag_name).collect(),
            whole_repository: false,
            matching: None,
            expected: None,
            confirmation: None,
        };
        deletion::delete(&self.services, &actor, &request)
            .await
            .unwrap()
    }

    async fn digest_of(&self, tag: &str) -> Option<String> {
        let reference = Reference::Tag(Tag::parse(tag).unwrap());
        let (client, repo) = (client(&self.registry), repo());
        let head = client.head_manifest(&repo, &reference).await.unwrap();
        head.map(|h| h.digest.to_string())
    }

    async fn has_image(&self, digest: &str) -> bool {
        let reference = Reference::Digest(Digest::parse(digest).unwrap());
        let (client, repo) = (client(&self.registry), repo());
        let head = client.head_manifest(&repo, &reference).await.unwrap();
        head.is_some()
    }

    /// Requests `method` on the repository's manifests the registry logged.
    fn manifest_requests(&self, method: &str) -> usize {
        let needle = format!("\"{method} /v2/{REPO}/manifests/");
        self.registry
            .log()
            .lines()
            .filter(|l| l.contains(&needle))
            .count()
    }

    /// Every doomed tag is gone (from no placeholder either), and its image gone or not.
    async fn assert_the_doomed_are_gone(&self, images_stay: bool) {
        for t in 0..DOOMED {
            let tag = tag_name(t);
            assert_eq!(self.digest_of(&tag).await, None, "{tag}");
            let image = self.has_image(&self.before[&tag]).await;
            assert_eq!(image, images_stay, "{tag}'s image");
        }
    }

    /// Every tag not doomed points where it did.
    async fn assert_the_rest_stays(&self) {
        for (tag, digest) in &self.before {
            let doomed = (0..DOOMED).any(|t| tag_name(t) == *tag);
            if !doomed {
                assert_eq!(self.digest_of(tag).await.as_ref(), Some(digest), "{tag}");
            }
        }
    }
}

fn deleted(report: &DeletionReport, image: bool) -> usize {
    report
        .outcomes
        .iter()
        .filter(|o| matches!(o.result, TagResult::Deleted { image_deleted, .. } if image_deleted == image))
        .count()
}

#[tokio::test]
async fn a_big_deletion_takes_the_tags_off_first_then_deletes_every_image() {
    let world = bulk(false, None).await;
    let (report, puts, deletes) = world.delete_doomed().await;
    assert_eq!(deleted(&report, true), DOOMED, "{:?}", report.outcomes);
    world.assert_the_doomed_are_gone(false).await;
    world.assert_the_rest_stays().await;
    // Each doomed tag was moved onto a throw-away (a push), and its image deleted by digest
    // when no tag was on it any more; the old way pushes nothing.
    assert_eq!(puts, DOOMED);
    assert!(
        (DOOMED..DOOMED + 10).contains(&deletes),
        "{deletes} deletes: an image each, and a few throw-aways"
    );
}

#[tokio::test]
async fn a_big_sibling_safe_deletion_deletes_a_hundred_tags_per_registry_delete() {
    let world = bulk(true, None).await;
    let (report, _, deletes) = world.delete_doomed().await;
    assert_eq!(deleted(&report, false), DOOMED, "{:?}", report.outcomes);
    world.assert_the_doomed_are_gone(true).await;
    world.assert_the_rest_stays().await;
    // One tag learns that distribution does not delete tags (and has a throw-away of its
    // own); the other 159 share two. One delete per tag is the way without sharing.
    assert!(deletes <= 8, "{deletes} deletes for {DOOMED} tags");
}

/// A proxy's rule: fail a DELETE whose path ends with a digest the test picks once the
/// images are known (the first call's answer).
type Failing = std::sync::Arc<std::sync::Mutex<Box<dyn Fn(&str) -> bool + Send>>>;

fn failing() -> Failing {
    std::sync::Arc::new(std::sync::Mutex::new(Box::new(|_: &str| false)))
}

#[tokio::test]
async fn an_image_that_cannot_be_deleted_gets_its_tag_back() {
    let rule = failing();
    let world = bulk(false, Some(rule.clone())).await;
    let victim = tag_name(7);
    let image = world.before[&victim].clone();
    *rule.lock().unwrap() = Box::new(move |path: &str| path.ends_with(&image));
    let (report, puts, _) = world.delete_doomed().await;
    let outcome = report.outcomes.iter().find(|o| o.tag == victim).unwrap();
    let TagResult::Failed(why) = &outcome.result else {
        panic!("{outcome:?}");
    };
    assert!(why.contains("500") || why.contains("injected"), "{why}");
    assert_eq!(deleted(&report, true), DOOMED - 1);
    assert_eq!(
        world.digest_of(&victim).await.as_ref(),
        Some(&world.before[&victim]),
        "put back on its image, which stays"
    );
    let actor = User::not_stored("d", Role::Developer);
    let trash = deletion::trash_list(&world.services, &actor, 500)
        .await
        .unwrap();
    assert_eq!(trash.len(), DOOMED - 1);
    assert!(trash.iter().all(|t| t.tag != victim), "nothing to restore");
    world.assert_the_rest_stays().await;
    assert_eq!(puts, DOOMED + 1, "moved, then put back");
}

#[tokio::test]
async fn tags_stranded_on_a_throw_away_go_back_and_their_images_take_them() {
    let rule = failing();
    let world = bulk(false, Some(rule.clone())).await;
    let images: HashSet<String> = world.before.values().cloned().collect();
    // Deletes of the throw-aways fail; the images' succeed.
    *rule.lock().unwrap() = Box::new(move |path: &str| {
        path.rsplit_once("/manifests/")
            .is_some_and(|(_, digest)| digest.starts_with("sha256:") && !images.contains(digest))
    });
    let (report, _, _) = world.delete_doomed().await;
    assert_eq!(deleted(&report, true), DOOMED, "{:?}", report.outcomes);
    world.assert_the_doomed_are_gone(false).await;
    world.assert_the_rest_stays().await;
}

#[tokio::test]
async fn a_registry_refusing_every_delete_by_digest_loses_no_tag() {
    let rule = failing();
    let world = bulk(false, Some(rule.clone())).await;
    *rule.lock().unwrap() = Box::new(|path: &str| path.contains("/manifests/sha256:"));
    let (report, _, _) = world.delete_doomed().await;
    assert_eq!(report.deleted().count(), 0, "{:?}", report.outcomes);
    for (tag, digest) in &world.before {
        assert_eq!(
            world.digest_of(tag).await.as_ref(),
            Some(digest),
            "{tag} is on its image, not left on a placeholder"
        );
    }
}
