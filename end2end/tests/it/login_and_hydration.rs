//! In a real headless Chromium: the login page renders on the server, hydrates, refuses a wrong
//! password in place, lets the admin in, and the dashboard reacts without a page load.

use end2end::app_fixture::{AppFixture, ADMIN_PASSWORD, ADMIN_USER};
use end2end::browser::{submit_login, wait_for};
use end2end::settings::{Environment, Registry};
use end2end::{audit, Browser, RegistryFixture, RegistryOptions, SettingsFile};
use fantoccini::Locator;

#[tokio::test]
async fn log_in_in_a_browser_and_use_the_hydrated_dashboard() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("local", &registry))
        .registry(Registry::unreachable("offline"))
        .environment(Environment::new("dev", "local").prefix("dev/"))
        .environment(
            Environment::new("prod", "local")
                .prefix("prod/")
                .protected(),
        );
    let app = AppFixture::start_with(settings).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();

    client.goto(app.url.as_str()).await.unwrap();
    assert!(client
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/login"));
    wait_for(&client, "body[data-hydrated=true]").await;

    submit_login(&client, ADMIN_USER, "wrong-password").await;
    let alert = wait_for(&client, "form [role=alert]").await;
    assert_eq!(alert.text().await.unwrap(), "Wrong username or password.");
    assert_eq!(client.current_url().await.unwrap().path(), "/login");
    let rows = audit::rows(&app.database).await;
    assert!(rows.iter().any(|r| r.action == "login.failure"), "{rows:?}");

    submit_login(&client, ADMIN_USER, ADMIN_PASSWORD).await;
    let card = wait_for(&client, "article[aria-label='Registry local']").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/");
    let pipeline = wait_for(&client, "ol[aria-label='Promotion pipeline']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        pipeline.contains("dev") && pipeline.contains("protected"),
        "{pipeline}"
    );

    // A marker on `window` survives only if the page is never reloaded.
    client
        .execute("window.regattaNoReload = 42; return null;", vec![])
        .await
        .unwrap();
    card.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = wait_for(
        &client,
        "article[aria-label='Registry local'] [role=status]",
    )
    .await;
    assert!(status
        .text()
        .await
        .unwrap()
        .starts_with("Reachable, access granted"));
    let offline = wait_for(&client, "article[aria-label='Registry offline'] button").await;
    offline.click().await.unwrap();
    let down = wait_for(
        &client,
        "article[aria-label='Registry offline'] .health.down",
    )
    .await;
    assert!(down.text().await.unwrap().contains("Not reachable"));
    let marker = client
        .execute("return window.regattaNoReload;", vec![])
        .await
        .unwrap();
    assert_eq!(
        marker,
        serde_json::json!(42),
        "the page reloaded: it was not hydrated"
    );

    browser.close().await;
    drop(app);
}
