//! What a hostile or broken token service can do, injected by in-process fakes (the real
//! registry's token server cannot be told to stall, redirect or live on another host): it never
//! receives credentials from elsewhere than the registry's own host, never gets them forwarded
//! by a redirect, cannot hang a crawl, and cannot overflow the token cache. And a blob that
//! streams for longer than the request timeout still arrives, as long as bytes keep coming.

use super::registry_faults::{client, repo, serve, TAGS};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use regatta_core::config::RegistryAuth;
use regatta_core::registry::{Digest, RepoName};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn basic() -> RegistryAuth {
    RegistryAuth::Basic {
        username: "ci".into(),
        password: Some("ci-password".to_string().into()),
        password_env: None,
    }
}

/// A registry that wants a Bearer token from `realm` and lists tags for any token.
async fn bearer_registry(realm: String) -> url::Url {
    let router = Router::new().route(
        "/v2/dev/app/tags/list",
        get(move |headers: HeaderMap| {
            let realm = realm.clone();
            async move {
                let bearer = headers
                    .get("authorization")
                    .is_some_and(|v| v.to_str().unwrap().starts_with("Bearer "));
                if bearer {
                    return TAGS.into_response();
                }
                let challenge = format!("Bearer realm=\"{realm}\",service=\"fake\"");
                (StatusCode::UNAUTHORIZED, [("www-authenticate", challenge)]).into_response()
            }
        }),
    );
    serve(router).await
}

/// A token service that counts its calls and answers with `answer`.
async fn token_service(
    answer: impl Fn() -> Response + Clone + Send + Sync + 'static,
    delay: Duration,
) -> (url::Url, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let router = Router::new()
        .route(
            "/token",
            get(move |State(calls): State<Arc<AtomicUsize>>| async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                answer()
            }),
        )
        .with_state(calls.clone());
    (serve(router).await, calls)
}

fn a_token() -> Response {
    r#"{"token":"t0k","expires_in":18446744073709551615}"#.into_response()
}

#[tokio::test]
async fn a_realm_on_another_host_never_sees_the_credentials() {
    let (token, calls) = token_service(a_token, Duration::ZERO).await;
    // "localhost" is another host than the registry's "127.0.0.1" to an HTTP client.
    let realm = format!("http://localhost:{}/token", token.port().unwrap());
    let error = client(bearer_registry(realm).await, basic())
        .list_tags(&repo())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("realm_hosts"), "{error}");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_token_service_that_redirects_is_not_followed_with_the_credentials() {
    let (elsewhere, elsewhere_calls) = token_service(a_token, Duration::ZERO).await;
    let to = format!("http://localhost:{}/token", elsewhere.port().unwrap());
    let (token, _) = token_service(
        move || (StatusCode::FOUND, [("location", to.clone())]).into_response(),
        Duration::ZERO,
    )
    .await;
    let error = client(bearer_registry(format!("{token}token")).await, basic())
        .list_tags(&repo())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("HTTP 302"), "{error}");
    assert_eq!(elsewhere_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_stalled_token_service_times_out_and_a_huge_lifetime_is_capped() {
    let (token, _) = token_service(a_token, Duration::from_secs(30)).await;
    let started = Instant::now();
    let error = client(bearer_registry(format!("{token}token")).await, basic())
        .list_tags(&repo())
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{error} after {:?}",
        started.elapsed()
    );
    // `expires_in` of u64::MAX: the token is used, and caching it does not overflow.
    let (token, _) = token_service(a_token, Duration::ZERO).await;
    let tags = client(bearer_registry(format!("{token}token")).await, basic())
        .list_tags(&repo())
        .await
        .unwrap();
    assert_eq!(tags.len(), 1);
}

#[tokio::test]
async fn a_blob_that_keeps_streaming_past_the_request_timeout_arrives() {
    use futures_util::StreamExt;
    // 8 chunks, 150 ms apart: 1.2 s in all, against the fault clients' 500 ms request timeout.
    let chunk = vec![b'x'; 1024];
    let content: Vec<u8> = chunk.repeat(8);
    let digest = Digest::sha256_of(&content);
    let path = format!("/v2/dev/app/blobs/{digest}");
    let router = Router::new().route(
        &path,
        get(move || {
            let chunk = chunk.clone();
            async move {
                let chunks = futures_util::stream::iter(0..8).then(move |_| {
                    let chunk = chunk.clone();
                    async move {
                        tokio::time::sleep(Duration::from_millis(150)).await;
                        Ok::<_, std::io::Error>(bytes::Bytes::from(chunk))
                    }
                });
                axum::body::Body::from_stream(chunks)
            }
        }),
    );
    let client = client(serve(router).await, RegistryAuth::None);
    let stream = client
        .get_blob(&RepoName::parse("dev/app").unwrap(), &digest)
        .await
        .unwrap();
    let received: Vec<_> = stream.collect().await;
    let bytes: Vec<u8> = received
        .into_iter()
        .map(|chunk| chunk.unwrap())
        .flat_map(|b| b.to_vec())
        .collect();
    assert_eq!(bytes, content);
}
