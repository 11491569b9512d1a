//! Users in a real Chromium: an admin adds a user (the generated password is shown once), the
//! user logs in with it and changes it on their settings page, the audit log shows both, and
//! disabling the user ends their session at the next request. An admin grants a registry to a
//! user without a global role, who then sees that registry only.

use end2end::app_fixture::AppFixture;
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, screenshot, submit_login, wait_for,
    wait_for_text,
};
use end2end::{Browser, SettingsFile};
use fantoccini::Locator;

#[tokio::test]
async fn an_admin_adds_a_user_who_logs_in_changes_the_password_and_is_disabled() {
    let app = AppFixture::start_with(SettingsFile::new()).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;

    let password = add_user(&client, &app, "erin", "maintainer").await;
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

/// Two registries; an admin adds a user with no global role and grants them developer in
/// registry `a` on the user's page; the user logs in (same browser, after the admin logs out)
/// and sees registry `a` only; the audit log shows the addition and the grant.
#[tokio::test]
async fn an_admin_adds_a_user_and_a_grant_and_the_user_sees_only_the_granted_registry() {
    use end2end::settings::Registry;
    use end2end::{RegistryFixture, RegistryOptions};
    let a = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let b = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("a", &a))
        .registry(Registry::fixture("b", &b));
    let app = AppFixture::start_with(settings).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;

    let password = add_user(&client, &app, "tara", "none").await;

    open(&client, &app.url, "/admin/users/tara").await;
    let form = "form[aria-label='Grant a role']";
    let role = wait_for(&client, &format!("{form} select[name=role]")).await;
    role.select_by_value("developer").await.unwrap();
    let place = wait_for(&client, &format!("{form} select[name=place]")).await;
    place.select_by_value("registry:a").await.unwrap();
    click(&client, Locator::Css(&format!("{form} button"))).await;
    wait_for_text(&client, "[role=status]", "Changed.").await;
    let rights = wait_for_text(
        &client,
        "table[aria-label='Effective rights'] tbody",
        "grant on registry:a",
    )
    .await;
    assert!(rights.contains("browse and search"), "{rights}");
    screenshot(&client, "user-rights").await;

    click(&client, Locator::XPath("//button[text()='Log out']")).await;
    wait_for(&client, "form[aria-label='Log in']").await;
    submit_login(&client, "tara", &password).await;
    wait_for(&client, "header.topbar").await;
    wait_for(&client, "article[aria-label='Registry a']").await;
    let registries = client
        .find_all(Locator::Css("article.registry"))
        .await
        .unwrap();
    assert_eq!(registries.len(), 1, "only the granted registry");
    open(&client, &app.url, "/r/b").await;
    wait_for_text(&client, "[role=alert]", "Registry `b` not found").await;
    assert_no_console_errors(&client).await;

    click(&client, Locator::XPath("//button[text()='Log out']")).await;
    log_in_as_admin(&client, &app.url).await;
    open(&client, &app.url, "/audit?target=tara").await;
    let log = wait_for_text(&client, "table[aria-label='Audit log'] tbody", "user.grant").await;
    assert!(
        log.contains("user.add") && log.contains("developer in registry:a"),
        "{log}"
    );
    browser.close().await;
}

/// Adds `name` with `role` on /admin/users as the logged-in admin; the one-time password shown.
async fn add_user(client: &fantoccini::Client, app: &AppFixture, name: &str, role: &str) -> String {
    open(client, &app.url, "/admin/users").await;
    wait_for(client, "form[aria-label='Add a user'] [name=username]")
        .await
        .send_keys(name)
        .await
        .unwrap();
    let select = wait_for(client, "form[aria-label='Add a user'] select[name=role]").await;
    select.select_by_value(role).await.unwrap();
    click(client, Locator::XPath("//button[text()='Add user']")).await;
    wait_for_text(client, "[role=status]", "User added.").await;
    let shown = wait_for(client, "[aria-label='One-time password'] code").await;
    shown.text().await.unwrap()
}
