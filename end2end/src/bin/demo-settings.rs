//! `demo-settings REGISTRY_URL DATABASE`: prints the demo's `regatta.toml` (`make demo`): one
//! registry `local` that notifies Regatta (secret in `LOCAL_NOTIFY_SECRET`) and the
//! dev → staging → prod pipeline the browser tests use.

use end2end::settings::Registry;
use end2end::SettingsFile;

fn main() -> anyhow::Result<()> {
    let usage = || anyhow::anyhow!("usage: demo-settings REGISTRY_URL DATABASE");
    let mut args = std::env::args().skip(1);
    let registry_url: url::Url = args.next().ok_or_else(usage)?.parse()?;
    let database = args.next().ok_or_else(usage)?;
    let settings = SettingsFile::new()
        .listen("127.0.0.1:3000")
        .database(database)
        .site_root("target/site")
        .registry(Registry::new("local", registry_url).notify_secret_env("LOCAL_NOTIFY_SECRET"))
        .demo_pipeline("local");
    print!("{}", settings.to_toml());
    Ok(())
}
