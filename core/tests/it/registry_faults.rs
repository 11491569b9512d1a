//! Faults the real registry cannot produce on demand — 5xx, 429 with Retry-After, garbage,
//! a stalled server, a redirect to another host — injected by in-process axum fakes on
//! 127.0.0.1:0. Everything else is tested against the real registry (registry_client.rs).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use regatta_core::config::{RegistryAuth, RegistryConfig};
use regatta_core::registry::transport::RetryPolicy;
use regatta_core::registry::{ClientOptions, RegistryClient, RegistryError, RepoName};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) async fn serve(router: Router) -> url::Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap())
        .parse()
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

pub(crate) fn client(url: url::Url, auth: RegistryAuth) -> RegistryClient {
    let config = RegistryConfig {
        auth,
        ..RegistryConfig::anonymous("fake", url)
    };
    let options = ClientOptions {
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        },
        request_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_secs(1),
    };
    RegistryClient::with_options(config.endpoint(&Default::default()).unwrap(), options).unwrap()
}

pub(crate) fn repo() -> RepoName {
    RepoName::parse("dev/app").unwrap()
}

/// What the fake answers before succeeding: status and optional Retry-After, per call.
type Failures = Arc<Vec<(StatusCode, Option<&'static str>)>>;

pub(crate) const TAGS: &str = r#"{"name":"dev/app","tags":["1.0"]}"#;

/// Answers with `failures` (status, headers) first, then the tag list.
fn flaky(failures: Vec<(StatusCode, Option<&'static str>)>) -> (Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(failures);
    let router = Router::new()
        .route(
            "/v2/dev/app/tags/list",
            get(
                |State((calls, failures)): State<(Arc<AtomicUsize>, Failures)>| async move {
                    let call = calls.fetch_add(1, Ordering::SeqCst);
                    match failures.get(call) {
                        Some((status, retry_after)) => {
                            let mut headers = HeaderMap::new();
                            if let Some(value) = retry_after {
                                headers.insert("retry-after", value.parse().unwrap());
                            }
                            (*status, headers, "{}").into_response()
                        }
                        None => TAGS.into_response(),
                    }
                },
            ),
        )
        .with_state((calls.clone(), failures));
    (router, calls)
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let (router, calls) = flaky(vec![
        (StatusCode::INTERNAL_SERVER_ERROR, None),
        (StatusCode::BAD_GATEWAY, None),
    ]);
    let client = client(serve(router).await, RegistryAuth::None);
    let tags = client.list_tags(&repo()).await.unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_are_bounded_and_the_last_error_is_reported() {
    let (router, calls) = flaky(vec![(StatusCode::SERVICE_UNAVAILABLE, None); 10]);
    let client = client(serve(router).await, RegistryAuth::None);
    let error = client.list_tags(&repo()).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert!(error.is_retryable());
    assert_eq!(calls.load(Ordering::SeqCst), 4, "one try and three retries");
}

#[tokio::test]
async fn too_many_requests_waits_as_long_as_retry_after_says() {
    let (router, calls) = flaky(vec![(StatusCode::TOO_MANY_REQUESTS, Some("1"))]);
    let client = client(serve(router).await, RegistryAuth::None);
    let started = Instant::now();
    client.list_tags(&repo()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (router, calls) = flaky(vec![(StatusCode::NOT_FOUND, None)]);
    let client = client(serve(router).await, RegistryAuth::None);
    assert_eq!(
        client.list_tags(&repo()).await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn garbage_json_is_a_protocol_error_naming_what_was_expected() {
    let router = Router::new().route("/v2/dev/app/tags/list", get(|| async { "<html>not json" }));
    let error = client(serve(router).await, RegistryAuth::None)
        .list_tags(&repo())
        .await
        .unwrap_err();
    assert!(matches!(error, RegistryError::Protocol { .. }), "{error:?}");
    assert!(
        error.to_string().contains("a tag list is not valid JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn a_tag_list_without_its_tags_field_is_an_error_not_an_empty_list() {
    // `null` is what distribution answers for a repository whose tags were all deleted.
    let router = Router::new()
        .route("/v2/dev/app/tags/list", get(|| async { "{}" }))
        .route(
            "/v2/dev/empty/tags/list",
            get(|| async { r#"{"name":"dev/empty","tags":null}"# }),
        );
    let client = client(serve(router).await, RegistryAuth::None);
    let error = client.list_tags(&repo()).await.unwrap_err();
    assert!(matches!(error, RegistryError::Protocol { .. }), "{error:?}");
    assert!(
        error.to_string().contains("missing field `tags`"),
        "{error}"
    );
    let empty = RepoName::parse("dev/empty").unwrap();
    assert!(client.list_tags(&empty).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_stalled_server_times_out_with_registry_and_duration_named() {
    let router = Router::new().route(
        "/v2/dev/app/tags/list",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            TAGS
        }),
    );
    let started = Instant::now();
    let error = client(serve(router).await, RegistryAuth::None)
        .list_tags(&repo())
        .await
        .unwrap_err();
    assert!(matches!(error, RegistryError::Timeout { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("registry `fake` did not answer within 500ms"),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn authorization_is_not_sent_to_another_host_on_redirect() {
    let seen = Arc::new(Mutex::new(Vec::<Option<String>>::new()));
    let storage = Router::new()
        .route(
            "/blob",
            get(|State(seen): State<Arc<Mutex<Vec<Option<String>>>>>, headers: HeaderMap| async move {
                let authorization = headers.get("authorization").map(|v| v.to_str().unwrap().to_string());
                seen.lock().unwrap().push(authorization);
                TAGS
            }),
        )
        .with_state(seen.clone());
    // "localhost" and "127.0.0.1" are different hosts to an HTTP client.
    let storage_url = serve(storage).await;
    let elsewhere = format!("http://localhost:{}/blob", storage_url.port().unwrap());
    let registry = Router::new().route(
        "/v2/dev/app/tags/list",
        get(move || {
            let elsewhere = elsewhere.clone();
            async move {
                Response::builder()
                    .status(307)
                    .header("location", elsewhere)
                    .body(axum::body::Body::empty())
                    .unwrap()
            }
        }),
    );
    let auth = RegistryAuth::Basic {
        username: "u".into(),
        password: Some("p".to_string().into()),
        password_env: None,
    };
    client(serve(registry).await, auth)
        .list_tags(&repo())
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![None]);
}

/// A registry (or a proxy in front of it) that serves other bytes than the digest names.
fn substituting() -> Router {
    let digest = regatta_core::registry::Digest::sha256_of(b"the real content");
    let blob_path = format!("/v2/dev/app/blobs/{digest}");
    let manifest_path = format!("/v2/dev/app/manifests/{digest}");
    Router::new()
        .route(&blob_path, get(|| async { "substituted content" }))
        .route(
            &manifest_path,
            get(|| async {
                let body = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
                ([("content-type", "application/vnd.oci.image.index.v1+json")], body)
            }),
        )
}

#[tokio::test]
async fn substituted_content_is_caught_by_its_digest() {
    use futures_util::StreamExt;
    let client = client(serve(substituting()).await, RegistryAuth::None);
    let digest = regatta_core::registry::Digest::sha256_of(b"the real content");

    let reference = regatta_core::registry::Reference::Digest(digest.clone());
    let error = client.get_manifest(&repo(), &reference).await.unwrap_err();
    assert!(
        matches!(error, RegistryError::DigestMismatch { .. }),
        "{error:?}"
    );

    let mut stream = Box::pin(client.get_blob(&repo(), &digest).await.unwrap());
    let mut last = None;
    while let Some(item) = stream.next().await {
        last = Some(item);
    }
    let error = last.expect("at least one item").unwrap_err();
    assert!(
        error.to_string().contains("does not match its digest"),
        "{error}"
    );
    assert!(client.get_blob_bytes(&repo(), &digest, 1024).await.is_err());
}

#[tokio::test]
async fn the_referrers_api_is_used_where_the_registry_has_it() {
    // distribution 2.8 has no referrers API (the real-registry test covers the fallback tag);
    // this fake answers like an OCI 1.1 registry.
    let subject = regatta_core::registry::Digest::sha256_of(b"subject");
    let signature = regatta_core::registry::Digest::sha256_of(b"signature");
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": signature.as_str(), "size": 9,
                       "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json"}],
    })
    .to_string();
    let router = Router::new().route(
        &format!("/v2/dev/app/referrers/{subject}"),
        get(move || async move { index }),
    );
    let referrers = client(serve(router).await, RegistryAuth::None)
        .referrers(&repo(), &subject)
        .await
        .unwrap();
    assert_eq!(referrers.len(), 1);
    assert_eq!(referrers[0].digest().to_string(), signature.to_string());
}

#[tokio::test]
async fn an_unresolvable_host_is_named_as_unreachable() {
    let url: url::Url = "http://registry.invalid/".parse().unwrap();
    let error = client(url, RegistryAuth::None)
        .list_tags(&repo())
        .await
        .unwrap_err();
    assert!(matches!(error, RegistryError::Connect { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("registry `fake` is unreachable: "),
        "{error}"
    );
}
