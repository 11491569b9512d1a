//! Untagged manifests over a real registry: a moved tag leaves its old image untagged — the
//! registry keeps it and its blobs, and so do the storage figures; tagging it again clears
//! it; Regatta deleting a last tag (the image with it) leaves none; one deleted behind
//! Regatta's back is dropped by the next verifying crawl.

use end2end::images::opaque_layer;
use end2end::{RegistryFixture, RegistryOptions};
use regatta_core::audit::Actor;
use regatta_core::deletion::{self, DeletionRequest, TagResult};
use regatta_core::index::crawl_registry;
use regatta_core::registry::{Digest, Endpoint, RegistryClient, RepoName};
use regatta_core::storage::{latest_details, storage_accounting, take_snapshot, Grouping, Usage};
use regatta_core::users::{Role, User};
use regatta_core::Services;

use crate::{image_on as built, own_bytes as own};

async fn dev_app(services: &Services) -> Usage {
    let viewer = User::not_stored("v", Role::Viewer);
    let accounts = storage_accounting(services, &viewer, Some("local"), Grouping::Repository)
        .await
        .unwrap();
    accounts[0]
        .scopes
        .iter()
        .find(|s| s.scope == "dev/app")
        .unwrap()
        .usage
        .clone()
}

#[tokio::test]
async fn a_moved_tag_leaves_its_image_untagged_until_it_is_tagged_again_or_deleted() {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let base = opaque_layer(100_000, 90);
    let (a, b, c) = (built(&base, 91), built(&base, 92), built(&base, 93));
    let pusher = registry.pusher().unwrap();
    pusher.push_image("dev/app", "1", &a).await.unwrap();
    pusher.push_image("dev/app", "2", &b).await.unwrap();
    let (_dir, services) = crate::start_dev_services(&registry.url).await;
    crawl_registry(&services, "local").await.unwrap();
    let before = dev_app(&services).await;
    assert_eq!(before.untagged_manifests, 0);

    // 1 moves from a to c: the registry keeps a, untagged.
    pusher.push_image("dev/app", "1", &c).await.unwrap();
    crawl_registry(&services, "local").await.unwrap();
    let moved = dev_app(&services).await;
    assert_eq!((moved.untagged_manifests, moved.tags), (1, 2));
    assert_eq!(
        moved.stored_bytes,
        before.stored_bytes + own(&c),
        "a still holds its blobs"
    );
    take_snapshot(&services).await.unwrap();
    let untagged = latest_details(&services.db, "local")
        .await
        .unwrap()
        .unwrap()
        .untagged;
    assert_eq!((untagged.manifests, untagged.exclusive_bytes), (1, own(&a)));
    assert_eq!(untagged.largest[0].digest, a.manifest.digest());
    assert_eq!(untagged.largest[0].repository, "dev/app");

    // Tagged again, then left again.
    pusher.push_image("dev/app", "again", &a).await.unwrap();
    crawl_registry(&services, "local").await.unwrap();
    assert_eq!(dev_app(&services).await.untagged_manifests, 0);
    pusher.push_image("dev/app", "again", &c).await.unwrap();
    crawl_registry(&services, "local").await.unwrap();
    assert_eq!(dev_app(&services).await.untagged_manifests, 1);

    // Regatta deletes 2, the last tag on b: b goes with it, nothing is left untagged by it.
    let actor = Actor::new(User::not_stored("d", Role::Developer), "test");
    let request = DeletionRequest {
        registry: "local".into(),
        repository: "dev/app".into(),
        tags: vec!["2".into()],
        whole_repository: false,
        matching: None,
        expected: None,
        confirmation: None,
    };
    let report = deletion::delete(&services, &actor, &request).await.unwrap();
    assert!(matches!(
        report.outcomes[0].result,
        TagResult::Deleted {
            image_deleted: true,
            ..
        }
    ));
    assert_eq!(
        dev_app(&services).await.untagged_manifests,
        1,
        "still only a"
    );

    // a deleted behind Regatta's back: the next (verifying) crawl drops it.
    let client = RegistryClient::new(Endpoint::anonymous("local", registry.url.clone())).unwrap();
    let repo = RepoName::parse("dev/app").unwrap();
    client
        .delete_manifest(&repo, &Digest::parse(&a.manifest.digest()).unwrap())
        .await
        .unwrap();
    crawl_registry(&services, "local").await.unwrap();
    let after = dev_app(&services).await;
    assert_eq!(after.untagged_manifests, 0);
    assert_eq!(after.stored_bytes + own(&a), moved.stored_bytes - own(&b));
}
