//! The audit log over HTTP: /audit shows logins, failures included; the CSV and JSON exports
//! return exactly the rows the filters match; a maintainer does not see other users' logins;
//! a developer is refused; nothing outside a session gets any.

use crate::support::start_app;
use end2end::app_fixture::{ADMIN_PASSWORD, ADMIN_USER};

async fn get(
    client: &reqwest::Client,
    app: &end2end::app_fixture::AppFixture,
    path: &str,
) -> (u16, String) {
    let response = client
        .get(app.url.join(path).unwrap())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_log_shows_logins_and_exports_exactly_what_the_filters_match() {
    let app = start_app().await;
    app.add_user("mia", "maintainer", "maintainer-pass")
        .unwrap();
    app.add_user("dev", "developer", "developer-pass").unwrap();
    assert!(
        app.logged_in("mallory", "guess").await.is_err(),
        "a failed login"
    );
    let admin = app.logged_in(ADMIN_USER, ADMIN_PASSWORD).await.unwrap();

    let (status, page) = get(&admin, &app, "/audit").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("login.failure") && page.contains("mallory"),
        "refusals show"
    );
    assert!(page.contains("user.add"), "the CLI's changes show");

    let (status, csv) = get(&admin, &app, "/audit.csv?action=login.failure").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "the header and mallory's row: {csv}");
    assert!(lines[0].starts_with("id,at,user,action,target,source,result,detail"));
    assert!(lines[1].contains(",mallory,login.failure,") && lines[1].contains(",denied,"));

    let (status, json) = get(&admin, &app, "/audit.json?action=user&result=ok").await;
    assert_eq!(status, 200);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    let added: Vec<&str> = rows.iter().filter_map(|r| r["target"].as_str()).collect();
    assert_eq!(
        added,
        ["dev", "mia", "admin"],
        "newest first, the first start's admin too"
    );
    assert!(rows.iter().all(|r| r["action"] == "user.add"));

    let (status, _) = get(&admin, &app, "/audit.csv?from=yesterday").await;
    assert_eq!(status, 400, "a bad time is a clear error");

    let maintainer = app.logged_in("mia", "maintainer-pass").await.unwrap();
    let (status, page) = get(&maintainer, &app, "/audit").await;
    assert_eq!(status, 200);
    assert!(!page.contains("mallory"), "others' logins are for admins");
    let (_, csv) = get(&maintainer, &app, "/audit.csv?action=login").await;
    assert!(csv.lines().skip(1).all(|l| l.contains(",mia,")), "{csv}");

    let developer = app.logged_in("dev", "developer-pass").await.unwrap();
    let (status, _) = get(&developer, &app, "/audit.csv").await;
    assert_eq!(status, 403);
    let stranger = crate::support::browser_like_client()
        .get(app.url.join("/audit.json").unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        stranger.status().is_redirection(),
        "no session, no rows: to the login"
    );
    let location = stranger.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/login"), "{location}");
}
