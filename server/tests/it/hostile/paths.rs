//! Paths built to escape or overflow: traversal and overlong names get a 4xx, never a file.

use crate::support::{browser_like_client as client, start_app_with};
use end2end::app_fixture::{AppOptions, ADMIN_PASSWORD, ADMIN_USER};
use reqwest::header;

#[tokio::test]
async fn hostile_paths_get_a_clear_not_found_and_never_a_file_or_a_500() {
    // Before: `/r/local/<invalid or unknown name>` answered 200 with an empty tag table.
    let options = AppOptions {
        settings: end2end::SettingsFile::new()
            .registry(end2end::settings::Registry::unreachable("local")),
        ..Default::default()
    };
    let app = start_app_with(options).await;
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
