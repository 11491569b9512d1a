//! For benches of server-rendered pages: a client logged in as the fixture's admin, and the
//! times of repeated GETs of one page.

use crate::app_fixture::{AppFixture, ADMIN_PASSWORD, ADMIN_USER};
use std::time::{Duration, Instant};

/// A cookie-keeping client with the admin's session.
pub async fn logged_in_client(app: &AppFixture) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    client
        .post(app.url.join("/api/login")?)
        .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
        .send()
        .await?;
    Ok(client)
}

/// `runs` GETs of `url`, each checked for success and for `must_contain`: the sorted times and
/// the page's size in bytes.
pub async fn time_gets(
    client: &reqwest::Client,
    url: &reqwest::Url,
    runs: usize,
    must_contain: &str,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let response = client.get(url.clone()).send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        let body = response.text().await?;
        times.push(started.elapsed());
        anyhow::ensure!(body.contains(must_contain), "{url}: no `{must_contain}`");
        bytes = body.len();
    }
    times.sort();
    Ok((times, bytes))
}
