//! The pipeline's rules, enforced in the domain whatever the UI offers.

use super::*;

#[tokio::test]
async fn the_pipeline_rules_are_enforced_on_the_server() {
    let (_build, _release, _dir, services) = seeded_pair().await;
    let attempt = |role: Role, repository: &str, tag: &str, to: &str, target_tag: Option<&str>| {
        let services = services.clone();
        let mut request = request(repository, tag, to);
        request.target_tag = target_tag.map(str::to_string);
        async move { promotion::preview(&services, &user(role), &request).await }
    };

    let viewer = attempt(Role::Viewer, "dev/shop-api", "1.2.0", "staging", None).await;
    assert!(
        matches!(viewer, Err(DomainError::Forbidden { .. })),
        "{viewer:?}"
    );
    let skip = attempt(Role::Developer, "dev/shop-api", "1.2.0", "prod", None).await;
    assert!(
        matches!(&skip, Err(DomainError::Forbidden { need, .. }) if need == "maintainer"),
        "{skip:?}"
    );
    let into_protected = attempt(Role::Developer, "staging/shop-api", "1.1.0", "prod", None).await;
    assert!(matches!(into_protected, Err(DomainError::Forbidden { .. })));
    let backwards = attempt(Role::Maintainer, "staging/shop-api", "1.1.0", "dev", None).await;
    assert!(
        matches!(&backwards, Err(DomainError::NotAllowed(m)) if m.contains("forward")),
        "{backwards:?}"
    );
    assert!(
        attempt(Role::Admin, "staging/shop-api", "1.1.0", "dev", None)
            .await
            .is_ok()
    );
    let bad_tag = attempt(
        Role::Developer,
        "dev/shop-api",
        "1.2.0",
        "staging",
        Some("no good"),
    )
    .await;
    assert!(matches!(bad_tag, Err(DomainError::Invalid(_))));
    let missing = attempt(Role::Developer, "dev/shop-api", "9.9.9", "staging", None).await;
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );

    // prod's tags are immutable: 1.0.0 may be promoted again, but not moved to other bytes.
    let maintainer = user(Role::Maintainer);
    promotion::promote(
        &services,
        &Actor::new(maintainer.clone(), "test"),
        &request("staging/shop-api", "1.0.0", "prod"),
    )
    .await
    .unwrap();
    assert!(
        attempt(Role::Maintainer, "staging/shop-api", "1.0.0", "prod", None)
            .await
            .is_ok()
    );
    let moved = attempt(
        Role::Maintainer,
        "staging/shop-api",
        "1.1.0",
        "prod",
        Some("1.0.0"),
    )
    .await;
    assert!(
        matches!(&moved, Err(DomainError::NotAllowed(m)) if m.contains("immutable")),
        "{moved:?}"
    );
}
