//! Promotion in a real Chromium and over HTTP, against a real registry: a dev tag is promoted
//! to staging from its page (preview, then promote) and shows up in staging and the history;
//! a developer asking the server directly to promote into protected prod gets a 403.

use end2end::app_fixture::seeded_app_with_pipeline;
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, screenshot, wait_for, wait_for_text,
    wait_until_indexed,
};
use end2end::Browser;
use fantoccini::Locator;

#[tokio::test]
async fn promote_a_dev_tag_to_staging_from_its_page() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    wait_until_indexed(&client, &app.url, "local", "11 tags").await;

    open(&client, &app.url, "/i/local/dev/shop-api:1.2.0").await;
    let strip = wait_for_text(&client, "[aria-label='Where this digest is']", "dev").await;
    assert!(
        strip.contains("✓ dev") && strip.contains("– staging"),
        "{strip}"
    );
    wait_for(&client, "body[data-hydrated=true]").await;
    click(&client, Locator::XPath("//button[text()='Preview']")).await;
    let preview = wait_for_text(
        &client,
        "[aria-label='Promotion preview']",
        "staging/shop-api:1.2.0",
    )
    .await;
    assert!(preview.contains("0 B (blobs are mounted)"), "{preview}");
    screenshot(&client, "promotion-preview").await;
    click(&client, Locator::XPath("//button[text()='Promote']")).await;
    let done = wait_for_text(&client, "[role=status]", "Promoted to").await;
    assert!(done.contains("local/staging/shop-api:1.2.0"), "{done}");

    open(&client, &app.url, "/r/local/staging/shop-api").await;
    wait_for_text(&client, "table[aria-label=Tags] tbody", "1.2.0").await;
    open(&client, &app.url, "/promotions").await;
    let history = wait_for_text(
        &client,
        "table[aria-label='Promotion history'] tbody",
        "succeeded",
    )
    .await;
    assert!(
        history.contains("dev/shop-api:1.2.0")
            && history.contains("staging/shop-api:1.2.0")
            && history.contains("admin"),
        "{history}"
    );
    screenshot(&client, "promotion-history").await;
    assert_no_console_errors(&client).await;
    browser.close().await;
}

#[tokio::test]
async fn a_developer_cannot_promote_into_prod_even_by_calling_the_server() {
    let (registry, app) = seeded_app_with_pipeline().await;
    app.add_user("dana", "developer", "developer-pass").unwrap();
    let http = app.logged_in("dana", "developer-pass").await.unwrap();
    let response = http
        .post(app.url.join("/api/promote").unwrap())
        .form(&[
            ("registry", "local"),
            ("repository", "staging/shop-api"),
            ("tag", "1.1.0"),
            ("to_environment", "prod"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert!(body.contains("it needs maintainer"), "{body}");
    let prod = registry
        .http_client()
        .unwrap()
        .head(
            registry
                .url
                .join("v2/prod/shop-api/manifests/1.1.0")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(prod.status(), 404, "nothing was written");

    // Into staging, the next stage, the same developer may.
    let allowed = http
        .post(app.url.join("/api/promote").unwrap())
        .form(&[
            ("registry", "local"),
            ("repository", "dev/shop-api"),
            ("tag", "1.2.0"),
            ("to_environment", "staging"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200, "{}", allowed.text().await.unwrap());
}
