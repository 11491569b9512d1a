use crate::config::{RegistryAuth, RegistryConfig, Settings};
use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use std::{collections::BTreeMap, time::Duration};
use url::Url;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A registry as Regatta reaches it: base URL, TLS trust, credentials.
#[derive(Debug)]
pub struct RegistryClient {
    pub name: String,
    pub base: Url,
    pub(super) http: reqwest::Client,
    pub(super) basic: Option<(String, SecretString)>,
}

impl RegistryClient {
    pub fn new(config: &RegistryConfig) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("regatta/", env!("CARGO_PKG_VERSION")))
            .danger_accept_invalid_certs(config.insecure);
        if let Some(ca_file) = &config.ca_file {
            let pem =
                std::fs::read(ca_file).with_context(|| format!("reading {}", ca_file.display()))?;
            let certificate = reqwest::Certificate::from_pem(&pem)
                .with_context(|| format!("{} is not a PEM certificate", ca_file.display()))?;
            builder = builder.add_root_certificate(certificate);
        }
        Ok(Self {
            name: config.name.clone(),
            base: config.url.clone(),
            http: builder.build().context("building the HTTP client")?,
            basic: basic_credentials(&config.auth),
        })
    }

    /// `path` below the registry's base URL, e.g. `v2/`.
    pub(super) fn url(&self, path: &str) -> Url {
        let mut base = self.base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.join(path).expect("registry paths are relative")
    }

    pub(super) fn authorize(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.basic {
            Some((user, password)) => request.basic_auth(user, Some(password.expose_secret())),
            None => request,
        }
    }
}

/// Basic credentials from the config; `password_env` was checked to be set at start-up.
fn basic_credentials(auth: &RegistryAuth) -> Option<(String, SecretString)> {
    match auth {
        RegistryAuth::Basic {
            username,
            password,
            password_env,
        } => {
            let password = password.clone().or_else(|| {
                password_env
                    .as_ref()
                    .and_then(|var| std::env::var(var).ok())
                    .map(SecretString::from)
            })?;
            Some((username.clone(), password))
        }
        RegistryAuth::None | RegistryAuth::DockerConfig { .. } => None,
    }
}

/// The clients for every configured registry, by name, in configuration order of names.
#[derive(Debug, Default)]
pub struct RegistryClients(BTreeMap<String, RegistryClient>);

impl RegistryClients {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let mut clients = BTreeMap::new();
        for config in &settings.registries {
            let client = RegistryClient::new(config)
                .with_context(|| format!("registry `{}`", config.name))?;
            clients.insert(config.name.clone(), client);
        }
        Ok(Self(clients))
    }

    pub fn get(&self, name: &str) -> Option<&RegistryClient> {
        self.0.get(name)
    }
}
