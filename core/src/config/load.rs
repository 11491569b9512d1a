use super::{overrides::apply_env_overrides, validate::validate, ConfigError, Settings};
use std::path::Path;

/// Reads, overrides from the process environment, parses and validates the settings file.
pub fn load_settings(path: &Path) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    parse_settings(&path.display().to_string(), &text, &env)
}

/// Parses settings from TOML text; `env` supplies the `REGATTA_*` overrides. `file` only names
/// the source in error messages.
pub fn parse_settings(
    file: &str,
    text: &str,
    env: &[(String, String)],
) -> Result<Settings, ConfigError> {
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| syntax_error(file, text, &e))?;
    apply_env_overrides(file, &mut table, env)?;
    let settings: Settings = serde_path_to_error::deserialize(toml::Value::Table(table))
        .map_err(|e| ConfigError::invalid(file, key_of(e.path()), e.inner().message()))?;
    validate(file, &settings, env)?;
    let mut settings = settings;
    settings.shared_secrets = shared_secrets(&settings, env);
    Ok(settings)
}

/// The values of the secrets the settings name by environment variable (notification, registry
/// password, webhook), read once here so nothing else consults the process environment.
fn shared_secrets(settings: &Settings, env: &[(String, String)]) -> super::SharedSecrets {
    fn password_env(registry: &super::RegistryConfig) -> Option<&str> {
        match &registry.auth {
            super::RegistryAuth::Basic { password_env, .. } => password_env.as_deref(),
            _ => None,
        }
    }
    let wanted: Vec<&str> = settings
        .registries
        .iter()
        .flat_map(|r| {
            let harbor =
                r.gc.as_ref()
                    .and_then(|gc| gc.harbor_password_env.as_deref());
            [r.notify_secret_env.as_deref(), password_env(r), harbor]
        })
        .flatten()
        .chain(settings.webhooks.iter().map(|w| w.secret_env.as_str()))
        .chain(settings.oidc.iter().map(|o| o.client_secret_env.as_str()))
        .chain(settings.metrics.token_env.as_deref())
        .chain(settings.database_password_env.as_deref())
        .collect();
    super::SharedSecrets(
        env.iter()
            .filter(|(name, value)| wanted.contains(&name.as_str()) && !value.is_empty())
            .map(|(name, value)| (name.clone(), secrecy::SecretString::from(value.clone())))
            .collect(),
    )
}

fn key_of(path: &serde_path_to_error::Path) -> String {
    match path.to_string().as_str() {
        "." => "top level".into(),
        key => key.into(),
    }
}

fn syntax_error(file: &str, text: &str, error: &toml::de::Error) -> ConfigError {
    let line = error
        .span()
        .map(|span| text[..span.start].lines().count().max(1))
        .unwrap_or(1);
    let message = error.message().replace('\n', " ");
    ConfigError::invalid(file, format!("line {line}"), message.trim())
}
