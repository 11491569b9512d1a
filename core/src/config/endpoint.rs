//! Settings → the registry client's own input. Done once, at start: the CA file is read, the
//! password taken from the secrets read with the settings, a docker `config.json` consulted.

use super::{RegistryAuth, RegistryConfig, SharedSecrets};
use crate::registry::auth::{from_docker_config, Credentials};
use crate::registry::{Endpoint, Tls};
use anyhow::Context;
use secrecy::SecretString;

impl RegistryConfig {
    pub fn endpoint(&self, secrets: &SharedSecrets) -> anyhow::Result<Endpoint> {
        let extra_root_pem = match &self.ca_file {
            Some(path) => {
                Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
            }
            None => None,
        };
        let endpoint = Endpoint::anonymous(&self.name, self.url.clone());
        Ok(Endpoint {
            tls: Tls {
                extra_root_pem,
                accept_invalid_certs: self.insecure,
            },
            credentials: self.credentials(&endpoint, secrets)?,
            realm_hosts: self.realm_hosts.clone(),
            ..endpoint
        })
    }

    fn credentials(
        &self,
        endpoint: &Endpoint,
        secrets: &SharedSecrets,
    ) -> anyhow::Result<Credentials> {
        match &self.auth {
            RegistryAuth::None => Ok(Credentials::Anonymous),
            RegistryAuth::Basic {
                username,
                password,
                password_env,
            } => {
                let password: SecretString = match (password, password_env) {
                    (Some(password), _) => password.clone(),
                    (None, Some(var)) => secrets
                        .get(var)
                        .cloned()
                        .with_context(|| format!("{var} is not set"))?,
                    (None, None) => anyhow::bail!("basic auth without a password"),
                };
                Ok(Credentials::Basic {
                    username: username.clone(),
                    password,
                })
            }
            RegistryAuth::DockerConfig { path } => {
                from_docker_config(path, &endpoint.host()).map_err(anyhow::Error::msg)
            }
        }
    }
}
