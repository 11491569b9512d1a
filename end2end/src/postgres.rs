//! A throw-away PostgreSQL cluster from Debian's `postgresql` package: `initdb` in a temporary
//! directory, the server on a free loopback port (its socket in the same directory), trust
//! authentication on loopback only, durability off (a test's data need not survive a crash).
//! Run as the `postgres` user when the tests run as root (the server refuses root). Stopped
//! (immediate shutdown) and deleted on drop.

use crate::ports::free_port;
use anyhow::{bail, Context};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub struct PgCluster {
    pub port: u16,
    dir: TempDir,
    server: Child,
}

impl PgCluster {
    pub async fn start() -> anyhow::Result<Self> {
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
        let server = as_owner(Command::new(bin.join("postgres")), owner)
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
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
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres")).await?;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        Ok(self.url(name))
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
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
