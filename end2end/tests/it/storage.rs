//! The storage page in a real Chromium over a crawled registry (a snapshot follows every crawl):
//! its chart is SVG in the server-rendered HTML, the range switch shows another chart without a
//! reload, the CSV download holds the series, the dashboard's card has a sparkline, and a
//! crossed capacity threshold shows as a banner and in the alert list.

use end2end::app_fixture::{AppFixture, ADMIN_PASSWORD, ADMIN_USER};
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, reload_until, screenshot, wait_for,
};
use end2end::settings::Registry;
use end2end::{Browser, RegistryFixture, RegistryOptions, SettingsFile};
use fantoccini::Locator;

#[tokio::test]
async fn the_storage_page_draws_on_the_server_and_switches_range_in_place() {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default())
        .await
        .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("local", &registry).capacity_bytes(10_000))
        .demo_pipeline("local");
    let app = AppFixture::start_with(settings).await.unwrap();
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    let page = app.url.join("/storage").unwrap();
    reload_until(
        &client,
        page.as_str(),
        "section[aria-label='Storage of local'] dl.figures",
        "Stored",
    )
    .await;
    wait_for(&client, "body[data-hydrated=true]").await;
    screenshot(&client, "storage").await;
    let forecast = wait_for(&client, "section[aria-label='Storage of local'] dl.figures")
        .await
        .text()
        .await
        .unwrap();
    // The seeded images (9.4 kB) are past 80 % of the 10 kB capacity: the threshold is crossed.
    assert!(forecast.contains("of 10.0 kB (9"), "{forecast}");
    let banner = wait_for(&client, "[aria-label='Storage alerts'][role=alert]").await;
    let banner = banner.text().await.unwrap();
    assert!(
        banner.contains("local: ") && banner.contains("past the warning level of 8.0 kB"),
        "{banner}"
    );
    let listed = wait_for(&client, "table[aria-label='Storage alerts'] tbody").await;
    assert_eq!(
        listed
            .find_all(Locator::Css("tr.crossed"))
            .await
            .unwrap()
            .len(),
        1
    );

    let chart = |range: &'static str| {
        let client = client.clone();
        async move {
            let css = format!(".charts .chart[data-range='{range}'] svg.storage-chart");
            client
                .find(Locator::Css(&css))
                .await
                .unwrap()
                .is_displayed()
                .await
                .unwrap()
        }
    };
    assert!(chart("30d").await, "the 30-day chart is shown first");
    assert!(!chart("7d").await);
    client
        .execute("window.regattaStayed = true;", vec![])
        .await
        .unwrap();
    click(&client, Locator::Css("label[for='range-local-7d']")).await;
    assert!(chart("7d").await, "the switch shows the week");
    assert!(!chart("30d").await);
    let stayed = client
        .execute("return window.regattaStayed === true;", vec![])
        .await
        .unwrap();
    assert_eq!(stayed, serde_json::json!(true), "no reload");
    assert_no_console_errors(&client).await;

    // The server's HTML, as a browser without the WASM gets it.
    let http = app.logged_in(ADMIN_USER, ADMIN_PASSWORD).await.unwrap();
    let html = http
        .get(page.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches(r#"<svg class="storage-chart""#).count(),
        4,
        "one per range"
    );
    assert!(
        html.contains("<circle class=\"point\""),
        "a point per snapshot"
    );
    // The seeded images were built on 2026-01-15: the year's chart estimates the past.
    assert!(
        html.contains(r#"<path class="estimated""#)
            && html.contains("estimated from image build dates"),
        "the estimated past, dashed and labelled"
    );
    // The seeded registry sends no notifications here: what is unused is unknown, not 0.
    assert!(
        html.contains("unknown: this registry sends no pull notifications"),
        "the unused figure"
    );
    assert!(
        html.contains(r#"aria-label="Biggest layers""#) && html.contains("layer%3Asha256"),
        "the biggest layers, each linked to the images built on it"
    );
    let csv = http
        .get(app.url.join("/storage.csv?by=namespace").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("registry,kind,scope,taken_at,stored_bytes")
    );
    assert!(
        csv.lines().any(|l| l.starts_with("local,registry,local,")),
        "{csv}"
    );
    assert!(
        csv.lines().any(|l| l.starts_with("local,namespace,dev,")),
        "{csv}"
    );
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let refused = anonymous
        .get(app.url.join("/storage.csv").unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        refused.status().is_redirection(),
        "to the login: {}",
        refused.status()
    );

    open(&client, &app.url, "/").await;
    let banner = wait_for(&client, "main [aria-label='Storage alerts']").await;
    assert!(
        banner
            .text()
            .await
            .unwrap()
            .contains("past the warning level"),
        "dashboard banner"
    );
    let spark = wait_for(&client, "article[aria-label='Registry local'] a.sparkline").await;
    assert!(
        spark.text().await.unwrap().contains("stored "),
        "the card's sparkline"
    );
    assert_eq!(
        spark.attr("href").await.unwrap().as_deref(),
        Some("/storage?range=7d")
    );

    open(&client, &app.url, "/storage?range=bogus").await;
    let error = wait_for(&client, "[role=alert]")
        .await
        .text()
        .await
        .unwrap();
    assert!(error.contains("Unknown range `bogus`"), "{error}");
    browser.close().await;
}
