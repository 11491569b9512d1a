//! Users in a real Chromium: an admin adds a user (the generated password is shown once), the
//! user logs in with it and changes it on their settings page, the audit log shows both, and
//! disabling the user ends their session at the next request.

use end2end::app_fixture::AppFixture;
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, screenshot, wait_for, wait_for_text,
};
use end2end::{Browser, SettingsFile};
use fantoccini::Locator;

#[tokio::test]
async fn an_admin_adds_a_user_who_logs_in_changes_the_password_and_is_disabled() {
    let app = AppFixture::start_with(SettingsFile::new()).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;

    open(&client, &app.url, "/admin/users").await;
    wait_for(&client, "form[aria-label='Add a user'] [name=username]")
        .await
        .send_keys("erin")
        .await
        .unwrap();
    let role = wait_for(&client, "form[aria-label='Add a user'] select[name=role]").await;
    role.select_by_value("maintainer").await.unwrap();
    click(&client, Locator::XPath("//button[text()='Add user']")).await;
    wait_for_text(&client, "[role=status]", "User added.").await;
    let shown = wait_for(&client, "[aria-label='One-time password'] code").await;
    let password = shown.text().await.unwrap();
    assert_eq!(password.len(), 20, "{password}");
    let users = wait_for_text(&client, "table[aria-label=Users] tbody", "erin").await;
    assert!(users.contains("active"), "{users}");
    screenshot(&client, "users").await;
    open(&client, &app.url, "/admin/users").await;
    wait_for_text(&client, "table[aria-label=Users] tbody", "erin").await;
    let again = client.source().await.unwrap();
    assert!(!again.contains(&password), "shown once only");

    let erin = app.logged_in("erin", &password).await.unwrap();
    let changed = erin
        .post(app.url.join("/api/own-password").unwrap())
        .header("Accept", "text/html") // a plain form post, as a browser without the WASM sends
        .form(&[
            ("current", password.as_str()),
            ("new", "erin-chose-this-one"),
            ("repeat", "erin-chose-this-one"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        changed
            .url()
            .as_str()
            .ends_with("/settings?changed=password"),
        "{}",
        changed.url()
    );
    assert!(
        app.logged_in("erin", &password).await.is_err(),
        "the old one is gone"
    );
    let page = erin
        .get(app.url.join("/settings").unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        page.url().path() == "/settings",
        "this session stays: {}",
        page.url()
    );

    open(&client, &app.url, "/audit?target=erin").await;
    let log = wait_for_text(&client, "table[aria-label='Audit log'] tbody", "user.add").await;
    assert!(
        log.contains("user.passwd") && log.contains("own password"),
        "{log}"
    );

    open(&client, &app.url, "/admin/users").await;
    click(
        &client,
        Locator::Css("form[aria-label='disable erin'] button"),
    )
    .await;
    wait_for_text(&client, "[role=status]", "Changed.").await;
    wait_for_text(&client, "table[aria-label=Users] tbody", "disabled").await;
    let after = erin
        .get(app.url.join("/settings").unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        after.url().path().starts_with("/login"),
        "sent to log in: {}",
        after.url()
    );
    assert_no_console_errors(&client).await;
    browser.close().await;
}
