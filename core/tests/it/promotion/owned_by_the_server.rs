//! A promotion is the server's work, not the request's: a caller that goes away mid-copy (a
//! client or proxy hanging up drops the request's future) leaves it running to the end.

use super::*;
use regatta_core::promotion::PromotionStatus;
use std::time::Instant;

#[tokio::test]
async fn a_promotion_whose_caller_hangs_up_mid_copy_still_finishes_and_is_recorded() {
    let (build, release, dir, services) = seeded_pair().await;
    let actor = Actor::new(user(Role::Maintainer), "test");
    let request = request("staging/toolbox", "2.0", "prod");
    let mut promotion = Box::pin(promotion::promote(&services, &actor, &request));
    let copying = async {
        while services.promotion_progress.running().is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    tokio::select! {
        outcome = &mut promotion => panic!("finished before the caller could hang up: {outcome:?}"),
        () = copying => {}
    }
    drop(promotion); // what hyper does with the future of a request whose client hung up

    let started = Instant::now();
    let record = loop {
        let history = promotion::history(&services, &user(Role::Viewer), 1)
            .await
            .unwrap();
        let newest = history.first().expect("the promotion is in the history");
        if newest.status != PromotionStatus::Running {
            break newest.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "still running");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(record.status, PromotionStatus::Succeeded, "{record:?}");
    assert!(services.promotion_progress.running().is_empty());
    assert_eq!(
        raw_manifest(&release, "prod/toolbox:2.0"),
        raw_manifest(&build, "staging/toolbox:2.0")
    );
    // Audited, and indexed at once, as a promotion whose caller waited is.
    let started = Instant::now();
    loop {
        let audit = end2end::audit::rows(&dir.path().join("regatta.db")).await;
        if audit
            .iter()
            .any(|r| r.action == "promotion" && r.outcome == "ok")
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{audit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let release_id = registry_id(&services.db, "release").await.unwrap();
    let started = Instant::now();
    while !tags_of_registry(&services.db, release_id)
        .await
        .unwrap()
        .iter()
        .any(|t| t.repository == "prod/toolbox" && t.tag == "2.0")
    {
        assert!(started.elapsed() < Duration::from_secs(10), "never indexed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
