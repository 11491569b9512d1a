//! What every answer carries: a nonced Content-Security-Policy on pages, the safety headers,
//! compression as the browser asks, and build-time compressed assets when they are current.

use crate::support::{browser_like_client as client, start_app, start_app_with};
use end2end::app_fixture::{AppFixture, AppOptions};
use reqwest::{header, StatusCode};
use std::path::Path;

#[tokio::test]
async fn pages_carry_a_nonced_content_security_policy_and_every_answer_the_safety_headers() {
    let app = start_app().await;
    let client = client();
    let page = client
        .get(app.url.join("/login").unwrap())
        .send()
        .await
        .unwrap();
    let policy = page.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(page.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(page.headers()[header::REFERRER_POLICY], "same-origin");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_string();
    let html = page.text().await.unwrap();
    let script_tags: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(""))
        .collect();
    assert!(
        script_tags.len() >= 2,
        "the theme and the hydration loader: {html}"
    );
    for tag in &script_tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }

    let again = client
        .get(app.url.join("/login").unwrap())
        .send()
        .await
        .unwrap();
    let second = again.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(!second.contains(&nonce), "a nonce is used once");

    for path in ["/api/whoami", "/pkg/no-such.css", "/no-such-file.js"] {
        let response = client
            .get(app.url.join(path).unwrap())
            .send()
            .await
            .unwrap();
        let headers = response.headers();
        assert!(
            headers.contains_key(header::CONTENT_SECURITY_POLICY),
            "{path}"
        );
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
    }
}

#[tokio::test]
async fn pages_and_assets_are_compressed_when_the_browser_accepts_it() {
    let app = start_app().await;
    // reqwest without its decompression features: the encoding stays visible.
    let client = client();
    let login = client
        .get(app.url.join("/login").unwrap())
        .send()
        .await
        .unwrap();
    let assets = end2end::app_fixture::linked_assets(&login.text().await.unwrap());
    let asset = |suffix: &str| {
        assets
            .iter()
            .find(|a| a.ends_with(suffix))
            .unwrap_or_else(|| panic!("no {suffix} in {assets:?}"))
            .clone()
    };
    for (path, encoding) in [
        (asset(".wasm"), "br"),
        (asset(".js"), "gzip"),
        ("/login".to_string(), "br"),
    ] {
        let response = client
            .get(app.url.join(&path).unwrap())
            .header(header::ACCEPT_ENCODING, encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            Some(encoding),
            "{path}"
        );
        if path.starts_with("/pkg/") {
            // Hashed names: a new build is a new name, so a year is safe.
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "public, max-age=31536000, immutable",
                "{path}"
            );
        }
        let plain = client
            .get(app.url.join(&path).unwrap())
            .send()
            .await
            .unwrap();
        assert!(
            plain.headers().get(header::CONTENT_ENCODING).is_none(),
            "{path}"
        );
        let (compressed, plain) = (
            response.bytes().await.unwrap(),
            plain.bytes().await.unwrap(),
        );
        assert!(
            compressed.len() * 2 < plain.len(),
            "{path}: {} vs {}",
            compressed.len(),
            plain.len()
        );
    }
}

#[tokio::test]
async fn assets_compressed_at_build_time_are_served_as_they_are_unless_stale() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let css = "body { color: black; }\n".repeat(200);
    std::fs::write(pkg.join("regatta.css"), &css).unwrap();
    // Not real brotli: the server must send the file's bytes untouched, which shows it used it.
    std::fs::write(pkg.join("regatta.css.br"), b"precompressed at build time").unwrap();
    let start = |site: &Path| {
        let options = AppOptions {
            env: vec![("REGATTA_SITE_ROOT".into(), site.display().to_string())],
            ..Default::default()
        };
        start_app_with(options)
    };
    let fetch = |app: &AppFixture| {
        let url = app.url.join("/pkg/regatta.css").unwrap();
        async move {
            client()
                .get(url)
                .header(header::ACCEPT_ENCODING, "br")
                .send()
                .await
                .unwrap()
        }
    };
    let app = start(site.path()).await;
    let current = fetch(&app).await;
    assert_eq!(current.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(
        &current.bytes().await.unwrap()[..],
        b"precompressed at build time"
    );
    let page = client()
        .get(app.url.join("/login").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "private, no-cache");
    drop(app);

    // A later build rewrote the file but not its .br: the stale copy is not served.
    let older = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(pkg.join("regatta.css.br"))
        .unwrap()
        .set_modified(older)
        .unwrap();
    let app = start(site.path()).await;
    let stale = fetch(&app).await;
    assert_eq!(stale.headers()[header::CONTENT_ENCODING], "br");
    assert_ne!(
        &stale.bytes().await.unwrap()[..],
        b"precompressed at build time"
    );
}
