//! Password guessing: a burst is throttled as it arrives, odd usernames key nothing, and the
//! client address comes from X-Forwarded-For only through a trusted proxy.

use crate::support::{browser_like_client as client, start_app, start_app_with};
use end2end::app_fixture::{AppOptions, ADMIN_USER};
use end2end::audit;
use reqwest::StatusCode;

#[tokio::test]
async fn a_burst_of_guesses_is_throttled_as_it_arrives_and_odd_names_key_nothing() {
    let app = start_app().await;
    let guesses = (0..12).map(|i| {
        let url = app.url.join("/api/login").unwrap();
        async move {
            reqwest::Client::new()
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
    let app = start_app_with(options).await;
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
