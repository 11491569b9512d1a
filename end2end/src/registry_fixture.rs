//! A real CNCF distribution registry (Debian's `docker-registry`) on a free loopback port, with
//! its storage in a temporary directory. Killed and cleaned up on drop.

use crate::token_server::{TokenServer, TokenUser};
use crate::{ports::free_port, seed::Pusher, wait};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;
use tempfile::TempDir;

const REGISTRY_BINARY: &str = "docker-registry";

#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Require HTTP Basic auth with this user and password (an htpasswd file with bcrypt).
    /// With `token_users`, these are instead the credentials the fixture's pusher presents to
    /// the token server.
    pub basic_auth: Option<(String, String)>,
    /// Serve https with a fresh self-signed certificate for 127.0.0.1.
    pub tls: bool,
    /// Send notifications to this URL, with `Authorization: Bearer <secret>` when given.
    pub notify: Option<(String, Option<String>)>,
    /// Require docker token auth from a test token server granting these users these actions.
    pub token_users: Option<Vec<TokenUser>>,
    /// Write an access log line per request to the registry's log (see [`RegistryFixture::log`]).
    pub access_log: bool,
    /// Run the registry under `scripts/registry-service.sh`, so `scripts/registry-mode.sh` can
    /// restart it read-only and back (garbage collection's maintenance window).
    pub supervised: bool,
}

pub struct RegistryFixture {
    pub url: reqwest::Url,
    pub options: RegistryOptions,
    /// The CA (here: the certificate itself) to trust when `tls` is on.
    pub ca_file: Option<PathBuf>,
    pub dir: TempDir,
    child: Child,
    token_server: Option<TokenServer>,
}

impl RegistryFixture {
    pub async fn start(options: RegistryOptions) -> anyhow::Result<Self> {
        let mut last_error = None;
        // The free port can be taken between our probe and the registry's bind: retry.
        for _ in 0..3 {
            match Self::start_once(options.clone()).await {
                Ok(fixture) => return Ok(fixture),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    /// Starts a registry and pushes the demo images into it.
    pub async fn start_seeded(options: RegistryOptions) -> anyhow::Result<Self> {
        let fixture = Self::start(options).await?;
        crate::seed::seed_demo(&fixture.pusher()?).await?;
        Ok(fixture)
    }

    async fn start_once(options: RegistryOptions) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = free_port();
        let ca_file = options
            .tls
            .then(|| write_self_signed_cert(dir.path()))
            .transpose()?;
        let token_server = match &options.token_users {
            Some(users) => Some(TokenServer::start(dir.path(), users.clone()).await?),
            None => None,
        };
        let mut config = registry_config(dir.path(), port, &options)?;
        if let Some(server) = &token_server {
            config += &server.registry_config();
        }
        std::fs::write(dir.path().join("config.yml"), config)?;
        let child = spawn_registry(dir.path(), options.supervised)?;
        let scheme = if options.tls { "https" } else { "http" };
        let url: reqwest::Url = format!("{scheme}://127.0.0.1:{port}/").parse()?;
        let mut fixture = Self {
            url,
            options,
            ca_file,
            dir,
            child,
            token_server,
        };
        fixture.wait_until_ready().await?;
        Ok(fixture)
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        let client = self.http_client()?;
        let url = self.url.join("v2/")?;
        let answered = wait::until(Duration::from_secs(10), || {
            let request = client.get(url.clone()).send();
            async move { request.await.is_ok() }
        })
        .await;
        if !answered || self.child.try_wait()?.is_some() {
            let log =
                std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default();
            bail!("registry did not start on {}: {log}", self.url);
        }
        Ok(())
    }

    /// A client that trusts this registry's certificate.
    pub fn http_client(&self) -> anyhow::Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder();
        if let Some(ca) = &self.ca_file {
            builder =
                builder.add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(ca)?)?);
        }
        Ok(builder.build()?)
    }

    pub fn pusher(&self) -> anyhow::Result<Pusher> {
        let basic = self.options.basic_auth.clone();
        let mut pusher = Pusher::new(self.http_client()?, self.url.clone(), basic);
        pusher.token_realm = self.token_realm().map(str::to_string);
        Ok(pusher)
    }

    /// The registry's process id (benchmarks read its CPU time).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The token realm, when token auth is on.
    pub fn token_realm(&self) -> Option<&str> {
        self.token_server.as_ref().map(|s| s.realm.as_str())
    }

    /// Runs `docker-registry garbage-collect` on this registry's storage (what an operator
    /// does on the registry's host); returns what it printed. Safe in a test: nothing is being
    /// pushed meanwhile. The fixture has no blob descriptor cache, so collected blobs answer 404
    /// at once.
    pub fn garbage_collect(&self) -> anyhow::Result<String> {
        let output = std::process::Command::new("docker-registry")
            .arg("garbage-collect")
            .arg(self.dir.path().join("config.yml"))
            .output()?;
        if !output.status.success() {
            bail!(
                "garbage-collect failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The bytes of every blob the registry stores (manifests, configs, layers): the `data`
    /// files under its storage directory.
    pub fn stored_blob_bytes(&self) -> u64 {
        fn walk(dir: &Path) -> u64 {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return 0;
            };
            entries
                .flatten()
                .map(|entry| {
                    let path = entry.path();
                    match (path.is_dir(), path.file_name().and_then(|n| n.to_str())) {
                        (true, _) => walk(&path),
                        (false, Some("data")) => entry.metadata().map_or(0, |m| m.len()),
                        _ => 0,
                    }
                })
                .sum()
        }
        walk(&self.dir.path().join("storage/docker/registry/v2/blobs"))
    }

    /// `127.0.0.1:PORT`, as used in image references.
    pub fn host(&self) -> String {
        format!(
            "127.0.0.1:{}",
            self.url.port().expect("fixture URLs have a port")
        )
    }

    /// Stops the registry (e.g. to test how Regatta shows a registry that is down).
    pub fn stop(&mut self) {
        if self.options.supervised {
            // The service script stops its registry on TERM (a KILL would orphan it).
            let _ = Command::new("kill")
                .arg(self.child.id().to_string())
                .status();
        } else {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }

    /// The settings file the registry runs on.
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.yml")
    }

    /// The `[registry.gc]` of this registry as the demo has it: `docker-registry
    /// garbage-collect` on its storage, and (when `supervised`) a read-only restart around it.
    pub fn gc_settings(&self) -> crate::settings::Gc {
        let config = self.config_path();
        let mode = |mode: &str| {
            format!(
                "{} {mode} {}",
                scripts_dir().join("registry-mode.sh").display(),
                config.display()
            )
        };
        crate::settings::Gc {
            kind: "command".into(),
            maintenance_on: self.options.supervised.then(|| mode("readonly")),
            collect: Some(format!(
                "{REGISTRY_BINARY} garbage-collect {{dry_run}} {}",
                config.display()
            )),
            maintenance_off: self.options.supervised.then(|| mode("writable")),
            collect_timeout_seconds: None,
            storage_path: Some(self.dir.path().join("storage")),
            untagged_grace_hours: Some(0),
            writes_wait_seconds: None,
        }
    }

    /// Starts the registry again after [`stop`](Self::stop): same port, same storage.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        self.child = spawn_registry(self.dir.path(), self.options.supervised)?;
        self.wait_until_ready().await
    }

    /// What the registry wrote to its log so far (access lines with `access_log`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }
}

/// The repository's `scripts/` directory, found at run time like [`crate::app_fixture::site_root`]
/// (a test binary reused from another checkout sharing the target directory must not run
/// that checkout's scripts, which may be gone).
pub fn scripts_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../scripts")
}

/// Runs the registry with the `config.yml` in `dir`, appending to `dir/registry.log`; when
/// `supervised`, under `scripts/registry-service.sh`.
fn spawn_registry(dir: &Path, supervised: bool) -> anyhow::Result<Child> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("registry.log"))?;
    let mut command = match supervised {
        true => {
            let mut command = Command::new("bash");
            command.arg(scripts_dir().join("registry-service.sh"));
            command
        }
        false => {
            let mut command = Command::new(REGISTRY_BINARY);
            command.arg("serve");
            command
        }
    };
    command
        .arg(dir.join("config.yml"))
        // The access log goes to stdout, everything else to stderr.
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting `{REGISTRY_BINARY}` (run scripts/bootstrap.sh)"))
}

impl Drop for RegistryFixture {
    fn drop(&mut self) {
        self.stop();
    }
}

fn registry_config(dir: &Path, port: u16, options: &RegistryOptions) -> anyhow::Result<String> {
    let storage = dir.join("storage");
    let mut config = format!(
        "version: 0.1\n\
         log: {{level: warn, accesslog: {{disabled: {no_access_log}}}}}\n\
         storage:\n  filesystem: {{rootdirectory: {storage}}}\n  delete: {{enabled: true}}\n  \
         maintenance: {{uploadpurging: {{enabled: false}}, readonly: {{enabled: false}}}}\n\
         http:\n  addr: 127.0.0.1:{port}\n  secret: regatta-test-secret\n",
        storage = storage.display(),
        no_access_log = !options.access_log,
    );
    if options.tls {
        config += &format!(
            "  tls: {{certificate: {}, key: {}}}\n",
            dir.join("cert.pem").display(),
            dir.join("key.pem").display()
        );
    }
    if let (Some((user, password)), None) = (&options.basic_auth, &options.token_users) {
        let htpasswd = dir.join("htpasswd");
        write_htpasswd(&htpasswd, user, password)?;
        config += &format!(
            "auth:\n  htpasswd: {{realm: regatta-test, path: {}}}\n",
            htpasswd.display()
        );
    }
    if let Some((url, secret)) = &options.notify {
        let headers = secret
            .as_ref()
            .map(|s| format!(", headers: {{Authorization: [\"Bearer {s}\"]}}"))
            .unwrap_or_default();
        config += &format!(
            "notifications:\n  endpoints:\n    - {{name: regatta, url: \"{url}\", timeout: 2s, threshold: 3, backoff: 1s{headers}}}\n"
        );
    }
    Ok(config)
}

fn write_htpasswd(path: &Path, user: &str, password: &str) -> anyhow::Result<()> {
    let output = Command::new("htpasswd")
        .args(["-Bbn", user, password])
        .output()?;
    if !output.status.success() {
        bail!(
            "htpasswd failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(path, output.stdout)?;
    Ok(())
}

/// A private CA and a P-256 server certificate for IP 127.0.0.1 signed by it, valid for a day.
/// (A self-signed leaf will not do: rustls refuses a CA certificate used as the server's own.)
/// Returns the CA's PEM path.
fn write_self_signed_cert(dir: &Path) -> anyhow::Result<PathBuf> {
    let ca = dir.join("ca.pem");
    let extensions = dir.join("leaf.ext");
    std::fs::write(
        &extensions,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )?;
    let new_key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let path = |name: &str| dir.join(name).display().to_string();
    openssl(
        &[
            &["req", "-x509"][..],
            &new_key,
            &["-days", "1", "-subj", "/CN=regatta-test-ca"],
            &["-keyout", &path("ca.key"), "-out", &path("ca.pem")],
        ]
        .concat(),
    )?;
    openssl(
        &[
            &["req"][..],
            &new_key,
            &["-subj", "/CN=127.0.0.1"],
            &["-keyout", &path("key.pem"), "-out", &path("leaf.csr")],
        ]
        .concat(),
    )?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        &path("leaf.csr"),
        "-CA",
        &path("ca.pem"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        &path("leaf.ext"),
        "-out",
        &path("cert.pem"),
    ])?;
    Ok(ca)
}

fn openssl(args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new("openssl").args(args).output()?;
    if !output.status.success() {
        bail!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
