//! `demo-settings REGISTRY_URL DATABASE REGISTRY_CONFIG`: prints the demo's `regatta.toml`
//! (`make demo`): one registry `local` that notifies Regatta (secret in `LOCAL_NOTIFY_SECRET`)
//! and whose garbage collection Regatta runs (it runs under `scripts/registry-service.sh` on
//! REGISTRY_CONFIG), and the dev → staging → prod pipeline the browser tests use.

use end2end::settings::{Gc, Registry};
use end2end::SettingsFile;
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let usage = || anyhow::anyhow!("usage: demo-settings REGISTRY_URL DATABASE");
    let mut args = std::env::args().skip(1);
    let registry_url: url::Url = args.next().ok_or_else(usage)?.parse()?;
    let database = args.next().ok_or_else(usage)?;
    let registry_config = std::path::absolute(args.next().ok_or_else(usage)?)?;
    let settings = SettingsFile::new()
        .listen("127.0.0.1:3000")
        .database(database)
        .site_root("target/site")
        .registry(
            Registry::new("local", registry_url)
                .notify_secret_env("LOCAL_NOTIFY_SECRET")
                .gc(demo_gc(&registry_config)?),
        )
        .demo_pipeline("local");
    print!("{}", settings.to_toml());
    Ok(())
}

/// `scripts/registry-mode.sh` around `docker-registry garbage-collect` (regatta.example.toml
/// shows the same for systemd, docker compose and Kubernetes).
fn demo_gc(registry_config: &Path) -> anyhow::Result<Gc> {
    let mode = std::path::absolute("scripts/registry-mode.sh")?;
    let config = registry_config.display();
    let storage = registry_config.with_file_name("registry-storage");
    Ok(Gc {
        kind: "command".into(),
        maintenance_on: Some(format!("{} readonly {config}", mode.display())),
        collect: Some(format!(
            "docker-registry garbage-collect {{dry_run}} {config}"
        )),
        maintenance_off: Some(format!("{} writable {config}", mode.display())),
        collect_timeout_seconds: None,
        storage_path: Some(storage),
        untagged_grace_hours: None,
        writes_wait_seconds: None,
    })
}
