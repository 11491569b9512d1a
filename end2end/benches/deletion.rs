//! The deletion issue's figure, side by side in one run against one local registry:
//!   1. 1,000 tags, each the last tag on its image: Regatta's bulk deletion (trash, checks,
//!      delete by digest, index update) vs a sequential loop of `skopeo delete` over the same
//!      number of tags in a twin repository — wall time and registry requests per tag (from the
//!      registry's access log);
//!   2. the sibling-safe case: 1,000 tags each with a sibling that stays (skopeo cannot do
//!      this: it deletes by digest, taking the sibling along) — Regatta alone;
//!   3. the first case again with the 1,000 tags spread over 20 repositories of 50: the same
//!      requests, but each delete by digest makes distribution read 50 tags, not up to 1,000 —
//!      which shows how much of case 1 is the registry's quadratic tag scan.
//!
//! Run: `cargo bench -p end2end --bench deletion` (seeding 6,000 tags takes two or three minutes).

use end2end::seed::seed_distinct_images;
use end2end::settings::{Environment, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::audit::Actor;
use regatta_core::deletion::{self, DeletionRequest};
use regatta_core::users::{Role, User};
use std::time::{Duration, Instant};

const TAGS: usize = 1000;
/// Case 3's layout: `TAGS` tags as `SPREAD` repositories of `TAGS / SPREAD`.
const SPREAD: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let registry = RegistryFixture::start(RegistryOptions {
        access_log: true,
        ..Default::default()
    })
    .await?;
    let pusher = registry.pusher()?;
    let seeding = Instant::now();
    for repo in ["bench/ours", "bench/skopeo"] {
        seed_distinct_images(&pusher, repo, TAGS, &[""]).await?;
    }
    seed_distinct_images(&pusher, "bench/siblings", TAGS, &["", "-keep"]).await?;
    for side in ["ours", "skopeo"] {
        for r in 0..SPREAD {
            let repo = spread_repository(side, r);
            seed_distinct_images(&pusher, &repo, TAGS / SPREAD, &[""]).await?;
        }
    }
    println!(
        "seeded {} tags in {:.0} s",
        TAGS * 6,
        seeding.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir()?;
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("local", &registry.url))
        .environment(Environment::new("bench", "local").prefix("bench/"))
        .to_toml();
    let settings = regatta_core::config::parse_settings("bench.toml", &text, &[])?;
    let services = regatta_core::Services::start(settings).await?;
    regatta_core::index::crawl_registry(&services, "local").await?;
    let actor = Actor::new(User::not_stored("bench", Role::Admin), "bench");

    println!("\n## {TAGS} tags, each the last on its image");
    let (ours, requests) = measured(&registry, || async {
        let report = deletion::delete(&services, &actor, &every_tag("bench/ours", None)).await?;
        all_deleted(&report, TAGS)?;
        Ok(())
    })
    .await?;
    report_line("regatta (bulk, concurrency 4)", ours, requests);
    let targets = (0..TAGS).map(|t| ("bench/skopeo".to_string(), tag_name(t, "")));
    skopeo_side_by_side(&registry, targets.collect(), ours).await?;

    println!("\n## {TAGS} tags, each with a sibling that stays (sibling-safe)");
    let keep: Vec<String> = (0..TAGS).map(|t| tag_name(t, "")).collect();
    let (safe, safe_requests) = measured(&registry, || async {
        let request = every_tag("bench/siblings", Some(keep.clone()));
        let report = deletion::delete(&services, &actor, &request).await?;
        all_deleted(&report, TAGS)?;
        Ok(())
    })
    .await?;
    report_line("regatta (sibling-safe)", safe, safe_requests);

    println!(
        "\n## {TAGS} tags, each the last on its image, spread over {SPREAD} repositories of {}",
        TAGS / SPREAD
    );
    let (ours, requests) = measured(&registry, || async {
        // One bulk deletion per repository, as the tag table and a retention run issue them.
        for r in 0..SPREAD {
            let request = every_tag(&spread_repository("ours", r), None);
            let report = deletion::delete(&services, &actor, &request).await?;
            all_deleted(&report, TAGS / SPREAD)?;
        }
        Ok(())
    })
    .await?;
    report_line("regatta (bulk per repository)", ours, requests);
    let targets = (0..SPREAD).flat_map(|r| {
        (0..TAGS / SPREAD).map(move |t| (spread_repository("skopeo", r), tag_name(t, "")))
    });
    skopeo_side_by_side(&registry, targets.collect(), ours).await?;
    Ok(())
}

/// The `skopeo delete` loop over `targets` (repository, tag), reported beside Regatta's time.
async fn skopeo_side_by_side(
    registry: &RegistryFixture,
    targets: Vec<(String, String)>,
    ours: Duration,
) -> anyhow::Result<()> {
    let host = registry.host();
    let (skopeo, requests) = measured(registry, || async {
        for (repository, tag) in &targets {
            skopeo_delete(&host, repository, tag)?;
        }
        Ok(())
    })
    .await?;
    report_line("skopeo delete (sequential loop)", skopeo, requests);
    println!(
        "regatta is {:.1}x faster",
        skopeo.as_secs_f64() / ours.as_secs_f64()
    );
    Ok(())
}

fn spread_repository(side: &str, r: usize) -> String {
    format!("bench/spread-{side}-{r:02}")
}

fn skopeo_delete(host: &str, repository: &str, tag: &str) -> anyhow::Result<()> {
    let status = std::process::Command::new("skopeo")
        .args(["delete", "--tls-verify=false"])
        .arg(format!("docker://{host}/{repository}:{tag}"))
        .status()?;
    anyhow::ensure!(status.success(), "skopeo delete {repository}:{tag}");
    Ok(())
}

fn all_deleted(report: &deletion::DeletionReport, expected: usize) -> anyhow::Result<()> {
    let missed: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| !matches!(o.result, deletion::TagResult::Deleted { .. }))
        .collect();
    anyhow::ensure!(
        missed.is_empty() && report.outcomes.len() == expected,
        "{} of {} not deleted, e.g. {:?}",
        missed.len(),
        report.outcomes.len(),
        missed.first()
    );
    Ok(())
}

fn tag_name(t: usize, suffix: &str) -> String {
    format!("1.{}.{}{suffix}", t / 100, t % 100)
}

fn every_tag(repository: &str, tags: Option<Vec<String>>) -> DeletionRequest {
    DeletionRequest {
        registry: "local".into(),
        repository: repository.into(),
        whole_repository: tags.is_none(),
        tags: tags.unwrap_or_default(),
        matching: None,
        expected: None,
        confirmation: None,
    }
}

/// Runs `work`; its wall time and the requests the registry logged meanwhile.
async fn measured<F, Fut>(registry: &RegistryFixture, work: F) -> anyhow::Result<(Duration, usize)>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let before = requests(&registry.log());
    let cpu_before = cpu_seconds(registry.pid());
    let own_cpu_before = cpu_seconds(std::process::id());
    let started = Instant::now();
    work().await?;
    let elapsed = started.elapsed();
    let registry_cpu = cpu_seconds(registry.pid()) - cpu_before;
    let own_cpu = cpu_seconds(std::process::id()) - own_cpu_before;
    // Wall time cannot go below the registry's CPU spread over every core: on a small machine
    // that, not Regatta, bounds the figure (distribution's delete by digest reads every tag of
    // the repository, so a bulk deletion costs it quadratic work whoever sends the requests).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    println!(
        "  (CPU meanwhile: the registry {registry_cpu:.2} s, this process — Regatta, or the skopeo \
         loop's driver — {own_cpu:.2} s; the registry alone needs {:.2} s of wall time on {cores} cores)",
        registry_cpu / cores
    );
    // The registry writes its access log as it answers; give the last lines a moment.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok((elapsed, requests(&registry.log()) - before))
}

/// User + system CPU seconds of process `pid` so far (/proc/PID/stat, clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn requests(log: &str) -> usize {
    log.lines()
        .filter(|l| {
            [
                "\"GET /v2/",
                "\"HEAD /v2/",
                "\"PUT /v2/",
                "\"POST /v2/",
                "\"DELETE /v2/",
                "\"PATCH /v2/",
            ]
            .iter()
            .any(|method| l.contains(method))
        })
        .count()
}

fn report_line(name: &str, took: Duration, requests: usize) {
    println!(
        "{name:<34} {:>7.2} s   {:>6.0} tags/s   {:>5.2} requests per tag",
        took.as_secs_f64(),
        TAGS as f64 / took.as_secs_f64(),
        requests as f64 / TAGS as f64
    );
}
