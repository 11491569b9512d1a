//! Hostile requests against the real binary: oversize bodies, cross-site posts, and the headers
//! that keep a page from being framed or sniffed. Each asserts a clear answer and that nothing
//! changed (no session, no audit row).

use end2end::app_fixture::{AppFixture, AppOptions, ADMIN_PASSWORD, ADMIN_USER};
use end2end::audit;
use reqwest::{header, redirect::Policy, Client, StatusCode};
use std::path::Path;

async fn start_app() -> AppFixture {
    AppFixture::start(
        Path::new(env!("CARGO_BIN_EXE_regatta")),
        AppOptions::default(),
    )
    .await
    .expect("starting regatta")
}

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn login_form() -> String {
    format!("username={ADMIN_USER}&password={ADMIN_PASSWORD}&next=%2F")
}

/// Sends `head` (request line and headers), then `body`, on a raw connection and returns the
/// status line and the body of the answer. A raw socket because the server answers an
/// oversize request before reading it, and an HTTP client still writing would see a broken pipe.
async fn raw_exchange(app: &AppFixture, head: &str, body: &[u8]) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = format!(
        "{}:{}",
        app.url.host_str().unwrap(),
        app.url.port().unwrap()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // Whatever of the body the server refuses to read may fail to send; the answer is what counts.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer.lines().next().unwrap_or("").to_string();
    let text = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, text)
}

/// `size` bytes in HTTP/1.1 chunks of 16 KiB, as a client that never says the length sends them.
fn chunked(size: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for _ in 0..size / (16 * 1024) {
        body.extend_from_slice(b"4000\r\n");
        body.extend(std::iter::repeat_n(b'a', 16 * 1024));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

#[tokio::test]
async fn oversize_bodies_are_answered_413_with_a_reason_on_every_route() {
    let app = start_app().await;
    let form = "application/x-www-form-urlencoded";
    for path in ["/api/login", "/api/promote", "/api/search", "/login"] {
        // 300 MB announced: refused from the headers, nothing read.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {form}\r\n\
             Content-Length: 300000000\r\nConnection: close\r\n\r\n"
        );
        let (status, text) = raw_exchange(&app, &head, b"").await;
        assert!(status.contains(" 413 "), "{path}: {status}");
        assert!(text.contains("at most 64 KiB"), "{path}: {text}");
        // No length announced: refused once 64 KiB have arrived.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {form}\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        let (status, _) = raw_exchange(&app, &head, &chunked(256 * 1024)).await;
        assert!(status.contains(" 413 "), "{path} chunked: {status}");
    }
    let head = "POST /hooks/registry/local HTTP/1.1\r\nHost: x\r\n\
                Content-Length: 2000000\r\nConnection: close\r\n\r\n";
    let (status, text) = raw_exchange(&app, head, b"").await;
    assert!(status.contains(" 413 "), "{status}");
    assert!(text.contains("at most 1024 KiB"), "{text}");

    // Under the limit a form is read as before: padding the login form still logs in.
    let client = client();
    let padded = format!("{}&padding={}", login_form(), "a".repeat(60 * 1024));
    let response = client
        .post(app.url.join("/api/login").unwrap())
        .header(header::CONTENT_TYPE, form)
        .header(header::ACCEPT, "text/html")
        .body(padded)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
    assert_eq!(response.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn a_login_posted_from_another_site_is_refused_and_logs_nobody_in() {
    let app = start_app().await;
    let own_origin = app.url.origin().ascii_serialization();
    let audit_before = audit::rows(&app.database).await;
    let refused: [&[(&str, &str)]; 4] = [
        &[("origin", "https://evil.example")],
        &[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ],
        // A sibling subdomain or another port is "same-site": SameSite=Lax lets its cookies by.
        &[("sec-fetch-site", "same-site")],
        &[("origin", "null")],
    ];
    for headers in refused {
        let client = client();
        let mut request = client
            .post(app.url.join("/api/login").unwrap())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(login_form());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        let text = response.text().await.unwrap();
        assert!(text.starts_with("Cross-site request refused"), "{text}");
    }
    assert_eq!(
        audit::rows(&app.database).await,
        audit_before,
        "a refused request reaches no handler"
    );

    // The dashboard's own pages post with their origin, and a script sends no Origin at all.
    let same: [&[(&str, &str)]; 3] = [
        &[
            ("origin", own_origin.as_str()),
            ("sec-fetch-site", "same-origin"),
        ],
        &[("origin", own_origin.as_str())],
        &[],
    ];
    for headers in same {
        let client = client();
        let mut request = client
            .post(app.url.join("/api/login").unwrap())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .body(login_form());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_redirection(), "{headers:?}");
        assert_eq!(response.headers()[header::LOCATION], "/", "{headers:?}");
    }
}

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
async fn a_burst_of_guesses_is_throttled_as_it_arrives_and_odd_names_key_nothing() {
    let app = start_app().await;
    let guesses = (0..12).map(|i| {
        let url = app.url.join("/api/login").unwrap();
        async move {
            Client::new()
                .post(url)
                .form(&[
                    ("username", ADMIN_USER),
                    ("password", &format!("guess-{i}")),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let rows = audit::rows(&app.database).await;
    let checked = rows.iter().filter(|r| r.action == "login.failure").count();
    let throttled = rows
        .iter()
        .filter(|r| r.action == "login.throttled")
        .count();
    assert_eq!(
        checked, 5,
        "only the free attempts reach the password check: {statuses:?}"
    );
    assert_eq!(throttled, 7);
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        7
    );

    let before = audit::rows(&app.database).await.len();
    let odd = format!("{}\u{7}admin", "x".repeat(10_000));
    let response = client()
        .post(app.url.join("/api/login").unwrap())
        .form(&[("username", odd.as_str()), ("password", "whatever")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
    let rows = audit::rows(&app.database).await;
    assert_eq!(rows.len(), before + 1);
    let row = rows.last().unwrap();
    // Throttled by address already (the burst above); either way the raw name is not stored.
    assert_eq!(row.actor, None, "{row:?}");
}

/// The audit row of one failed login sent with `X-Forwarded-For: 203.0.113.9`.
async fn source_of_a_forwarded_login(settings: end2end::SettingsFile) -> Option<String> {
    let options = AppOptions {
        settings,
        ..Default::default()
    };
    let app = AppFixture::start(Path::new(env!("CARGO_BIN_EXE_regatta")), options)
        .await
        .unwrap();
    client()
        .post(app.url.join("/api/login").unwrap())
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.9")
        .form(&[("username", "nobody"), ("password", "x")])
        .send()
        .await
        .unwrap();
    let rows = audit::rows(&app.database).await;
    rows.last().unwrap().source.clone()
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_when_a_trusted_proxy_sends_it() {
    let direct = source_of_a_forwarded_login(end2end::SettingsFile::new()).await;
    assert_eq!(
        direct.as_deref(),
        Some("127.0.0.1"),
        "anyone can write the header"
    );
    let proxied =
        source_of_a_forwarded_login(end2end::SettingsFile::new().trusted_proxy("127.0.0.1/32"))
            .await;
    assert_eq!(
        proxied.as_deref(),
        Some("203.0.113.9"),
        "the address our proxy saw, not what the client wrote before it"
    );
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
async fn hostile_paths_get_a_clear_not_found_and_never_a_file_or_a_500() {
    // Before: `/r/local/<invalid or unknown name>` answered 200 with an empty tag table.
    let options = AppOptions {
        settings: end2end::SettingsFile::new()
            .registry(end2end::settings::Registry::unreachable("local")),
        ..Default::default()
    };
    let app = AppFixture::start(Path::new(env!("CARGO_BIN_EXE_regatta")), options)
        .await
        .unwrap();
    let client = client();
    let logged_in = client
        .post(app.url.join("/api/login").unwrap())
        .header(header::ACCEPT, "text/html")
        .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(logged_in.status().is_redirection());
    let long = "a".repeat(10_000);
    let paths = [
        "/pkg/../Cargo.toml".to_string(),
        "/pkg/%2e%2e/%2e%2e/Cargo.toml".to_string(),
        "/pkg/..%2f..%2fCargo.toml".to_string(),
        "/r/local/..%2f..%2fetc%2fpasswd".to_string(),
        "/r/local/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/i/local/dev/..%2f..%2fapp:1.0".to_string(),
        "/i/local/dev/app:%00".to_string(),
        "/i/local/dev/app@sha256:zz".to_string(),
        format!("/r/local/{long}"),
        format!("/i/local/dev/app:{long}"),
        format!("/search?q={long}"),
        "/r/no-such-registry".to_string(),
    ];
    for path in &paths {
        let response = client
            .get(app.url.join(path).unwrap())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(
            status.is_client_error(),
            "{path}: {status}\n{}",
            &body[..body.len().min(500)]
        );
        assert!(
            !body.contains("[workspace]") && !body.contains("root:x:0"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn malformed_server_function_arguments_are_answered_400_not_500() {
    let app = start_app().await;
    let client = client();
    client
        .post(app.url.join("/api/login").unwrap())
        .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    let audit_before = audit::rows(&app.database).await;
    let cases: [(&str, &str, &str); 5] = [
        (
            "/api/promote",
            "application/x-www-form-urlencoded",
            "garbage",
        ),
        (
            "/api/promote",
            "application/x-www-form-urlencoded",
            "registry=local&repository=dev/app&tag=1&to_environment=staging&with_attachments=maybe",
        ),
        ("/api/promote", "application/json", r#"{"registry":"#),
        (
            "/api/search",
            "application/x-www-form-urlencoded",
            "text=a&page=abc",
        ),
        (
            "/api/login",
            "application/x-www-form-urlencoded",
            "username=admin",
        ),
    ];
    for (path, content_type, body) in cases {
        let response = client
            .post(app.url.join(path).unwrap())
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {text}");
        assert!(
            text.contains("error deserializing server function arguments"),
            "{text}"
        );
    }
    assert_eq!(
        audit::rows(&app.database).await,
        audit_before,
        "nothing ran"
    );
}

#[tokio::test]
async fn behind_an_https_public_url_the_cookie_is_secure_and_its_origin_is_the_one_accepted() {
    let options = AppOptions {
        settings: end2end::SettingsFile::new().public_url("https://regatta.example"),
        ..Default::default()
    };
    let app = AppFixture::start(Path::new(env!("CARGO_BIN_EXE_regatta")), options)
        .await
        .unwrap();
    let login = |origin: &'static str| {
        let url = app.url.join("/api/login").unwrap();
        async move {
            client()
                .post(url)
                .header("origin", origin)
                .header(header::ACCEPT, "text/html")
                .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
                .send()
                .await
                .unwrap()
        }
    };
    let direct = login("http://127.0.0.1").await;
    assert_eq!(direct.status(), StatusCode::FORBIDDEN);
    let proxied = login("https://regatta.example").await;
    assert!(proxied.status().is_redirection());
    let cookie = proxied.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
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
        AppFixture::start(Path::new(env!("CARGO_BIN_EXE_regatta")), options)
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
    let app = start(site.path()).await.unwrap();
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
    let app = start(site.path()).await.unwrap();
    let stale = fetch(&app).await;
    assert_eq!(stale.headers()[header::CONTENT_ENCODING], "br");
    assert_ne!(
        &stale.bytes().await.unwrap()[..],
        b"precompressed at build time"
    );
}
