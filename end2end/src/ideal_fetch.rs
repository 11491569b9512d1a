//! The "ideal parallel fetcher" the benchmarks compare against: curl fetching a list of URLs
//! with no parsing or verification.

use std::process::Command;
use std::time::{Duration, Instant};

/// Enough for distribution to serve OCI manifests and indexes (it answers 404 without it).
const ACCEPT: &str =
    "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

/// One `curl --parallel --parallel-max <concurrency>` process over `urls`.
pub fn curl_parallel(urls: &[String], concurrency: usize) -> anyhow::Result<Duration> {
    let config = url_list(urls, |u| format!("url = \"{u}\"\noutput = \"/dev/null\""))?;
    timed(
        Command::new("curl")
            .args(["-s", "--no-progress-meter", "--parallel", "--parallel-max"])
            .arg(concurrency.to_string())
            .args(["-H", ACCEPT, "-K"])
            .arg(config.path()),
    )
}

/// `xargs -P<concurrency> curl`: one curl process per URL, as the issues phrase the peer.
pub fn xargs_curl(urls: &[String], concurrency: usize) -> anyhow::Result<Duration> {
    let list = url_list(urls, str::to_string)?;
    let script = format!(
        "xargs -P{concurrency} -n1 curl -s -o /dev/null -H '{ACCEPT}' < {}",
        list.path().display()
    );
    timed(Command::new("sh").arg("-c").arg(script))
}

/// The best of three runs of `fetch`.
pub fn best_of_three(
    mut fetch: impl FnMut() -> anyhow::Result<Duration>,
) -> anyhow::Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        best = best.min(fetch()?);
    }
    Ok(best)
}

fn url_list(
    urls: &[String],
    line: impl Fn(&str) -> String,
) -> anyhow::Result<tempfile::NamedTempFile> {
    let file = tempfile::NamedTempFile::new()?;
    let lines: Vec<String> = urls.iter().map(|u| line(u)).collect();
    std::fs::write(file.path(), lines.join("\n"))?;
    Ok(file)
}

fn timed(command: &mut Command) -> anyhow::Result<Duration> {
    let started = Instant::now();
    anyhow::ensure!(command.status()?.success(), "the fetcher failed");
    Ok(started.elapsed())
}
