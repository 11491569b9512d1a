//! A real OpenID provider for the single sign-on tests: panva/oidc-provider (OpenID Certified),
//! run with node from `end2end/oidc/provider.mjs` (its npm package installed there by
//! `scripts/bootstrap.sh`). One confidential client, PKCE required; accounts (password, e-mail,
//! groups) in a JSON file the test can rewrite between logins.

use anyhow::{bail, Context};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CLIENT_ID: &str = "regatta";
pub const CLIENT_SECRET: &str = "regatta-test-client-secret";

pub struct OidcProvider {
    /// `http://127.0.0.1:PORT` (no trailing slash, as the provider names itself).
    pub issuer: String,
    child: Child,
    accounts: PathBuf,
    _dir: tempfile::TempDir,
}

impl OidcProvider {
    /// Starts the provider for a client whose callback is `redirect_uri`, with `accounts`
    /// (`{"alice": {"password": …, "email": …, "groups": […]}}`).
    pub fn start(redirect_uri: &str, accounts: serde_json::Value) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let accounts_file = dir.path().join("accounts.json");
        std::fs::write(&accounts_file, accounts.to_string())?;
        let port = crate::ports::free_port();
        let script = oidc_dir().join("provider.mjs");
        if !oidc_dir().join("node_modules/oidc-provider").is_dir() {
            bail!(
                "oidc-provider is not installed in {} (run scripts/bootstrap.sh)",
                oidc_dir().display()
            );
        }
        let mut child = Command::new("node")
            .arg(&script)
            .current_dir(oidc_dir())
            .env("PORT", port.to_string())
            .env("ACCOUNTS_FILE", &accounts_file)
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting node {}", script.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(issuer) = line.strip_prefix("listening on ") {
                    let _ = sender.send(issuer.to_string());
                }
            }
        });
        match receiver.recv_timeout(Duration::from_secs(20)) {
            Ok(issuer) => Ok(Self {
                issuer,
                child,
                accounts: accounts_file,
                _dir: dir,
            }),
            Err(_) => {
                let _ = child.kill();
                bail!("the OpenID provider did not start within 20 s")
            }
        }
    }

    /// Replaces the accounts (read by the provider at every login).
    pub fn set_accounts(&self, accounts: serde_json::Value) -> anyhow::Result<()> {
        std::fs::write(&self.accounts, accounts.to_string())?;
        Ok(())
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `end2end/oidc`, found at run time like the scripts (see `registry_fixture::scripts_dir`):
/// cargo runs each crate's tests in its own directory, all of them beside `end2end/`.
fn oidc_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../end2end/oidc")
}

/// A provider with `accounts` and an app using it: `public_url` and the callback on a port
/// chosen first, the client secret in the app's environment, `settings` (registries…) with
/// `[oidc]` added (`mappings`; `local_login` false turns the password form off).
pub async fn app_with_provider(
    settings: crate::SettingsFile,
    accounts: serde_json::Value,
    local_login: bool,
    mappings: Vec<crate::settings::OidcMap>,
) -> anyhow::Result<(OidcProvider, crate::AppFixture)> {
    const SECRET_ENV: &str = "REGATTA_TEST_OIDC_SECRET";
    let port = crate::ports::free_port();
    let callback = format!("http://127.0.0.1:{port}/auth/oidc/callback");
    let provider = OidcProvider::start(&callback, accounts)?;
    let settings = settings
        .public_url(format!("http://127.0.0.1:{port}/"))
        .oidc(crate::settings::Oidc {
            issuer: provider.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret_env: SECRET_ENV.into(),
            default_role: None,
            local_login: Some(local_login),
            mappings,
        });
    let options = crate::AppOptions {
        port: Some(port),
        settings,
        env: vec![(SECRET_ENV.into(), CLIENT_SECRET.into())],
    };
    let app = crate::AppFixture::start(&crate::app_fixture::regatta_binary(), options).await?;
    Ok((provider, app))
}
