//! Search in a real Chromium over an index crawled from a real registry: `/` focuses the box,
//! typing shows suggestions, arrow + Enter lands on the tag; the results page has a shareable
//! URL, filter chips, layer lookup from the tag page, and clear messages for bad queries.

use end2end::app_fixture::AppFixture;
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, screenshot, wait_for, wait_for_count,
    wait_for_text, wait_until_indexed,
};
use end2end::settings::{Environment, Registry};
use end2end::{Browser, RegistryFixture, RegistryOptions, SettingsFile};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

async fn press(client: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await.unwrap();
}

async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css).await.text().await.unwrap()
}

#[tokio::test]
async fn type_in_the_box_pick_a_result_and_land_on_the_tag() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("local", &registry))
        .environment(Environment::new("dev", "local").prefix("dev/"));
    let app = AppFixture::start_with(settings).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    wait_for(&client, "article[aria-label='Registry local']").await;
    wait_until_indexed(&client, &app.url, "local", "11 tags").await;
    wait_for(&client, "body[data-hydrated=true]").await;

    // `/` focuses the box; typing lists suggestions; ArrowDown + Enter opens the first.
    press(&client, '/').await;
    let focused = client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("aria-label").await.unwrap().as_deref(),
        Some("Search repositories, tags and digests")
    );
    focused.send_keys("shop 1.1").await.unwrap();
    // Suggestions follow each keystroke; the last ones are dev and staging shop-api:1.1.0.
    wait_for_text(&client, "ul.suggestions", "staging/shop-api:1.1.0").await;
    wait_for_count(&client, "ul.suggestions li[role=option]", 2).await;
    screenshot(&client, "search-suggestions").await;
    focused
        .send_keys(&format!(
            "{}{}",
            char::from(Key::Down),
            char::from(Key::Enter)
        ))
        .await
        .unwrap();
    wait_for(&client, "table[aria-label=Layers] tbody").await;
    let url = client.current_url().await.unwrap();
    assert!(
        url.path().ends_with("/i/local/dev/shop-api:1.1.0"),
        "landed on {url}"
    );

    // The tag page's layer digest links to the images built on that layer.
    click(
        &client,
        Locator::Css("table[aria-label=Layers] tbody tr:first-child a"),
    )
    .await;
    // Every demo image is built on the base layer.
    wait_for_text(&client, ".result-count", "11 tags").await;

    // A shareable results page, with chips for what the query was understood as.
    let shared = app.url.join("/search?q=toolbox+arch%3Aarm64").unwrap();
    client.goto(shared.as_str()).await.unwrap();
    let hits = text_of(&client, "table[aria-label='Search results'] tbody").await;
    assert!(
        hits.contains("dev/toolbox:2.0") && hits.contains("staging/toolbox:2.0"),
        "{hits}"
    );
    let chips = text_of(&client, ".chips").await;
    assert!(
        chips.contains("platform arm64") && chips.contains("+ env:dev"),
        "{chips}"
    );
    screenshot(&client, "search-results").await;
    wait_for(&client, "body[data-hydrated=true]").await;
    click(&client, Locator::LinkText("+ env:dev")).await;
    // Only dev/toolbox is in env dev.
    wait_for_text(&client, ".result-count", "1 tag").await;
    assert!(client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("env%3Adev"));

    // Typos are forgiven; bad filters get a clear message, FTS syntax is just text.
    open(&client, &app.url, "/search?q=toolbxo").await;
    wait_for_text(&client, ".notice", "showing toolbox").await;
    open(&client, &app.url, "/search?q=Colour%3Ared").await;
    wait_for_text(&client, "[role=alert]", "Unknown filter `colour:`").await;
    open(&client, &app.url, "/search?q=NEAR(%22%27").await;
    wait_for_text(&client, "main", "No tags match").await;

    assert_no_console_errors(&client).await;
    browser.close().await;
}
