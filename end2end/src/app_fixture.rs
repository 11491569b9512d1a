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
    binary: PathBuf,
    env: Vec<(String, String)>,
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
        let (child, url) = spawn(binary, dir.path(), &options.env)?;
        Ok(Self {
            url,
            dir,
            database,
            child,
            binary: binary.to_path_buf(),
            env: options.env,
        })
    }

    /// Kills the server at once (SIGKILL: no shutdown, no cleanup), as a crash or an OOM kill
    /// would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM (what systemd and orchestrators send) and waits for the process to exit.
    pub fn terminate(&mut self) -> anyhow::Result<std::process::ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "kill -TERM failed");
        Ok(self.child.wait()?)
    }

    /// Starts the server again on the same settings and database (on a new port, in `url`).
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        let (child, url) = spawn(&self.binary, self.dir.path(), &self.env)?;
        (self.child, self.url) = (child, url);
        Ok(())
    }

    /// Another replica of this app: the same binary, settings and database (the settings file
    /// is copied beside the new replica's own log).
    pub async fn replica(&self) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        std::fs::copy(self.config_path(), dir.path().join("regatta.toml"))?;
        let (child, url) = spawn(&self.binary, dir.path(), &self.env)?;
        Ok(Self {
            url,
            dir,
            database: self.database.clone(),
            child,
            binary: self.binary.clone(),
            env: self.env.clone(),
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

    /// This app's settings file (for CLI commands against it).
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("regatta.toml")
    }

    /// Runs `regatta user ARGS…` against this app's configuration, `password` on stdin.
    pub fn user_command(&self, args: &[&str], password: &str) -> anyhow::Result<()> {
        let mut full = vec!["user"];
        full.extend_from_slice(args);
        self.command(&full, password).map(drop)
    }

    /// Runs `regatta ARGS…` against this app's configuration with `input` on stdin; its
    /// standard output, or its standard error as the failure.
    pub fn command(&self, args: &[&str], input: &str) -> anyhow::Result<String> {
        use std::io::Write;
        let mut child = Command::new(regatta_binary())
            .args(args)
            .arg("--config")
            .arg(self.config_path())
            // The settings name secrets by variable: the CLI checks them as the server does.
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        writeln!(child.stdin.take().expect("piped stdin"), "{input}")?;
        let output = child.wait_with_output()?;
        if !output.status.success() {
            bail!("{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// An HTTP client that keeps cookies, logged in as `user` (for requests the browser tests
    /// make without a browser).
    pub async fn logged_in(&self, user: &str, password: &str) -> anyhow::Result<reqwest::Client> {
        log_in(&self.url, user, password).await
    }

    /// An HTTP client logged in as the first admin.
    pub async fn as_admin(&self) -> reqwest::Client {
        self.logged_in(ADMIN_USER, ADMIN_PASSWORD)
            .await
            .expect("the admin logs in")
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

/// A cookie-keeping client logged in as `user` on the app at `url`.
pub async fn log_in(
    url: &reqwest::Url,
    user: &str,
    password: &str,
) -> anyhow::Result<reqwest::Client> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let response = http
        .post(url.join("/api/login")?)
        .form(&[("username", user), ("password", password)])
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("logging in as {user}: HTTP {}", response.status());
    }
    Ok(http)
}

/// Runs `binary serve` on `dir/regatta.toml` (log appended to `dir/regatta.log`) and waits for
/// its address.
fn spawn(
    binary: &Path,
    dir: &Path,
    env: &[(String, String)],
) -> anyhow::Result<(Child, reqwest::Url)> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("regatta.log"))?;
    let mut child = Command::new(binary)
        .arg("serve")
        .arg("--config")
        .arg(dir.join("regatta.toml"))
        .env("REGATTA_ADMIN_USER", ADMIN_USER)
        .env("REGATTA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child.stdout.take().expect("piped stdout");
    match listening_url(stdout) {
        Ok(url) => Ok((child, url)),
        Err(error) => {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.join("regatta.log")).unwrap_or_default();
            bail!("{error}; regatta's log:\n{log}");
        }
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
