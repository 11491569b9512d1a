//! Headless Chromium (Debian's `chromium` + `chromedriver`; no browser downloads here), driven
//! over WebDriver with fantoccini. Dropping the fixture kills the driver and its browser.

use crate::{ports::free_port, wait};
use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

/// Flags that keep Chromium from hanging on this closed network (see shared/TOOLCHAIN.md).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: TempDir,
}

impl Browser {
    pub async fn start() -> anyhow::Result<Self> {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver (run scripts/bootstrap.sh)")?;
        let profile = tempfile::tempdir()?;
        let webdriver = format!("http://127.0.0.1:{port}");
        let status = format!("{webdriver}/status");
        if !wait::until(Duration::from_secs(10), || {
            let status = status.clone();
            async move { reqwest::get(status).await.is_ok() }
        })
        .await
        {
            bail!("chromedriver did not answer on {webdriver}");
        }
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({"binary": "/usr/bin/chromium", "args": args}),
        );
        // Keep the page's console, so a failed wait can show WASM panics and hydration errors.
        capabilities.insert(
            "goog:loggingPrefs".into(),
            serde_json::json!({"browser": "ALL"}),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .context("opening a Chromium session")?;
        Ok(Self {
            client,
            driver,
            profile,
        })
    }

    /// Ends the WebDriver session (closing Chromium) before the driver is killed.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A panicking test never reaches close(): kill its Chromium by its unique profile dir.
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(self.profile.path().as_os_str())
            .status();
    }
}

/// Waits up to 20 s for an element matching `css`; on timeout the panic shows the page's URL
/// and the start of its HTML, which usually says why.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    let found = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(fantoccini::Locator::Css(css))
        .await;
    match found {
        Ok(element) => element,
        Err(error) => {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let html = client.source().await.unwrap_or_default();
            let start: String = html.chars().take(3000).collect();
            let console = browser_console(client).await;
            panic!("waiting for `{css}` on {url}: {error}\nconsole:\n{console}\nHTML:\n{start}");
        }
    }
}

/// Reloads the dashboard until `registry`'s card says `expected` (e.g. "11 tags"): the crawl
/// runs in the background after start.
pub async fn wait_until_indexed(
    client: &Client,
    base: &reqwest::Url,
    registry: &str,
    expected: &str,
) {
    let css = format!("article[aria-label='Registry {registry}'] .index-status");
    reload_until(client, base.as_str(), &css, expected).await;
}

/// Clicks the element `locator` finds (which must be there already).
pub async fn click(client: &Client, locator: fantoccini::Locator<'_>) {
    client
        .find(locator)
        .await
        .expect("the element to click")
        .click()
        .await
        .expect("clicking");
}

/// Opens `path` of the app at `base`.
pub async fn open(client: &Client, base: &reqwest::Url, path: &str) {
    let url = base.join(path).expect("a path of the app");
    client.goto(url.as_str()).await.expect("opening a page");
}

/// Logs in as the fixture's admin and waits for the dashboard.
pub async fn log_in_as_admin(client: &Client, app_url: &reqwest::Url) {
    let login = app_url.join("/login").expect("a login URL");
    client.goto(login.as_str()).await.expect("opening /login");
    submit_login(
        client,
        crate::app_fixture::ADMIN_USER,
        crate::app_fixture::ADMIN_PASSWORD,
    )
    .await;
    wait_for(client, "header.topbar").await;
}

/// Fills and submits the login form of the page the browser is on.
pub async fn submit_login(client: &Client, user: &str, password: &str) {
    for (css, value) in [
        ("input[name=username]", user),
        ("input[name=password]", password),
    ] {
        let field = wait_for(client, css).await;
        field.clear().await.expect("clearing a field");
        field.send_keys(value).await.expect("typing");
    }
    let submit = fantoccini::Locator::Css("form[aria-label='Log in'] button");
    client
        .find(submit)
        .await
        .expect("the login button")
        .click()
        .await
        .expect("clicking");
}

/// Saves a PNG of the page as `<REGATTA_SCREENSHOTS>/<name>.png` when that variable is set
/// (for people checking the UI by eye; tests never depend on it).
pub async fn screenshot(client: &Client, name: &str) {
    let Some(dir) = std::env::var_os("REGATTA_SCREENSHOTS") else {
        return;
    };
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png);
    }
}

/// chromedriver's (non-W3C) browser log endpoint: what the page wrote to its console.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

async fn browser_console(client: &Client) -> String {
    match client.issue_cmd(BrowserLog).await {
        Ok(serde_json::Value::Array(entries)) => entries
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["level"].as_str().unwrap_or(""),
                    e["message"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Ok(other) => other.to_string(),
        Err(error) => format!("(console unavailable: {error})"),
    }
}

/// WASM panics and hydration errors land in the console: fails if there is any error (other
/// than a failed resource load, which the tests provoke on purpose with stopped registries).
pub async fn assert_no_console_errors(client: &Client) {
    let console = browser_console(client).await;
    let errors: Vec<&str> = console
        .lines()
        .filter(|l| l.starts_with("SEVERE") && !l.contains("Failed to load resource"))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// Reloads `url` until `css` has text containing `expected` (the crawl runs in the background).
pub async fn reload_until(client: &Client, url: &str, css: &str, expected: &str) {
    let started = std::time::Instant::now();
    loop {
        client.goto(url).await.unwrap();
        let text = wait_for(client, css).await.text().await.unwrap_or_default();
        if text.contains(expected) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "`{css}` never showed `{expected}`: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits up to 20 s for `css` to have text containing `expected` (a page still updating, or a
/// client-side navigation not finished yet); returns the text.
pub async fn wait_for_text(client: &Client, css: &str, expected: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let text = wait_for(client, css).await.text().await.unwrap_or_default();
        if text.contains(expected) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "`{css}` never showed `{expected}`: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until exactly `count` elements match `css` (a list that updates as the user types),
/// and returns them.
pub async fn wait_for_count(
    client: &Client,
    css: &str,
    count: usize,
) -> Vec<fantoccini::elements::Element> {
    let started = std::time::Instant::now();
    loop {
        let found = client
            .find_all(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_default();
        if found.len() == count {
            return found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "`{css}`: {} elements, not {count}",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Everything the page wrote to its console so far (for tests that want to show it).
pub async fn console_messages(client: &Client) -> String {
    browser_console(client).await
}
