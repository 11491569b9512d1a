//! Logging in over HTTP against the real binary: plain form posts (as before hydration),
//! sessions, audit rows, throttling, and the login gate in front of pages.

use crate::support::{browser_like_client, open_database, start_app, start_app_with};
use end2end::app_fixture::{AppFixture, AppOptions, ADMIN_PASSWORD, ADMIN_USER};
use end2end::audit;
use reqwest::{header, Client, StatusCode};

/// A login as a browser without WASM sends it: an HTML form post.
async fn post_login_form(
    client: &Client,
    app: &AppFixture,
    user: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url.join("/api/login").unwrap())
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, app.url.join("/login").unwrap().as_str())
        .form(&[("username", user), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn pages_need_a_session_and_remember_where_you_were_going() {
    let app = start_app().await;
    let client = browser_like_client();
    let root = client.get(app.url.clone()).send().await.unwrap();
    assert_eq!(root.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&root), "/login");
    let deep = client
        .get(app.url.join("/registries?page=2").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(location(&deep), "/login?next=%2Fregistries%3Fpage%3D2");
    let login_page = client
        .get(app.url.join("/login").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(login_page.status(), StatusCode::OK);
    let html = login_page.text().await.unwrap();
    assert!(
        html.contains("name=\"password\"")
            && end2end::app_fixture::linked_assets(&html)
                .iter()
                .any(|a| a.ends_with(".js")),
        "{html}"
    );
}

#[tokio::test]
async fn a_wrong_password_returns_to_the_login_page_with_a_reason_and_is_audited() {
    let app = start_app().await;
    let client = browser_like_client();
    let response = post_login_form(&client, &app, ADMIN_USER, "not-the-password").await;
    assert_eq!(location(&response), "/login?failed=credentials&next=%2F");
    let page = client
        .get(app.url.join(location(&response)).unwrap())
        .send()
        .await
        .unwrap();
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("Wrong username or password."));
    assert_eq!(
        client.get(app.url.clone()).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );

    let rows = audit::rows(&app.database).await;
    let failure = rows
        .iter()
        .find(|r| r.action == "login.failure")
        .expect("a login.failure row");
    assert_eq!(failure.actor.as_deref(), Some(ADMIN_USER));
    assert_eq!(failure.outcome, "denied");
    assert_eq!(failure.source.as_deref(), Some("127.0.0.1"));
    assert_eq!(failure.detail.as_deref(), Some("wrong password"));
}

#[tokio::test]
async fn a_correct_login_sets_a_hardened_cookie_opens_the_dashboard_and_logout_ends_it() {
    let app = start_app().await;
    let client = browser_like_client();
    let response = post_login_form(&client, &app, ADMIN_USER, ADMIN_PASSWORD).await;
    assert_eq!(location(&response), "/");
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("regatta_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Max-Age=28800") && !cookie.contains("Secure"),
        "{cookie}"
    );

    let dashboard = client.get(app.url.clone()).send().await.unwrap();
    assert_eq!(dashboard.status(), StatusCode::OK);
    let html = dashboard.text().await.unwrap();
    assert!(
        html.contains("Pipeline") && html.contains(">admin<"),
        "{html}"
    );

    let logout = client
        .post(app.url.join("/api/logout").unwrap())
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&logout), "/login");
    assert_eq!(
        client.get(app.url.clone()).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    // Ended on the server (in its session cache too), not just dropped from this browser.
    let old_session = cookie.split(';').next().unwrap();
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url.clone())
        .header(header::COOKIE, old_session)
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), StatusCode::SEE_OTHER);

    let actions: Vec<_> = audit::rows(&app.database)
        .await
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["user.add", "login.success", "logout"]);
}

#[tokio::test]
async fn server_functions_answer_401_without_a_session() {
    let app = start_app().await;
    let response = browser_like_client()
        .post(app.url.join("/api/dashboard").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Please log in.");
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_even_for_the_right_password() {
    let app = start_app().await;
    let client = browser_like_client();
    for _ in 0..5 {
        post_login_form(&client, &app, ADMIN_USER, "guess").await;
    }
    let throttled = post_login_form(&client, &app, ADMIN_USER, ADMIN_PASSWORD).await;
    assert!(
        location(&throttled).starts_with("/login?failed=throttled&wait="),
        "{}",
        location(&throttled)
    );
    let rows = audit::rows(&app.database).await;
    assert_eq!(
        rows.iter().filter(|r| r.action == "login.failure").count(),
        5
    );
    assert_eq!(rows.last().unwrap().action, "login.throttled");
}

#[tokio::test]
async fn a_next_that_leaves_the_site_or_cannot_be_a_header_sends_you_home() {
    let app = start_app().await;
    // `/<TAB>/evil.example` reads as `//evil.example` once a browser drops the tab; a non-ASCII
    // `next` used to panic while building the Location header (answered 500).
    for next in ["/\t/evil.example", "/r/ünï", "//evil.example"] {
        let client = browser_like_client();
        let response = client
            .post(app.url.join("/api/login").unwrap())
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .form(&[
                ("username", ADMIN_USER),
                ("password", ADMIN_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "{next:?}: {}",
            response.status()
        );
        assert_eq!(location(&response), "/", "{next:?}");
    }
}

#[tokio::test]
async fn a_password_change_or_a_disable_ends_the_sessions_opened_before() {
    let app = start_app().await;
    app.add_user("dana", "developer", "dana-password-1")
        .unwrap();
    let whoami = |client: Client| {
        let url = app.url.join("/api/whoami").unwrap();
        async move { client.post(url).send().await.unwrap().status() }
    };
    let admin = browser_like_client();
    post_login_form(&admin, &app, ADMIN_USER, ADMIN_PASSWORD).await;
    let dana = browser_like_client();
    post_login_form(&dana, &app, "dana", "dana-password-1").await;
    assert_eq!(whoami(admin.clone()).await, StatusCode::OK);
    assert_eq!(whoami(dana.clone()).await, StatusCode::OK);

    app.user_command(&["passwd", ADMIN_USER], "a-new-admin-password")
        .unwrap();
    assert_eq!(whoami(admin.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(whoami(dana.clone()).await, StatusCode::OK, "others stay");
    let again = browser_like_client();
    post_login_form(&again, &app, ADMIN_USER, "a-new-admin-password").await;
    assert_eq!(
        whoami(again).await,
        StatusCode::OK,
        "the new password opens a session"
    );

    let page = |client: Client| {
        let url = app.url.join("/promotions").unwrap();
        async move { client.get(url).send().await.unwrap() }
    };
    let shown = page(dana.clone()).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.unwrap();
    let who = html
        .find(r#"class="username""#)
        .map(|at| &html[at..(at + 120).min(html.len())])
        .unwrap_or_default();
    assert!(
        who.contains(">dana</a>"),
        "the header names the user the login gate found: {who}"
    );

    app.user_command(&["disable", "dana"], "").unwrap();
    assert_eq!(whoami(dana.clone()).await, StatusCode::UNAUTHORIZED);
    let refused = page(dana).await;
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        refused.headers()["location"],
        "/login?next=%2Fpromotions",
        "a page sends the disabled user's session to the login"
    );
}

#[tokio::test]
async fn using_a_session_moves_its_expiry_so_it_ends_after_idleness_not_after_login() {
    let options = AppOptions {
        settings: end2end::SettingsFile::new().idle_timeout_minutes(1),
        ..Default::default()
    };
    let app = start_app_with(options).await;
    let client = browser_like_client();
    post_login_form(&client, &app, ADMIN_USER, ADMIN_PASSWORD).await;
    let expiry = || async {
        let pool = open_database(&app.database).await;
        // The store binds an OffsetDateTime: SQLite keeps it as text, PostgreSQL as TIMESTAMPTZ.
        let expiry: time::OffsetDateTime =
            regatta_core::db::query_scalar("SELECT MAX(expiry_date) FROM sessions")
                .fetch_one(&pool)
                .await
                .unwrap();
        pool.close().await;
        expiry.unix_timestamp()
    };
    let at_login = expiry().await;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let page = client.get(app.url.clone()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let after_use = expiry().await;
    assert!(
        after_use >= at_login + 2,
        "expiry moved from {at_login} to {after_use}"
    );
}
