//! `REGATTA_*` environment variables override scalar settings, so a deployment can change the
//! listen address or database path without editing the file. Nested keys use a double
//! underscore: `REGATTA_SESSION__SECURE_COOKIE=true`.

use super::ConfigError;

/// Keys that may be overridden. Other `REGATTA_*` variables (such as `REGATTA_ADMIN_PASSWORD`)
/// are not settings and are left alone.
const OVERRIDABLE: &[&str] = &[
    "listen",
    "database",
    "site_root",
    "public_url",
    "session.idle_timeout_minutes",
    "session.secure_cookie",
    "session.cookie_name",
    "index.crawl_interval_minutes",
    "index.verify_interval_hours",
    "index.max_removal_percent",
    "log.format",
];

pub(super) fn apply_env_overrides(
    file: &str,
    table: &mut toml::Table,
    env: &[(String, String)],
) -> Result<(), ConfigError> {
    for (name, raw) in env {
        let Some(key) = name.strip_prefix("REGATTA_") else {
            continue;
        };
        let key = key.to_ascii_lowercase().replace("__", ".");
        if !OVERRIDABLE.contains(&key.as_str()) {
            continue;
        }
        let value = typed_value(raw);
        insert_path(table, &key, value).map_err(|message| {
            ConfigError::invalid(file, format!("{key} (from {name})"), message)
        })?;
    }
    Ok(())
}

/// `true`, `42` become TOML booleans and integers; anything else stays a string.
fn typed_value(raw: &str) -> toml::Value {
    raw.parse::<bool>()
        .map(toml::Value::Boolean)
        .or_else(|_| raw.parse::<i64>().map(toml::Value::Integer))
        .unwrap_or_else(|_| toml::Value::String(raw.to_string()))
}

fn insert_path(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let (parents, leaf) = match key.rsplit_once('.') {
        Some((parents, leaf)) => (parents.split('.').collect::<Vec<_>>(), leaf),
        None => (Vec::new(), key),
    };
    let mut current = table;
    for parent in parents {
        current = current
            .entry(parent)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| format!("`{parent}` in the file is not a table"))?;
    }
    current.insert(leaf.to_string(), value);
    Ok(())
}
