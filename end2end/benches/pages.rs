//! Page weight and speed (issue #18): what a first visit downloads (raw, gzip, brotli, and what
//! the server actually sends), and pages/s with p50/p99 under 64 concurrent clients (`ab`) for
//! the dashboard, a registry, a 1,000-tag repository, an image and a search; time to hydrated
//! of the repository page in headless Chromium (first visit, then with the assets cached).
//!
//! Needs the release site and binary: `cargo leptos build --release --precompress` first (the
//! README has the line; `REGATTA_SITE_ROOT` must then be an absolute path).
//! Not part of `make test`: its figures are reported in issue notes, never asserted.
//! `REGATTA_BENCH_HOLD=1` keeps the seeded app up after start (its address and a session
//! cookie are printed) for profiling one page by hand.

use end2end::app_fixture::{AppFixture, AppOptions, ADMIN_PASSWORD, ADMIN_USER};
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use reqwest::header;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

const REQUESTS: &str = "3000";
const CLIENTS: &str = "64";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let registry = RegistryFixture::start_seeded(RegistryOptions::default()).await?;
    end2end::seed::seed_big_repository(&registry.pusher()?, "big/app", 1000).await?;
    let settings = SettingsFile::new()
        .crawl_interval_minutes(0)
        .registry(Registry::fixture("local", &registry))
        .demo_pipeline("local");
    let options = AppOptions {
        settings,
        ..Default::default()
    };
    let app = AppFixture::start(&end2end::app_fixture::regatta_binary(), options).await?;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let login = plain
        .post(app.url.join("/api/login")?)
        .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
        .send()
        .await?;
    let cookie = login
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?
        .to_string();
    let get = |path: &str, encoding: &'static str| {
        let url = app.url.join(path).unwrap();
        let request = plain
            .get(url)
            .header(header::COOKIE, &cookie)
            .header(header::ACCEPT_ENCODING, encoding);
        async move {
            let response = request.send().await.unwrap();
            let sent = response
                .headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_else(|| "identity".into());
            (response.bytes().await.unwrap().len(), sent)
        }
    };
    let ready = Instant::now();
    // The app crawls at start; the page counts all 1,000 tags when it is done (it lists 100).
    while !plain
        .get(app.url.join("/r/local/big/app")?)
        .header(header::COOKIE, &cookie)
        .send()
        .await?
        .text()
        .await?
        .contains("1000 tags")
    {
        anyhow::ensure!(ready.elapsed() < Duration::from_secs(120), "not indexed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    if std::env::var_os("REGATTA_BENCH_HOLD").is_some() {
        // For profiling by hand (perf, ab on one page): the seeded app stays up until killed.
        println!("holding: {} with cookie {cookie}", app.url);
        std::future::pending::<()>().await;
    }
    println!("## weight (bytes sent for each Accept-Encoding)");
    println!(
        "{:<22} {:>10} {:>10} {:>10}",
        "asset", "identity", "gzip", "br"
    );
    let mut first_visit = 0;
    let login = plain
        .get(app.url.join("/login")?)
        .send()
        .await?
        .text()
        .await?;
    let mut paths = vec!["/login".to_string()];
    paths.extend(end2end::app_fixture::linked_assets(&login));
    for path in &paths {
        let path = path.as_str();
        let (raw, _) = get(path, "identity").await;
        let (gzip, gzip_as) = get(path, "gzip").await;
        let (br, br_as) = get(path, "gzip, deflate, br").await;
        println!("{path:<44} {raw:>10} {gzip:>10} {br:>10}   (sent as {gzip_as}, {br_as})");
        first_visit += br;
    }
    println!("first visit on the wire (br): {first_visit} bytes");

    println!("\n## pages/s, {REQUESTS} requests, {CLIENTS} clients (ab)");
    let pages = [
        ("dashboard", "/", "identity"),
        ("registry", "/r/local", "identity"),
        ("repository, 1,000 tags", "/r/local/big/app", "identity"),
        ("repository, gzip", "/r/local/big/app", "gzip"),
        ("small repository", "/r/local/dev/shop-api", "identity"),
        ("image", "/i/local/dev/shop-api:1.2.0", "identity"),
        ("search", "/search?q=shop", "identity"),
    ];
    for (name, path, encoding) in pages {
        let url = app.url.join(path)?;
        let output = Command::new("ab")
            // No keep-alive: ab speaks HTTP/1.0, and a streamed page without a length ends
            // by closing; `-k` then waits for the 30 s timeout.
            .args(["-q", "-n", REQUESTS, "-c", CLIENTS])
            .args(["-C", &cookie])
            .args(["-H", &format!("Accept-Encoding: {encoding}")])
            .arg(url.as_str())
            .output()?;
        let report = String::from_utf8_lossy(&output.stdout);
        if !report.contains("Requests per second") {
            let error = String::from_utf8_lossy(&output.stderr);
            println!("{name:<24} ab failed: {}", error.trim());
            continue;
        }
        // "Requests per second:    2442.10 [#/sec] (mean)", "  50%     26".
        let field = |prefix: &str| {
            let value = if prefix.starts_with("Requests") { 3 } else { 1 };
            report
                .lines()
                .find(|l| l.trim_start().starts_with(prefix))
                .and_then(|l| l.split_whitespace().nth(value))
                .unwrap_or("?")
                .to_string()
        };
        let failed = field("Non-2xx");
        println!(
            "{name:<24} {:>9} pages/s   p50 {:>4} ms   p99 {:>4} ms{}",
            field("Requests per second"),
            field("50%"),
            field("99%"),
            if failed == "?" {
                String::new()
            } else {
                format!("   non-2xx {failed}")
            }
        );
        std::io::stdout().flush()?;
    }
    time_to_hydrated(&app.url).await
}

/// From navigation start to the `regatta-hydrated` performance mark (the last island's
/// effect), read in a real Chromium. A fresh browser profile has nothing cached, so the login
/// page is a true first visit (it fetches the WASM); the repository page then loads with the
/// assets cached, as every later page does.
async fn time_to_hydrated(base: &reqwest::Url) -> anyhow::Result<()> {
    use end2end::browser::{open, submit_login, wait_for};
    use fantoccini::Client;
    const LOADS: usize = 20;
    async fn hydrated_after(client: &Client, base: &reqwest::Url, path: &str) -> f64 {
        open(client, base, path).await;
        wait_for(client, "body[data-hydrated=true]").await;
        client
            .execute(
                "return performance.getEntriesByName('regatta-hydrated')[0].startTime;",
                vec![],
            )
            .await
            .ok()
            .and_then(|ms| ms.as_f64())
            .unwrap_or(f64::NAN)
    }
    println!("\n## time to hydrated, headless Chromium");
    let browser = end2end::Browser::start().await?;
    let client = browser.client.clone();
    let first = hydrated_after(&client, base, "/login").await;
    println!("first visit, /login (nothing cached)       {first:>5.0} ms");
    submit_login(&client, ADMIN_USER, ADMIN_PASSWORD).await;
    wait_for(&client, "header.topbar").await;
    let mut cached = Vec::new();
    for _ in 0..LOADS {
        cached.push(hydrated_after(&client, base, "/r/local/big/app").await);
    }
    cached.sort_by(f64::total_cmp);
    println!(
        "repository page, 1,000 tags, {LOADS} loads   p50 {:>5.0} ms   max {:>5.0} ms",
        cached[LOADS / 2],
        cached[LOADS - 1]
    );
    browser.close().await;
    Ok(())
}
