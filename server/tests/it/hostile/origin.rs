//! Cross-site request forgery: state changes from another origin are refused, behind a proxy
//! the configured public URL is the origin, and its https makes the cookie Secure.

use super::login_form;
use crate::support::{browser_like_client as client, start_app, start_app_with};
use end2end::app_fixture::{AppOptions, ADMIN_PASSWORD, ADMIN_USER};
use end2end::audit;
use reqwest::{header, StatusCode};

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
async fn behind_an_https_public_url_the_cookie_is_secure_and_its_origin_is_the_one_accepted() {
    let options = AppOptions {
        settings: end2end::SettingsFile::new().public_url("https://regatta.example"),
        ..Default::default()
    };
    let app = start_app_with(options).await;
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
