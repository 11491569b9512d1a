//! Retention in a real Chromium against a real registry: a maintainer writes a policy in the
//! /retention form, previews it (the candidates, what each rule kept), runs exactly that, and
//! finds the deleted tags in the trash.

use end2end::app_fixture::seeded_app_with_pipeline;
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, screenshot, wait_for, wait_for_text,
    wait_until_indexed,
};
use end2end::Browser;
use fantoccini::Locator;

#[tokio::test]
async fn write_a_policy_preview_it_and_run_exactly_that() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    wait_until_indexed(&client, &app.url, "local", "11 tags").await;

    open(&client, &app.url, "/retention").await;
    for (field, value) in [
        ("name", "shop-api-old"),
        ("registry", "local"),
        ("environment", "dev"),
        ("repositories", "dev/shop-api"),
        ("tags", "1.2.*\nlatest"),
    ] {
        let css = format!("form[aria-label=Policy] [name={field}]");
        wait_for(&client, &css)
            .await
            .send_keys(value)
            .await
            .unwrap();
    }
    click(&client, Locator::XPath("//button[text()='Save policy']")).await;
    wait_for_text(&client, "[role=status]", "Policy `shop-api-old` saved.").await;
    let policies = wait_for_text(
        &client,
        "table[aria-label='Retention policies']",
        "shop-api-old",
    )
    .await;
    assert!(policies.contains("tags 1.2.*, latest"), "{policies}");

    click(
        &client,
        Locator::Css("form[aria-label='Preview shop-api-old'] button"),
    )
    .await;
    let candidates = wait_for_text(&client, "table[aria-label=Candidates] tbody", "1.0.0").await;
    assert!(
        candidates.contains("dev/shop-api:1.1.0") && !candidates.contains("1.2.0"),
        "{candidates}"
    );
    wait_for_text(
        &client,
        "ul[aria-label=Kept]",
        "2 kept: tag matches a kept pattern",
    )
    .await;
    screenshot(&client, "retention-preview").await;
    click(
        &client,
        Locator::XPath("//button[text()='Run: delete these 2 tags']"),
    )
    .await;
    wait_for_text(
        &client,
        "[role=status]",
        "done: 2 deleted, 0 skipped, 0 failed",
    )
    .await;

    open(&client, &app.url, "/trash").await;
    let trash = wait_for_text(
        &client,
        "table[aria-label=Trash] tbody",
        "dev/shop-api:1.0.0",
    )
    .await;
    assert!(trash.contains("dev/shop-api:1.1.0"), "{trash}");
    open(&client, &app.url, "/retention").await;
    let runs = wait_for_text(
        &client,
        "table[aria-label='Retention runs']",
        "shop-api-old",
    )
    .await;
    assert!(runs.contains("done"), "{runs}");
    assert_no_console_errors(&client).await;
    browser.close().await;
}
