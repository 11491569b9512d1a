//! Single sign-on in a real Chromium against a real OpenID provider: the login page offers
//! the provider (and no password form when password login is off); signing in there brings
//! the person back to the page they asked for, logged in with the role their group maps to.

use end2end::browser::{
    assert_no_console_errors, click, open, screenshot, wait_for, wait_for_text,
};
use end2end::settings::OidcMap;
use end2end::{Browser, SettingsFile};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn a_person_logs_in_at_the_provider_and_comes_back_with_the_mapped_role() {
    let accounts = json!({"maya": {"password": "maya-at-idp", "groups": ["release-managers"]}});
    let mappings = vec![OidcMap {
        group: "release-managers".into(),
        role: "maintainer".into(),
        place: None,
    }];
    let (_provider, app) =
        end2end::oidc_provider::app_with_provider(SettingsFile::new(), accounts, false, mappings)
            .await
            .unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();

    open(&client, &app.url, "/audit").await;
    wait_for_text(&client, "main.login", "Log in with single sign-on").await;
    assert!(
        client
            .find(Locator::Css("input[name=password]"))
            .await
            .is_err(),
        "password login is off"
    );
    screenshot(&client, "login-sso").await;
    click(&client, Locator::LinkText("Log in with single sign-on")).await;
    wait_for(&client, "form[aria-label='IdP login'] input[name=login]")
        .await
        .send_keys("maya")
        .await
        .unwrap();
    wait_for(&client, "form[aria-label='IdP login'] input[name=password]")
        .await
        .send_keys("maya-at-idp")
        .await
        .unwrap();
    click(&client, Locator::Css("form[aria-label='IdP login'] button")).await;
    let header = wait_for_text(&client, "header.topbar", "maya").await;
    assert!(header.contains("maintainer"), "{header}");
    wait_for(&client, "table[aria-label='Audit log']").await;
    assert!(
        client.current_url().await.unwrap().path() == "/audit",
        "back where they asked to go"
    );
    assert_no_console_errors(&client).await;
    browser.close().await;
}
