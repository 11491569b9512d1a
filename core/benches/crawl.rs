//! Fetch every manifest and config of 200 repositories × 10 tags from a local distribution
//! registry, three ways, side by side (the "Performance" figures):
//!   1. Regatta's client, sequential (one request at a time, one connection);
//!   2. Regatta's client, bounded concurrency (`CONCURRENCY` requests in flight);
//!   3. the same URLs fetched by an "ideal" parallel fetcher: `xargs -P8 curl` and
//!      `curl --parallel --parallel-max 8` (one process), with no parsing or verification.
//!
//! Run: `cargo bench -p regatta-core --bench crawl` (seeding takes about ten seconds).

use end2end::ideal_fetch::{self, best_of_three};
use end2end::{RegistryFixture, RegistryOptions};
use futures_util::{stream, StreamExt, TryStreamExt};
use regatta_core::registry::ops::Manifest;
use regatta_core::registry::{Digest, Endpoint, Reference, RegistryClient, RepoName};
use std::time::{Duration, Instant};

const REPOS: usize = 200;
const TAGS: usize = 10;
const CONCURRENCY: usize = 8;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let registry = RegistryFixture::start(RegistryOptions::default()).await?;
    let seeding = Instant::now();
    end2end::seed::seed_many(&registry.pusher()?, REPOS, TAGS, CONCURRENCY).await?;
    println!(
        "seeded {REPOS} repos x {TAGS} tags in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let client = client(&registry);

    let cpu_before = cpu_seconds(registry.pid());
    let (sequential, requests) = timed_crawl(&client, 1).await?;
    let cpu_sequential = (cpu_seconds(registry.pid()) - cpu_before) / 3.0;
    let cpu_before = cpu_seconds(registry.pid());
    let (concurrent, _) = timed_crawl(&client, CONCURRENCY).await?;
    let cpu_concurrent = (cpu_seconds(registry.pid()) - cpu_before) / 3.0;
    let urls = manifest_and_config_urls(&client, &registry).await?;
    let xargs = best_of_three(|| ideal_fetch::xargs_curl(&urls, CONCURRENCY))?;
    let parallel = best_of_three(|| ideal_fetch::curl_parallel(&urls, CONCURRENCY))?;

    println!("requests per crawl: {requests} (catalog + tag lists + manifests + configs)");
    println!(
        "regatta sequential (1 in flight):      {:>6.2} s",
        sequential.as_secs_f64()
    );
    println!(
        "regatta concurrent ({CONCURRENCY} in flight):     {:>6.2} s",
        concurrent.as_secs_f64()
    );
    println!(
        "ideal: xargs -P{CONCURRENCY} curl ({} URLs):    {:>6.2} s",
        urls.len(),
        xargs.as_secs_f64()
    );
    println!(
        "ideal: curl --parallel-max {CONCURRENCY}:        {:>6.2} s",
        parallel.as_secs_f64()
    );
    println!(
        "speed-up over sequential: {:.2}x",
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
    println!(
        "vs xargs curl: {:.2}x, vs curl --parallel: {:.2}x",
        concurrent.as_secs_f64() / xargs.as_secs_f64(),
        concurrent.as_secs_f64() / parallel.as_secs_f64()
    );
    println!("peak RSS of this process: {} kB", peak_rss_kb());
    println!(
        "registry CPU per crawl: {cpu_sequential:.2} s sequential, {cpu_concurrent:.2} s concurrent ({} cores here)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    Ok(())
}

fn client(registry: &RegistryFixture) -> RegistryClient {
    RegistryClient::new(Endpoint::anonymous("bench", registry.url.clone())).expect("client")
}

/// catalog → tags → manifest → config, with at most `concurrency` requests in flight.
async fn crawl(client: &RegistryClient, concurrency: usize) -> anyhow::Result<usize> {
    let repos = client.list_repositories().await?;
    let tag_lists: Vec<(RepoName, Vec<_>)> = stream::iter(repos)
        .map(|repo| async move { client.list_tags(&repo).await.map(|tags| (repo, tags)) })
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    let requests = 1 + tag_lists.len();
    let pairs: Vec<(RepoName, Reference)> = tag_lists
        .into_iter()
        .flat_map(|(repo, tags)| {
            tags.into_iter()
                .map(move |tag| (repo.clone(), Reference::Tag(tag)))
        })
        .collect();
    let fetched = pairs.len();
    stream::iter(pairs)
        .map(|(repo, reference)| async move {
            let manifest = client.get_manifest(&repo, &reference).await?;
            if let Manifest::Image(image) = manifest.manifest {
                let config = Digest::parse(image.config().digest().as_ref())?;
                client.get_config(&repo, &config).await?;
            }
            anyhow::Ok(())
        })
        .buffer_unordered(concurrency)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(requests + 2 * fetched)
}

/// The best of three runs (the first one warms the registry's caches).
async fn timed_crawl(
    client: &RegistryClient,
    concurrency: usize,
) -> anyhow::Result<(Duration, usize)> {
    let mut best = Duration::MAX;
    let mut requests = 0;
    for _ in 0..3 {
        let started = Instant::now();
        requests = crawl(client, concurrency).await?;
        best = best.min(started.elapsed());
    }
    Ok((best, requests))
}

async fn manifest_and_config_urls(
    client: &RegistryClient,
    registry: &RegistryFixture,
) -> anyhow::Result<Vec<String>> {
    let mut urls = vec![registry.url.join("v2/_catalog?n=1000")?.to_string()];
    for repo in client.list_repositories().await? {
        urls.push(
            registry
                .url
                .join(&format!("v2/{repo}/tags/list"))?
                .to_string(),
        );
        for tag in client.list_tags(&repo).await? {
            let manifest = client
                .get_manifest(&repo, &Reference::Tag(tag.clone()))
                .await?;
            urls.push(
                registry
                    .url
                    .join(&format!("v2/{repo}/manifests/{tag}"))?
                    .to_string(),
            );
            if let Manifest::Image(image) = manifest.manifest {
                urls.push(
                    registry
                        .url
                        .join(&format!("v2/{repo}/blobs/{}", image.config().digest()))?
                        .to_string(),
                );
            }
        }
    }
    Ok(urls)
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

/// User + system CPU time of process `pid`, from /proc (clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
