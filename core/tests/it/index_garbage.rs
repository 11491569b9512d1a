//! A registry that answers garbage with 200 must not empty the index. A real registry behind an
//! in-process proxy that replaces its catalog answer on demand (the real registry cannot be made
//! to send `{}`); every other request reaches the registry unchanged.

use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Router;
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::config::parse_settings;
use regatta_core::index::{crawl_registry, registry_id, tags_of_registry};
use regatta_core::Services;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct Proxy {
    upstream: url::Url,
    catalog: Arc<Mutex<Option<&'static str>>>,
    http: reqwest::Client,
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    if request.uri().path() == "/v2/_catalog" {
        if let Some(body) = *proxy.catalog.lock().unwrap() {
            return ([(header::CONTENT_TYPE, "application/json")], body).into_response();
        }
    }
    let path = request.uri().path_and_query().unwrap().as_str().to_string();
    let mut upstream = proxy.http.request(
        request.method().clone(),
        proxy.upstream.join(&path).unwrap(),
    );
    for (name, value) in request.headers() {
        if name != header::HOST {
            upstream = upstream.header(name, value);
        }
    }
    let body = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap();
    let answer = upstream.body(body).send().await.unwrap();
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if name != header::TRANSFER_ENCODING {
            response = response.header(name, value);
        }
    }
    let body = answer.bytes().await.unwrap();
    response.body(axum::body::Body::from(body)).unwrap()
}

async fn proxy_in_front(
    registry: &RegistryFixture,
) -> (url::Url, Arc<Mutex<Option<&'static str>>>) {
    let catalog = Arc::new(Mutex::new(None));
    let proxy = Proxy {
        upstream: registry.url.clone(),
        catalog: catalog.clone(),
        http: reqwest::Client::new(),
    };
    let router = Router::new().fallback(forward).with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url.parse().unwrap(), catalog)
}

async fn repositories(services: &Services) -> Vec<String> {
    let id = registry_id(&services.db, "local").await.unwrap();
    let mut names: Vec<String> = tags_of_registry(&services.db, id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.repository)
        .collect();
    names.dedup();
    names
}

#[tokio::test]
async fn a_garbage_catalog_or_a_sudden_mass_removal_leaves_the_index_as_it_was() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let (url, catalog) = proxy_in_front(&registry).await;
    let dir = tempfile::tempdir().unwrap();
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("local", &url))
        .to_toml();
    let services = Services::start(parse_settings("test.toml", &text, &[]).unwrap())
        .await
        .unwrap();
    crawl_registry(&services, "local").await.unwrap();
    let full = repositories(&services).await;
    assert!(full.len() >= 4, "{full:?}");

    // `{}` is not a catalog: the crawl fails, saying what it expected, and removes nothing.
    *catalog.lock().unwrap() = Some("{}");
    let error = crawl_registry(&services, "local").await.unwrap_err();
    assert!(error.to_string().contains("repositories"), "{error}");
    assert_eq!(repositories(&services).await, full);

    // A well-formed catalog lacking most repositories is held back once …
    *catalog.lock().unwrap() = Some(r#"{"repositories":["dev/shop-api"]}"#);
    let report = crawl_registry(&services, "local").await.unwrap();
    let held = report.removal_held.expect("the removal is held back");
    assert!(
        held.contains(&format!(
            "no longer lists {} of the {}",
            full.len() - 1,
            full.len()
        )),
        "{held}"
    );
    assert_eq!(repositories(&services).await, full);
    // … and applied when the next crawl sees the same catalog.
    let report = crawl_registry(&services, "local").await.unwrap();
    assert_eq!(report.removal_held, None);
    assert_eq!(repositories(&services).await, ["dev/shop-api"]);

    // The real catalog again: everything is back.
    *catalog.lock().unwrap() = None;
    crawl_registry(&services, "local").await.unwrap();
    assert_eq!(repositories(&services).await, full);
}
