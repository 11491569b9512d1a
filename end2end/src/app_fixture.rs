//! The real `regatta` binary on port 0 with a fresh database in a temporary directory.

use crate::settings::SettingsFile;
use anyhow::{bail, Context};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use tempfile::TempDir;

pub const ADMIN_USER: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

#[derive(Debug, Default, Clone)]
pub struct AppOptions {
    /// Listen on this port instead of a free one (a registry's notification URL must be known
    /// before the app starts).
    pub port: Option<u16>,
    /// Registries, environments …; the fixture fills in `listen`, `database` and `site_root`.
    pub settings: SettingsFile,
    pub env: Vec<(String, String)>,
}

pub struct AppFixture {
    pub url: reqwest::Url,
    pub dir: TempDir,
    pub database: PathBuf,
    child: Child,
}

/// The demo registry (seeded) behind an app with the dev → staging → prod (protected) pipeline.
pub async fn seeded_app_with_pipeline() -> (crate::RegistryFixture, AppFixture) {
    let registry = crate::RegistryFixture::start_seeded(crate::RegistryOptions::default())
        .await
        .expect("the seeded registry starts");
    let settings = SettingsFile::new()
        .registry(crate::settings::Registry::fixture("local", &registry))
        .demo_pipeline("local");
    let app = AppFixture::start_with(settings)
        .await
        .expect("the app starts");
    (registry, app)
}

impl AppFixture {
    /// Starts `binary` (see [`regatta_binary`]) with the admin `admin` / [`ADMIN_PASSWORD`].
    pub async fn start(binary: &Path, options: AppOptions) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let database = dir.path().join("regatta.db");
        let settings = options
            .settings
            .listen(format!("127.0.0.1:{}", options.port.unwrap_or(0)))
            .database(&database)
            .site_root(site_root());
        let config = dir.path().join("regatta.toml");
        std::fs::write(&config, settings.to_toml())?;
        let mut child = Command::new(binary)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .env("REGATTA_ADMIN_USER", ADMIN_USER)
            .env("REGATTA_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RUST_LOG", "info")
            .envs(options.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("regatta.log"))?)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let url = match listening_url(stdout) {
            Ok(url) => url,
            Err(error) => {
                let _ = child.kill();
                let log =
                    std::fs::read_to_string(dir.path().join("regatta.log")).unwrap_or_default();
                bail!("{error}; regatta's log:\n{log}");
            }
        };
        Ok(Self {
            url,
            dir,
            database,
            child,
        })
    }

    /// The real binary with `settings` (registries, environments) and default options.
    pub async fn start_with(settings: SettingsFile) -> anyhow::Result<Self> {
        let options = AppOptions {
            settings,
            ..Default::default()
        };
        Self::start(&regatta_binary(), options).await
    }

    /// Adds a user with the CLI (`regatta user add`), against this app's configuration.
    pub fn add_user(&self, name: &str, role: &str, password: &str) -> anyhow::Result<()> {
        self.user_command(&["add", name, "--role", role], password)
    }

    /// Runs `regatta user ARGS…` against this app's configuration, `password` on stdin.
    pub fn user_command(&self, args: &[&str], password: &str) -> anyhow::Result<()> {
        use std::io::Write;
        let mut child = Command::new(regatta_binary())
            .arg("user")
            .args(args)
            .arg("--config")
            .arg(self.dir.path().join("regatta.toml"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        writeln!(child.stdin.take().expect("piped stdin"), "{password}")?;
        let output = child.wait_with_output()?;
        if !output.status.success() {
            bail!("user {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("regatta.log")).unwrap_or_default()
    }
}

impl Drop for AppFixture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads stdout until `regatta listening on http://…`, then keeps draining it in the background.
fn listening_url(stdout: std::process::ChildStdout) -> anyhow::Result<reqwest::Url> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("regatta listening on ") {
                let _ = sender.send(url.to_string());
            }
        }
    });
    let url = receiver
        .recv_timeout(Duration::from_secs(30))
        .context("regatta did not report its address within 30 s")?;
    Ok(url.parse()?)
}

/// The built site (CSS, JS, WASM): `REGATTA_SITE_ROOT`, else the workspace's `target/site`.
/// The workspace is found at run time (cargo sets `CARGO_MANIFEST_DIR` for the tests it runs):
/// a test binary reused from another checkout that shares the target directory (CI clones do)
/// would otherwise look for the site in that checkout.
pub fn site_root() -> PathBuf {
    if let Some(root) = std::env::var_os("REGATTA_SITE_ROOT") {
        return PathBuf::from(root);
    }
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.join("../target/site")
}

/// The `regatta` binary next to the running test: `REGATTA_BIN`, else `target/<profile>/regatta`.
pub fn regatta_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("REGATTA_BIN") {
        return PathBuf::from(path);
    }
    let test_exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test> → target/<profile>/regatta
    test_exe
        .parent()
        .and_then(Path::parent)
        .map(|profile_dir| profile_dir.join("regatta"))
        .expect("test binaries live in target/<profile>/deps")
}

/// The `/pkg/…` files a page links (stylesheet, JS loader, WASM), with their hashed names.
pub fn linked_assets(html: &str) -> Vec<String> {
    let mut assets: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with("/pkg/"))
        .map(str::to_string)
        .collect();
    assets.sort();
    assets.dedup();
    assets
}
