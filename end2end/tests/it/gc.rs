//! Garbage collection through the real server, against a real registry run under
//! `scripts/registry-service.sh` (the demo's driver restarts it read-only and back): an admin
//! sees the prediction in Chromium, runs a collection, watches its progress and finds it in the
//! history; a maintainer sees the prediction but no Run button and is refused over HTTP; a
//! server killed mid-run marks the run failed at its next start and makes the registry
//! writable again.

use end2end::app_fixture::{AppFixture, ADMIN_PASSWORD, ADMIN_USER};
use end2end::browser::{
    assert_no_console_errors, click, log_in_as_admin, open, screenshot, wait_for, wait_for_text,
    wait_until_indexed,
};
use end2end::settings::Registry;
use end2end::{Browser, RegistryFixture, RegistryOptions, SettingsFile};
use fantoccini::Locator;
use std::time::Duration;

/// The seeded demo registry, supervised, behind an app that collects it with `collect`
/// wrapped by `wrap` (`{}` is the real collect command).
async fn app_collecting(wrap: &str) -> (RegistryFixture, AppFixture) {
    let registry = RegistryFixture::start_seeded(RegistryOptions {
        supervised: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut gc = registry.gc_settings();
    gc.collect = Some(wrap.replace("{}", gc.collect.as_deref().unwrap()));
    let settings = SettingsFile::new()
        .registry(Registry::fixture("local", &registry).gc(gc))
        .demo_pipeline("local");
    let app = AppFixture::start_with(settings).await.unwrap();
    (registry, app)
}

/// 202 when the registry accepts an upload, 405 when it is read-only, 0 while it restarts.
async fn upload_status(registry: &RegistryFixture) -> u16 {
    let url = registry.url.join("v2/dev/probe/blobs/uploads/").unwrap();
    let response = reqwest::Client::new().post(url).send().await;
    response.map_or(0, |r| r.status().as_u16())
}

#[tokio::test]
async fn an_admin_previews_runs_and_sees_the_history_and_a_maintainer_cannot_run() {
    // The collect step takes a moment, so its progress shows.
    let (registry, app) = app_collecting("sleep 2 && {}").await;
    let browser = Browser::start().await.unwrap();
    let client = browser.client.clone();
    log_in_as_admin(&client, &app.url).await;
    wait_until_indexed(&client, &app.url, "local", "11 tags").await;
    // Only in dev (shop-api's images are in staging too: deleting one there frees nothing).
    open(&client, &app.url, "/delete/local/dev/billing-worker:0.1.0").await;
    click(&client, Locator::XPath("//button[text()='Delete 1 tag']")).await;
    wait_for_text(&client, "[role=status]", "Deleted.").await;

    open(&client, &app.url, "/gc").await;
    let prediction = wait_for_text(&client, "[aria-label=Prediction]", "A collection frees").await;
    let figures = regex::Regex::new(r"frees (.+?) in (\d+) blobs released")
        .unwrap()
        .captures(&prediction)
        .unwrap_or_else(|| panic!("{prediction}"));
    let (size, blobs) = (figures[1].to_string(), figures[2].to_string());
    assert_ne!(blobs, "0", "{prediction}");
    wait_for_text(
        &client,
        "table[aria-label='Freed per repository']",
        "dev/billing-worker",
    )
    .await;
    wait_for_text(
        &client,
        "[aria-label='Trash made unrestorable']",
        "dev/billing-worker:0.1.0",
    )
    .await;
    wait_for(
        &client,
        "form[aria-label='Schedule of local'] [name=schedule]",
    )
    .await
    .send_keys("sun 03:00")
    .await
    .unwrap();
    click(&client, Locator::XPath("//button[text()='Save schedule']")).await;
    wait_for_text(&client, "[role=status]", "Schedule saved.").await;
    wait_for_text(
        &client,
        "[aria-label=Schedule]",
        "Runs by itself: sun 03:00 UTC",
    )
    .await;
    screenshot(&client, "gc-prediction").await;
    let before = registry.stored_blob_bytes();
    wait_for(&client, "body[data-hydrated]").await; // the Run form's island shows progress
    click(
        &client,
        Locator::XPath("//button[text()='Run garbage collection']"),
    )
    .await;
    wait_for_text(
        &client,
        "[aria-label='Garbage collection progress']",
        "local: ",
    )
    .await;
    let status = wait_for_text(&client, "[role=status]", "done").await;
    assert!(!status.contains("failed"), "{status}");
    let facts = wait_for_text(&client, "dl[aria-label=Run]", "Deleted").await;
    assert!(
        facts.contains(&format!("{blobs} blobs, {size}")),
        "what was predicted: {facts}"
    );
    wait_for_text(&client, "pre[aria-label=Log]", "registry-mode.sh writable").await;
    screenshot(&client, "gc-run").await;
    assert!(registry.stored_blob_bytes() < before, "space was freed");

    open(&client, &app.url, "/gc").await;
    let history = wait_for_text(
        &client,
        "table[aria-label='Garbage collection runs'] tbody",
        "#1",
    )
    .await;
    assert!(
        history.contains("collect") && history.contains("done") && history.contains("admin"),
        "{history}"
    );
    assert_no_console_errors(&client).await;
    browser.close().await;

    app.add_user("mia", "maintainer", "maintainer-pass")
        .unwrap();
    let maintainer = app.logged_in("mia", "maintainer-pass").await.unwrap();
    let page = maintainer
        .get(app.url.join("/gc").unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("A collection frees"), "predictions are shown");
    assert!(!page.contains("Run garbage collection"), "no Run button");
    let refused = maintainer
        .post(app.url.join("/api/gc-run").unwrap())
        .form(&[("registry", "local")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
}

#[tokio::test]
async fn a_server_killed_mid_run_fails_the_run_at_restart_and_the_registry_is_writable() {
    let (registry, mut app) = app_collecting("sleep 20 && {}").await;
    let admin = app.logged_in(ADMIN_USER, ADMIN_PASSWORD).await.unwrap();
    let run = admin
        .post(app.url.join("/api/gc-run").unwrap())
        .form(&[("registry", "local")])
        .send();
    let running = tokio::spawn(run);
    let read_only = end2end::wait::until(Duration::from_secs(20), || async {
        upload_status(&registry).await == 405
    })
    .await;
    assert!(read_only, "the window opened");

    app.kill();
    assert!(running.await.unwrap().is_err(), "the request died with it");
    assert_eq!(upload_status(&registry).await, 405, "left read-only");
    app.restart().unwrap();
    assert_eq!(upload_status(&registry).await, 202, "writable again");

    let output = std::process::Command::new(end2end::app_fixture::regatta_binary())
        .args(["gc", "history", "local", "--json", "--config"])
        .arg(app.dir.path().join("regatta.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let run: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(run["status"], "failed", "{text}");
    let error = run["error"].as_str().unwrap();
    assert!(
        error.contains("the server stopped during the run")
            && error.contains("maintenance_off ran again"),
        "{error}"
    );
}
