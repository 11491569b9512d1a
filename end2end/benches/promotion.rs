//! The Promotion issue's figures, Regatta and `skopeo copy` side by side in one run, both as
//! processes (`regatta promote` is the CLI form of the Promote button), on local registries:
//!   1. within one registry, a 5-layer image (5 × 8 MiB): wall time and blob bytes uploaded
//!      (from the registry's access log), skopeo with an empty blob-info cache (skopeo 1.9
//!      mounts the layers too, from the source repository it just read, and uploads the config);
//!   2. across two registries, one 1 GiB layer: throughput, and Regatta's peak RSS.
//!
//! Run: `cargo leptos build --release && cargo bench -p end2end --bench promotion`.

use end2end::app_fixture::regatta_binary;
use end2end::images::{self, Image};
use end2end::settings::{Environment, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 3;
const LAYER: usize = 8 << 20;
const BIG: usize = 1 << 30;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let access_log = RegistryOptions {
        access_log: true,
        ..Default::default()
    };
    let build = RegistryFixture::start(access_log.clone()).await?;
    let release = RegistryFixture::start(access_log).await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("regatta.toml");
    std::fs::write(
        &config,
        SettingsFile::new()
            .database(dir.path().join("regatta.db"))
            .registry(Registry::new("build", &build.url))
            .registry(Registry::new("release", &release.url))
            .environment(Environment::new("dev", "build").prefix("dev/"))
            .environment(Environment::new("staging", "build").prefix("staging/"))
            .environment(Environment::new("prod", "release").prefix("prod/"))
            .to_toml(),
    )?;

    // 1. Same registry: one source repository per run, so every target starts empty.
    let layers = (0..5).map(|i| images::opaque_layer(LAYER, i)).collect();
    let image = images::image("linux", "amd64", layers, &[]);
    let pusher = build.pusher()?;
    for run in 0..RUNS {
        pusher
            .push_image(&format!("dev/app-{run}"), "1.0", &image)
            .await?;
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut our_bytes, mut their_bytes) = (0, 0);
    for run in 0..RUNS {
        let before = build.log().len();
        ours.push(
            timed(regatta(
                &config,
                &format!("build/dev/app-{run}:1.0"),
                "staging",
            ))?
            .0,
        );
        our_bytes += uploaded_bytes(&build.log()[before..], &image);
        let before = build.log().len();
        theirs.push(
            timed(skopeo(
                &build,
                &format!("dev/app-{run}:1.0"),
                &build,
                &format!("qa/app-{run}:1.0"),
            ))?
            .0,
        );
        their_bytes += uploaded_bytes(&build.log()[before..], &image);
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!("same registry, 5 x 8 MiB layers, median of {RUNS}:");
    println!(
        "  regatta promote: {:>7.0} ms, {} blob bytes uploaded per run",
        ms(ours),
        our_bytes / RUNS as u64
    );
    println!(
        "  skopeo copy:     {:>7.0} ms, {} blob bytes uploaded per run",
        ms(theirs),
        their_bytes / RUNS as u64
    );
    println!(
        "  regatta is {:.1}x faster",
        theirs.as_secs_f64() / ours.as_secs_f64()
    );

    // 2. Across registries, one 1 GiB layer.
    let big: Image = images::image("linux", "amd64", vec![images::opaque_layer(BIG, 99)], &[]);
    build.pusher()?.push_image("dev/big", "1.0", &big).await?;
    drop(big);
    let (our_time, peak_kb) = timed(regatta(&config, "build/dev/big:1.0", "prod"))?;
    let (their_time, _) = timed(skopeo(&build, "dev/big:1.0", &release, "qa/big:1.0"))?;
    let gib = BIG as f64 / (1u64 << 30) as f64;
    println!("across registries, one 1 GiB layer:");
    println!(
        "  regatta promote: {:>6.2} s = {:>6.0} MiB/s, peak RSS {} MiB",
        our_time.as_secs_f64(),
        gib * 1024.0 / our_time.as_secs_f64(),
        peak_kb / 1024
    );
    println!(
        "  skopeo copy:     {:>6.2} s = {:>6.0} MiB/s",
        their_time.as_secs_f64(),
        gib * 1024.0 / their_time.as_secs_f64()
    );
    println!(
        "  regatta throughput / skopeo: {:.2}x",
        their_time.as_secs_f64() / our_time.as_secs_f64()
    );
    Ok(())
}

/// `regatta promote` under GNU time, which reports the peak RSS.
fn regatta(config: &std::path::Path, image: &str, to: &str) -> Command {
    let mut command = Command::new("/usr/bin/time");
    command
        .args(["-f", "%M"])
        .arg(regatta_binary())
        .arg("--config")
        .arg(config)
        .args(["promote", image, "--to", to]);
    command
}

/// `skopeo copy` with its blob-info cache removed first: it would otherwise remember where blobs
/// are and mount them as well.
fn skopeo(from: &RegistryFixture, source: &str, to: &RegistryFixture, target: &str) -> Command {
    for cache in [
        "/var/lib/containers/cache/blob-info-cache-v1.boltdb",
        "/var/lib/containers/cache/blob-info-cache-v1.sqlite",
    ] {
        let _ = std::fs::remove_file(cache);
    }
    let mut command = Command::new("/usr/bin/time");
    command
        .args(["-f", "%M", "skopeo", "copy", "--quiet"])
        .args(["--src-tls-verify=false", "--dest-tls-verify=false"])
        .arg(format!("docker://{}/{source}", from.host()))
        .arg(format!("docker://{}/{target}", to.host()));
    command
}

/// Runs `command`; returns its wall time and the peak RSS (KiB) GNU time printed last.
fn timed(mut command: Command) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let output = command.output()?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    anyhow::ensure!(output.status.success(), "{command:?}: {stderr}");
    let peak = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    Ok((elapsed, peak))
}

/// Blob bytes uploaded, from the access log: each completed upload (`PUT …/blobs/uploads/…
/// ?digest=…` answered 201) counted at the size of that blob of `image`.
fn uploaded_bytes(log: &str, image: &Image) -> u64 {
    let sizes: std::collections::HashMap<String, u64> = image
        .layers
        .iter()
        .map(|l| &l.blob)
        .chain([&image.config])
        .map(|b| (b.digest().replace(':', "%3A"), b.bytes.len() as u64))
        .collect();
    log.lines()
        .filter(|l| {
            l.contains("\"PUT /v2/") && l.contains("/blobs/uploads/") && l.contains("\" 201 ")
        })
        .filter_map(|l| {
            let digest = l.split("digest=").nth(1)?.split([' ', '&']).next()?;
            sizes.get(digest)
        })
        .sum()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
