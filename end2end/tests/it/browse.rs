//! Browsing in a real Chromium: dashboard → registry → namespace → repository → tags, with the
//! index filled by a real crawl; a stopped registry shows its problem while the other browses.

use end2end::app_fixture::AppFixture;
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, reload_until, screenshot, wait_for,
    wait_for_count,
};
use end2end::settings::Registry;
use end2end::{Browser, RegistryFixture, RegistryOptions, SettingsFile};
use fantoccini::Locator;

#[tokio::test]
async fn browse_from_the_dashboard_to_a_repositorys_tags() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("local", &registry))
        .registry(Registry::unreachable("offline"));
    let app = AppFixture::start_with(settings).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    wait_for(&client, "article[aria-label='Registry local']").await;

    let dashboard = app.url.as_str().to_string();
    reload_until(
        &client,
        &dashboard,
        "article[aria-label='Registry local'] .index-status",
        "11 tags",
    )
    .await;
    reload_until(
        &client,
        &dashboard,
        "article[aria-label='Registry offline']",
        "failed",
    )
    .await;
    screenshot(&client, "dashboard").await;
    let problem = wait_for(&client, "[aria-label='Registry offline problem']")
        .await
        .text()
        .await
        .unwrap();
    assert!(problem.contains("unreachable"), "{problem}");

    // Every page hydrates when loaded directly (server-rendered first).
    for path in [
        "/r/local",
        "/r/local/dev/shop-api",
        "/i/local/dev/shop-api:1.2.0",
    ] {
        open(&client, &app.url, path).await;
        wait_for(&client, "body[data-hydrated=true]").await;
    }

    // From here on, navigation by clicking links (plain page loads: pages are server-rendered).
    client.goto(&dashboard).await.unwrap();
    wait_for(&client, "body[data-hydrated=true]").await;
    click(
        &client,
        Locator::Css("article[aria-label='Registry local'] h3 a"),
    )
    .await;
    let dev = wait_for(&client, "section[aria-label='Namespace dev/']").await;
    assert!(dev.text().await.unwrap().contains("dev/toolbox"));
    dev.find(Locator::LinkText("dev/shop-api"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let table = wait_for(&client, "table[aria-label=Tags] tbody").await;
    wait_for(&client, "body[data-hydrated=true]").await;
    screenshot(&client, "repository").await;
    let text = table.text().await.unwrap();
    assert!(text.contains("latest") && text.contains("1.2.0"), "{text}");
    let latest_row = client
        .find(Locator::XPath("//tr[td/a[text()='latest']]"))
        .await
        .unwrap();
    assert!(
        latest_row.text().await.unwrap().contains("1.2.0"),
        "same digest as 1.2.0"
    );
    assert!(latest_row.text().await.unwrap().contains("linux/amd64"));

    wait_for(&client, "input[aria-label='Filter tags']")
        .await
        .send_keys("1.1")
        .await
        .unwrap();
    // Filtered by the index as you type (over every tag, not one page); the address follows.
    let rows = wait_for_count(&client, "table[aria-label=Tags] tbody tr", 1).await;
    assert!(rows[0].text().await.unwrap().contains("1.1.0"));
    assert_eq!(
        client.current_url().await.unwrap().query(),
        Some("filter=1.1")
    );
    let command = rows[0]
        .find(Locator::Css("button.copy"))
        .await
        .unwrap()
        .attr("title")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        command,
        format!("docker pull {}/dev/shop-api:1.1.0", registry.host())
    );

    open(&client, &app.url, "/r/local/dev/toolbox").await;
    let toolbox = wait_for(&client, "table[aria-label=Tags] tbody")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        toolbox.contains("linux/amd64, linux/arm64"),
        "a multi-arch tag shows both platforms: {toolbox}"
    );

    // The tag page: layers with the step that made them and who shares them, live from the registry.
    open(&client, &app.url, "/r/local/dev/shop-api").await;
    wait_for(&client, "body[data-hydrated=true]").await;
    click(&client, Locator::LinkText("1.2.0")).await;
    let layers = wait_for(&client, "table[aria-label=Layers] tbody")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        layers.contains("ADD rootfs.tar /") && layers.contains("COPY shop-api /bin/app"),
        "{layers}"
    );
    assert!(
        layers.contains("dev/billing-worker"),
        "the base layer is shared: {layers}"
    );
    screenshot(&client, "image").await;
    let config = wait_for(&client, "dl[aria-label=Config]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        config.contains("linux/amd64") && config.contains("org.opencontainers.image.version=1.2.0"),
        "{config}"
    );

    open(&client, &app.url, "/i/local/dev/toolbox:2.0").await;
    let platforms = wait_for(&client, "table[aria-label=Platforms] tbody")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        platforms.contains("linux/amd64") && platforms.contains("linux/arm64"),
        "{platforms}"
    );

    assert_no_console_errors(&client).await;

    if std::env::var_os("REGATTA_SCREENSHOTS").is_some() {
        // A phone-sized window, for checking the narrow layout by eye.
        client.set_window_size(390, 844).await.unwrap();
        open(&client, &app.url, "/r/local/dev/shop-api").await;
        wait_for(&client, "table[aria-label=Tags] tbody").await;
        screenshot(&client, "repository-phone").await;
        client.goto(app.url.as_str()).await.unwrap();
        wait_for(&client, "article[aria-label='Registry local']").await;
        screenshot(&client, "dashboard-phone").await;
    }

    browser.close().await;
}
