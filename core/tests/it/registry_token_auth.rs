//! Docker token authentication against a real registry that validates the tokens: the client
//! answers the Bearer challenge, caches tokens per scope, and names a refused scope.

use end2end::token_server::TokenUser;
use end2end::{RegistryFixture, RegistryOptions};
use regatta_core::config::{RegistryAuth, RegistryConfig};
use regatta_core::registry::{ApiCheck, Reference, RegistryClient, RepoName};

fn user(name: &str, actions: &[&str]) -> TokenUser {
    TokenUser {
        username: name.into(),
        password: format!("{name}-password"),
        actions: actions.iter().map(|a| a.to_string()).collect(),
        refresh_token: Some(format!("{name}-identity-token")),
    }
}

fn client(registry: &RegistryFixture, auth: RegistryAuth) -> RegistryClient {
    let config = RegistryConfig {
        auth,
        ..RegistryConfig::anonymous("tokened", registry.url.clone())
    };
    RegistryClient::new(config.endpoint(&Default::default()).unwrap()).unwrap()
}

fn basic(name: &str) -> RegistryAuth {
    RegistryAuth::Basic {
        username: name.into(),
        password: Some(format!("{name}-password").into()),
        password_env: None,
    }
}

async fn registry() -> RegistryFixture {
    let options = RegistryOptions {
        basic_auth: Some(("ci".into(), "ci-password".into())),
        token_users: Some(vec![
            user("ci", &["pull", "push", "*"]),
            user("reader", &["pull"]),
        ]),
        ..Default::default()
    };
    RegistryFixture::start_seeded(options).await.unwrap()
}

#[tokio::test]
async fn a_bearer_registry_is_browsed_with_tokens_from_its_realm() {
    let registry = registry().await;
    let ci = client(&registry, basic("ci"));
    let health = ci.ping().await;
    assert_eq!(health.check, ApiCheck::Ok, "{}", health.summary());
    assert_eq!(ci.list_repositories().await.unwrap().len(), 6);
    let repo = RepoName::parse("dev/shop-api").unwrap();
    assert_eq!(ci.list_tags(&repo).await.unwrap().len(), 4);
    let manifest = ci
        .get_manifest(&repo, &Reference::parse("1.0.0").unwrap())
        .await
        .unwrap();
    assert_eq!(manifest.media_type, end2end::images::OCI_MANIFEST);
}

#[tokio::test]
async fn a_refused_scope_is_named_in_the_error() {
    let registry = registry().await;
    let reader = client(&registry, basic("reader"));
    let repo = RepoName::parse("dev/shop-api").unwrap();
    assert_eq!(
        reader.list_tags(&repo).await.unwrap().len(),
        4,
        "pull is granted"
    );
    let error = reader.list_repositories().await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert!(
        error
            .to_string()
            .contains("refused scope `registry:catalog:*`"),
        "{error}"
    );

    let anonymous = client(&registry, RegistryAuth::None);
    let error = anonymous.list_tags(&repo).await.unwrap_err();
    assert!(
        error.to_string().contains("repository:dev/shop-api:pull"),
        "{error}"
    );
}

#[tokio::test]
async fn wrong_credentials_at_the_realm_are_reported_as_an_auth_problem() {
    let registry = registry().await;
    let wrong = client(
        &registry,
        RegistryAuth::Basic {
            username: "ci".into(),
            password: Some("nope".to_string().into()),
            password_env: None,
        },
    );
    let health = wrong.ping().await;
    assert!(
        matches!(health.check, ApiCheck::AuthRequired { ref scheme, reason: Some(_) } if scheme == "Bearer"),
        "{health:?}"
    );
    assert!(
        health.summary().contains("answered HTTP 401"),
        "{}",
        health.summary()
    );
}

#[tokio::test]
async fn an_identity_token_from_docker_config_is_exchanged_for_access_tokens() {
    let registry = registry().await;
    let config = tempfile::NamedTempFile::new().unwrap();
    let json =
        serde_json::json!({"auths": {registry.host(): {"identitytoken": "ci-identity-token"}}});
    std::fs::write(config.path(), json.to_string()).unwrap();
    let with_identity = client(
        &registry,
        RegistryAuth::DockerConfig {
            path: config.path().to_path_buf(),
        },
    );
    assert_eq!(with_identity.ping().await.check, ApiCheck::Ok);
    assert_eq!(with_identity.list_repositories().await.unwrap().len(), 6);

    std::fs::write(
        config.path(),
        serde_json::json!({"auths": {registry.host(): {"identitytoken": "revoked"}}}).to_string(),
    )
    .unwrap();
    let revoked = client(
        &registry,
        RegistryAuth::DockerConfig {
            path: config.path().to_path_buf(),
        },
    );
    assert!(matches!(
        revoked.ping().await.check,
        ApiCheck::AuthRequired { .. }
    ));
}
