//! The garbage collection issue's window figure, side by side in one run: two identical
//! registries run under `scripts/registry-service.sh` (200 repositories × 10 tags, then 3 tags
//! of each deleted by digest: 600 manifests to collect). One is collected bare, as an operator
//! would: `registry-mode.sh readonly`, `docker-registry garbage-collect`, `registry-mode.sh
//! writable`, timed end to end; the other by Regatta's `command` driver with the same three
//! commands, whose recorded read-only window (maintenance_on start to maintenance_off end) is
//! compared. Also: what each freed, and Regatta's prediction beside it.
//!
//! Run: `cargo bench -p end2end --bench gc` (seeding 4,000 tags takes a minute or two).

use end2end::seed::seed_distinct_images;
use end2end::settings::{Environment, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::audit::Actor;
use regatta_core::deletion::{self, DeletionRequest};
use regatta_core::gc::{self, GcRequest};
use regatta_core::users::{Role, User};
use std::time::Instant;

const REPOSITORIES: usize = 200;
const TAGS: usize = 10;
const DELETED_PER_REPOSITORY: usize = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = RegistryOptions {
        supervised: true,
        ..Default::default()
    };
    let (bare, ours) = (
        RegistryFixture::start(options.clone()).await?,
        RegistryFixture::start(options).await?,
    );
    let seeding = Instant::now();
    for registry in [&bare, &ours] {
        let pusher = registry.pusher()?;
        for r in 0..REPOSITORIES {
            seed_distinct_images(&pusher, &format!("bench/app{r:03}"), TAGS, &[""]).await?;
        }
    }
    let deleted: Vec<String> = (0..DELETED_PER_REPOSITORY)
        .map(|t| format!("1.0.{t}"))
        .collect();
    for r in 0..REPOSITORIES {
        for tag in &deleted {
            delete_by_digest(&bare, &format!("bench/app{r:03}"), tag).await?;
        }
    }

    let gc_settings = bare.gc_settings();
    let before = bare.stored_blob_bytes();
    let started = Instant::now();
    for command in [
        gc_settings.maintenance_on.as_deref().unwrap(),
        &gc_settings
            .collect
            .as_deref()
            .unwrap()
            .replace("{dry_run}", ""),
        gc_settings.maintenance_off.as_deref().unwrap(),
    ] {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .output()?;
        anyhow::ensure!(output.status.success(), "{command}: {output:?}");
    }
    let bare_ms = started.elapsed().as_secs_f64() * 1000.0;
    let bare_freed = before - bare.stored_blob_bytes();

    let dir = tempfile::tempdir()?;
    let text = SettingsFile::new()
        .database(dir.path().join("regatta.db"))
        .registry(Registry::new("local", &ours.url).gc(ours.gc_settings()))
        .environment(Environment::new("bench", "local").prefix("bench/"))
        .to_toml();
    let settings = regatta_core::config::parse_settings("bench.toml", &text, &[])?;
    let services = regatta_core::Services::start(settings).await?;
    regatta_core::index::crawl_registry(&services, "local").await?;
    let actor = Actor::new(User::not_stored("bench", Role::Admin), "bench");
    // The same tags, deleted through Regatta: its index knows what they released.
    for r in 0..REPOSITORIES {
        let request = DeletionRequest {
            registry: "local".into(),
            repository: format!("bench/app{r:03}"),
            tags: deleted.clone(),
            whole_repository: false,
            matching: None,
            expected: None,
            confirmation: None,
        };
        deletion::delete(&services, &actor, &request).await?;
    }
    println!(
        "seeded {} tags in each of 2 registries, deleted {} manifests in each, in {:.0} s",
        REPOSITORIES * TAGS,
        REPOSITORIES * DELETED_PER_REPOSITORY,
        seeding.elapsed().as_secs_f64()
    );
    let request = GcRequest {
        registry: "local".into(),
        dry_run: false,
        untagged: false,
        trigger: None,
    };
    let before = ours.stored_blob_bytes();
    let started = Instant::now();
    let report = gc::run(&services, &actor, &request).await?;
    let total_ms = started.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(report.run.status == "done", "{:?}", report.run.error);
    let window_ms = report.run.read_only_ms.unwrap_or_default() as f64;
    println!(
        "bare: maintenance_on + garbage-collect + maintenance_off {bare_ms:.0} ms, freed {bare_freed} bytes"
    );
    println!(
        "regatta: read-only window {window_ms:.0} ms ({:.2}x bare), whole run {total_ms:.0} ms \
         (with prediction, recording, re-crawl and snapshot)",
        window_ms / bare_ms
    );
    println!(
        "regatta: predicted {} blobs / {} bytes, registry deleted {} blobs, blob store shrank {} bytes",
        report.prediction.blobs,
        report.prediction.bytes,
        report.run.blobs_deleted.unwrap_or_default(),
        before - ours.stored_blob_bytes()
    );
    Ok(())
}

/// What an operator's script would do: resolve the tag, delete its manifest by digest.
async fn delete_by_digest(registry: &RegistryFixture, repo: &str, tag: &str) -> anyhow::Result<()> {
    let http = registry.http_client()?;
    let head = http
        .head(registry.url.join(&format!("v2/{repo}/manifests/{tag}"))?)
        .header("Accept", end2end::images::OCI_MANIFEST)
        .send()
        .await?
        .error_for_status()?;
    let digest = head
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| anyhow::anyhow!("no digest for {repo}:{tag}"))?
        .to_string();
    http.delete(
        registry
            .url
            .join(&format!("v2/{repo}/manifests/{digest}"))?,
    )
    .send()
    .await?
    .error_for_status()?;
    Ok(())
}
