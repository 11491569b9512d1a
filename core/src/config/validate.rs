//! Checks that serde cannot express: cross references, readable files, present secrets.

use super::{ConfigError, RegistryAuth, RegistryConfig, RegistryStorageLimits, Settings};
use std::collections::HashSet;

pub(super) fn validate(
    file: &str,
    settings: &Settings,
    env: &[(String, String)],
) -> Result<(), ConfigError> {
    let env_has = |name: &str| env.iter().any(|(k, v)| k == name && !v.is_empty());
    let mut names = HashSet::new();
    for (i, registry) in settings.registries.iter().enumerate() {
        let key = format!("registry[{i}]");
        if !names.insert(registry.name.as_str()) {
            let message = format!("duplicate registry name `{}`", registry.name);
            return Err(ConfigError::invalid(file, format!("{key}.name"), message));
        }
        validate_registry(file, &key, registry, &env_has)?;
    }
    let mut environments = HashSet::new();
    for (i, environment) in settings.environments.iter().enumerate() {
        let key = format!("environment[{i}]");
        if !environments.insert(environment.name.as_str()) {
            let message = format!("duplicate environment name `{}`", environment.name);
            return Err(ConfigError::invalid(file, format!("{key}.name"), message));
        }
        if settings.registry(&environment.registry).is_none() {
            let message = format!("no [[registry]] is named `{}`", environment.registry);
            return Err(ConfigError::invalid(
                file,
                format!("{key}.registry"),
                message,
            ));
        }
    }
    for (i, webhook) in settings.webhooks.iter().enumerate() {
        let key = format!("webhook[{i}]");
        if !matches!(webhook.url.scheme(), "http" | "https") {
            let message = format!("`{}` is not an http(s) URL", webhook.url);
            return Err(ConfigError::invalid(file, format!("{key}.url"), message));
        }
        refuse_userinfo(file, &format!("{key}.url"), &webhook.url)?;
        if !env_has(&webhook.secret_env) {
            let message = format!("environment variable `{}` is not set", webhook.secret_env);
            return Err(ConfigError::invalid(
                file,
                format!("{key}.secret_env"),
                message,
            ));
        }
    }
    if let Some(oidc) = &settings.oidc {
        validate_oidc(file, settings, oidc, &env_has)?;
    }
    if !(3..=3600).contains(&settings.replicas.lease_seconds) {
        let message = "must be between 3 and 3600 (a heartbeat every third of it)";
        return Err(ConfigError::invalid(
            file,
            "replicas.lease_seconds",
            message,
        ));
    }
    if let Some(var) = settings
        .metrics
        .token_env
        .as_deref()
        .filter(|v| !env_has(v))
    {
        let message = format!("environment variable `{var}` is not set");
        return Err(ConfigError::invalid(file, "metrics.token_env", message));
    }
    if let Some(url) = &settings.public_url {
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || url.path() != "/" {
            let message = format!("`{url}` is not an http(s) origin (scheme, host, port, no path)");
            return Err(ConfigError::invalid(file, "public_url", message));
        }
        refuse_userinfo(file, "public_url", url)?;
    }
    if settings.index.max_removal_percent > 100 {
        let message = "is a percentage: 0 to 100";
        return Err(ConfigError::invalid(
            file,
            "index.max_removal_percent",
            message,
        ));
    }
    let mut policies = HashSet::new();
    for (i, policy) in settings.retention.iter().enumerate() {
        let key = format!("retention[{i}]");
        if !policies.insert(policy.name.as_str()) {
            let message = format!("duplicate retention policy `{}`", policy.name);
            return Err(ConfigError::invalid(file, format!("{key}.name"), message));
        }
        let valid = crate::retention::policy::validate(policy)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                crate::retention::check_scope(settings, policy).map_err(|e| e.to_string())
            });
        if let Err(message) = valid {
            return Err(ConfigError::invalid(file, key, message));
        }
    }
    if settings.trash.keep_days == 0 {
        let message = "must be at least 1";
        return Err(ConfigError::invalid(file, "trash.keep_days", message));
    }
    if settings.audit.keep_days == 0 {
        let message = "must be at least 1 day";
        return Err(ConfigError::invalid(file, "audit.keep_days", message));
    }
    if settings.storage.unused_after_days == 0 {
        let message = "must be at least 1";
        return Err(ConfigError::invalid(
            file,
            "storage.unused_after_days",
            message,
        ));
    }
    if settings.session.idle_timeout_minutes == 0 {
        let message = "must be at least 1";
        return Err(ConfigError::invalid(
            file,
            "session.idle_timeout_minutes",
            message,
        ));
    }
    Ok(())
}

fn validate_storage_limits(
    file: &str,
    key: &str,
    limits: &RegistryStorageLimits,
) -> Result<(), ConfigError> {
    let invalid = |field: &str, message: &str| {
        ConfigError::invalid(file, format!("{key}.storage.{field}"), message.to_string())
    };
    if limits.capacity_bytes.is_some_and(|bytes| bytes <= 0) {
        return Err(invalid("capacity_bytes", "must be more than 0"));
    }
    if !(1..=100).contains(&limits.warn_at_percent) {
        return Err(invalid("warn_at_percent", "must be from 1 to 100"));
    }
    if limits
        .max_growth_bytes_per_day
        .is_some_and(|bytes| bytes <= 0)
    {
        return Err(invalid("max_growth_bytes_per_day", "must be more than 0"));
    }
    Ok(())
}

fn validate_registry(
    file: &str,
    key: &str,
    registry: &RegistryConfig,
    env_has: &dyn Fn(&str) -> bool,
) -> Result<(), ConfigError> {
    if registry.name.trim().is_empty() {
        return Err(ConfigError::invalid(
            file,
            format!("{key}.name"),
            "must not be empty",
        ));
    }
    if !matches!(registry.url.scheme(), "http" | "https") || registry.url.host().is_none() {
        let message = format!("`{}` is not an http(s) URL with a host", registry.url);
        return Err(ConfigError::invalid(file, format!("{key}.url"), message));
    }
    refuse_userinfo(file, &format!("{key}.url"), &registry.url)?;
    validate_storage_limits(file, key, &registry.storage)?;
    if let Some(problem) = registry.gc.as_ref().and_then(|gc| gc.problem()) {
        return Err(ConfigError::invalid(file, format!("{key}.gc"), problem));
    }
    if let Some(var) = registry
        .gc
        .as_ref()
        .and_then(|gc| gc.harbor_password_env.as_ref())
    {
        if !env_has(var) {
            let message = format!("environment variable {var} is not set");
            return Err(ConfigError::invalid(
                file,
                format!("{key}.gc.harbor_password_env"),
                message,
            ));
        }
    }
    if let Some(ca_file) = &registry.ca_file {
        std::fs::read(ca_file).map_err(|e| {
            let message = format!("cannot read CA file {}: {e}", ca_file.display());
            ConfigError::invalid(file, format!("{key}.ca_file"), message)
        })?;
    }
    if let Some(var) = &registry.notify_secret_env {
        if !env_has(var) {
            let message = format!("environment variable {var} is not set");
            return Err(ConfigError::invalid(
                file,
                format!("{key}.notify_secret_env"),
                message,
            ));
        }
    }
    match &registry.auth {
        RegistryAuth::None => Ok(()),
        RegistryAuth::Basic {
            password,
            password_env,
            ..
        } => match (password, password_env) {
            (Some(_), None) => Ok(()),
            (None, Some(var)) if env_has(var) => Ok(()),
            (None, Some(var)) => {
                let message = format!("environment variable {var} is not set");
                Err(ConfigError::invalid(
                    file,
                    format!("{key}.auth.password_env"),
                    message,
                ))
            }
            _ => {
                let message = "give exactly one of `password` or `password_env`";
                Err(ConfigError::invalid(file, format!("{key}.auth"), message))
            }
        },
        RegistryAuth::DockerConfig { path } => std::fs::metadata(path).map(|_| ()).map_err(|e| {
            let message = format!("cannot read {}: {e}", path.display());
            ConfigError::invalid(file, format!("{key}.auth.path"), message)
        }),
    }
}

/// A `user:password@` in a URL would be shown wherever the URL is (the dashboard, logs, history):
/// credentials go in `auth` or an environment variable instead. The message does not repeat it.
fn refuse_userinfo(file: &str, key: &str, url: &url::Url) -> Result<(), ConfigError> {
    if url.username().is_empty() && url.password().is_none() {
        return Ok(());
    }
    let message =
        "must not contain a user name or password (use `auth` or an environment variable)";
    Err(ConfigError::invalid(file, key, message))
}

fn validate_oidc(
    file: &str,
    settings: &Settings,
    oidc: &super::OidcConfig,
    env_has: &dyn Fn(&str) -> bool,
) -> Result<(), ConfigError> {
    if !matches!(oidc.issuer.scheme(), "http" | "https") {
        let message = format!("`{}` is not an http(s) URL", oidc.issuer);
        return Err(ConfigError::invalid(file, "oidc.issuer", message));
    }
    refuse_userinfo(file, "oidc.issuer", &oidc.issuer)?;
    if !env_has(&oidc.client_secret_env) {
        let message = format!(
            "environment variable `{}` is not set",
            oidc.client_secret_env
        );
        return Err(ConfigError::invalid(
            file,
            "oidc.client_secret_env",
            message,
        ));
    }
    if settings.public_url.is_none() {
        let message = "single sign-on needs `public_url`: the provider sends people back to it";
        return Err(ConfigError::invalid(file, "public_url", message));
    }
    for (i, mapping) in oidc.mappings.iter().enumerate() {
        let key = format!("oidc.map[{i}]");
        let known = match &mapping.place {
            None => true,
            Some(crate::users::Place::Registry(name)) => settings.registry(name).is_some(),
            Some(crate::users::Place::Environment(name)) => {
                settings.environments.iter().any(|e| &e.name == name)
            }
        };
        if !known {
            let place = mapping
                .place
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let message = format!("no registry or environment is `{place}`");
            return Err(ConfigError::invalid(file, format!("{key}.place"), message));
        }
        if mapping.place.is_some() && mapping.role == crate::users::Role::NoAccess {
            let message = "a grant gives a role: viewer, developer, maintainer or admin";
            return Err(ConfigError::invalid(file, format!("{key}.role"), message));
        }
    }
    Ok(())
}
