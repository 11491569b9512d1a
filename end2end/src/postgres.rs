//! A throw-away PostgreSQL cluster from Debian's `postgresql` package: `initdb` in a temporary
//! directory, the server on a free loopback port (its socket in the same directory), trust
//! authentication on loopback only; durability off for tests, on for benchmarks.
//! Run as the `postgres` user when the tests run as root (the server refuses root). Stopped
//! (immediate shutdown) and deleted on drop.

use crate::ports::free_port;
use anyhow::{bail, Context};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Whether the integration tests run on PostgreSQL (`REGATTA_TEST_DATABASE=postgres`; the
/// default is SQLite).
pub fn tests_use_postgres() -> bool {
    std::env::var("REGATTA_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// When the tests run on PostgreSQL: the URL of the database standing for the SQLite file
/// `path`, created at the first call for it (two replicas naming one path share it). The
/// databases live in one cluster per test process, started at the first call and stopped when
/// the process exits.
pub fn test_database_for(path: &Path) -> Option<String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    if !tests_use_postgres() {
        return None;
    }
    static CLUSTER_PORT: OnceLock<u16> = OnceLock::new();
    static DATABASES: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let port = *CLUSTER_PORT.get_or_init(start_process_cluster);
    let mut databases = DATABASES.get_or_init(Mutex::default).lock().unwrap();
    let next = databases.len();
    let url = databases.entry(path.to_path_buf()).or_insert_with(|| {
        let name = format!("test{next}");
        // A thread of its own: the caller may be inside a runtime, where blocking is refused.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(create_database_on(port, &name))
        })
        .join()
        .expect("creating a test database")
        .expect("creating a test database")
    });
    Some(url.clone())
}

/// Starts the test process's cluster from a thread that lives as long as the process: the
/// server gets SIGQUIT when that thread ends (`PR_SET_PDEATHSIG`), i.e. when the tests exit,
/// even though statics are never dropped.
fn start_process_cluster() -> u16 {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        match runtime.block_on(PgCluster::start()) {
            Ok(cluster) => {
                // The directory outlives the process (statics are not dropped): removed once
                // the process is gone.
                let _ = Command::new("sh")
                    .args([
                        "-c",
                        "tail --pid=\"$1\" -f /dev/null; sleep 2; rm -rf \"$2\"",
                    ])
                    .args(["reaper", &std::process::id().to_string()])
                    .arg(cluster.dir.path())
                    .stdin(Stdio::null())
                    .spawn();
                sender.send(Ok(cluster.port)).ok();
                loop {
                    std::thread::park();
                }
            }
            Err(error) => sender.send(Err(error.to_string())).ok(),
        };
    });
    receiver
        .recv()
        .expect("the cluster thread answers")
        .unwrap_or_else(|error| panic!("starting the test PostgreSQL cluster: {error}"))
}

/// Creates database `name` in the cluster on `port` and returns its URL.
async fn create_database_on(port: u16, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&url_on(port, "postgres")).await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(url_on(port, name))
}

fn url_on(port: u16, database: &str) -> String {
    format!("postgres://postgres@127.0.0.1:{port}/{database}")
}

pub struct PgCluster {
    pub port: u16,
    dir: TempDir,
    server: Child,
}

impl PgCluster {
    /// For tests: durability off (a test's data need not survive a crash).
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(&[
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ])
        .await
    }

    /// For benchmarks: PostgreSQL's own defaults (fsync, synchronous commit), as a production
    /// server runs — SQLite's WAL with `synchronous = NORMAL` is compared with this.
    pub async fn start_durable() -> anyhow::Result<Self> {
        Self::start_with(&[]).await
    }

    async fn start_with(settings: &[&str]) -> anyhow::Result<Self> {
        let bin = postgres_bin_dir()?;
        let dir = tempfile::tempdir()?;
        let owner = run_as();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))?;
        }
        let data = dir.path().join("data");
        let output = as_owner(Command::new(bin.join("initdb")), owner)
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
            ])
            .args(["--no-sync", "--pgdata"])
            .arg(&data)
            .output()
            .context("running initdb (scripts/bootstrap.sh installs postgresql)")?;
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path().join("server.log"), Some(uid), Some(gid))?;
        }
        let mut server = as_owner(Command::new(bin.join("postgres")), owner);
        // Stopped with the thread that started it, if the test process ends without a drop.
        // SAFETY: prctl is async-signal-safe, as a pre_exec closure must be.
        unsafe {
            server.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let server = server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(settings)
            // A whole test suite's databases share one cluster (each test's pool, listener
            // and session store).
            .args(["-c", "max_connections=400"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting postgres")?;
        let mut cluster = Self { port, dir, server };
        cluster.wait_until_ready().await?;
        Ok(cluster)
    }

    /// Creates database `name` and returns its URL.
    pub async fn create_database(&self, name: &str) -> anyhow::Result<String> {
        create_database_on(self.port, name).await
    }

    pub fn url(&self, database: &str) -> String {
        url_on(self.port, database)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<()> {
        use sqlx::Connection;
        let started = Instant::now();
        loop {
            if let Some(status) = self.server.try_wait()? {
                bail!("postgres exited ({status}):\n{}", self.log());
            }
            if let Ok(connection) = sqlx::PgConnection::connect(&self.url("postgres")).await {
                connection.close().await?;
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("postgres did not answer within 30 s:\n{}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        // SIGQUIT: immediate shutdown (no checkpoint; the directory goes next anyway).
        let _ = Command::new("kill")
            .args(["-QUIT", &self.server.id().to_string()])
            .status();
        let _ = self.server.wait();
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` (Debian keeps the binaries off the PATH).
fn postgres_bin_dir() -> anyhow::Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .with_context(|| format!("{} (run scripts/bootstrap.sh)", root.display()))?
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .max()
        .context("no PostgreSQL version under /usr/lib/postgresql")?;
    Ok(root.join(newest.to_string()).join("bin"))
}

/// The `postgres` user's ids when running as root (PostgreSQL will not run as root).
fn run_as() -> Option<(u32, u32)> {
    let is_root = Command::new("id").arg("-u").output().ok()?.stdout == b"0\n";
    if !is_root {
        return None;
    }
    let id = |flag: &str| -> Option<u32> {
        let output = Command::new("id").args([flag, "postgres"]).output().ok()?;
        String::from_utf8(output.stdout).ok()?.trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}

fn as_owner(mut command: Command, owner: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command
}
