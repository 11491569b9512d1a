//! Sessions one by one over HTTP: a user logged in from two browsers sees both on /settings
//! (this one marked), ends the other, which is sent to the login page at its next request
//! while this one goes on; someone else's session cannot be ended by a non-admin; logging out
//! takes the session off the list; the CLI lists a user's sessions.

use crate::support::start_app;
use reqwest::Client;

async fn page(
    client: &Client,
    app: &end2end::app_fixture::AppFixture,
    path: &str,
) -> reqwest::Response {
    client
        .get(app.url.join(path).unwrap())
        .send()
        .await
        .unwrap()
}

/// The ids of the "End session #N" forms on a page.
fn ended_ids(html: &str) -> Vec<i64> {
    html.match_indices("End session #")
        .filter_map(|(at, found)| {
            let rest = &html[at + found.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

#[tokio::test]
async fn a_user_lists_their_sessions_and_ends_another_one() {
    let app = start_app().await;
    app.add_user("sam", "viewer", "sam-two-browsers-9").unwrap();
    app.add_user("eve", "developer", "eve-other-user-9")
        .unwrap();
    let laptop = app.logged_in("sam", "sam-two-browsers-9").await.unwrap();
    let phone = app.logged_in("sam", "sam-two-browsers-9").await.unwrap();

    let settings = page(&laptop, &app, "/settings").await.text().await.unwrap();
    assert!(settings.contains("aria-label=\"Sessions\""), "{settings}");
    assert!(
        settings.contains("this session"),
        "the current one is marked"
    );
    let others = ended_ids(&settings);
    assert_eq!(
        others.len(),
        1,
        "the phone's session can be ended: {others:?}"
    );

    let eve = app.logged_in("eve", "eve-other-user-9").await.unwrap();
    let refused = eve
        .post(app.url.join("/api/session-end").unwrap())
        .form(&[("id", others[0].to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "not eve's session");
    assert_eq!(
        page(&phone, &app, "/settings").await.url().path(),
        "/settings"
    );

    let ended = laptop
        .post(app.url.join("/api/session-end").unwrap())
        .form(&[("id", others[0].to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 200);
    assert!(
        page(&phone, &app, "/settings")
            .await
            .url()
            .path()
            .starts_with("/login"),
        "the phone is sent to log in"
    );
    let settings = page(&laptop, &app, "/settings").await;
    assert_eq!(settings.url().path(), "/settings", "this one goes on");
    assert!(ended_ids(&settings.text().await.unwrap()).is_empty());

    let listed = std::process::Command::new(end2end::app_fixture::regatta_binary())
        .args(["user", "sessions", "sam", "--config"])
        .arg(app.config_path())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(
        listed.lines().count(),
        2,
        "a header and the laptop: {listed}"
    );

    laptop
        .post(app.url.join("/api/logout").unwrap())
        .send()
        .await
        .unwrap();
    let eve_settings = page(&eve, &app, "/settings").await.text().await.unwrap();
    assert!(eve_settings.contains("this session"));
    let audited: Vec<String> = {
        let (status, csv) = {
            let admin = app.as_admin().await;
            let response = page(&admin, &app, "/audit.csv?action=user.sessions.end").await;
            (response.status(), response.text().await.unwrap())
        };
        assert_eq!(status, 200);
        csv.lines().skip(1).map(str::to_string).collect()
    };
    assert_eq!(audited.len(), 2, "the refusal and the ending: {audited:?}");
    assert!(audited
        .iter()
        .any(|l| l.contains(",eve,") && l.contains(",denied,")));
    assert!(audited
        .iter()
        .any(|l| l.contains(",sam,") && l.contains(",ok,")));
}
