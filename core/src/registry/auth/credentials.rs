//! Credentials for a registry, and reading them from a docker `config.json` (`auths` entries,
//! `identitytoken`, `credHelpers`/`credsStore` helpers).

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, Default)]
pub enum Credentials {
    #[default]
    Anonymous,
    /// Sent as Basic auth, to the registry or to its token realm.
    Basic {
        username: String,
        password: SecretString,
    },
    /// An OAuth2 refresh token (docker's `identitytoken`), exchanged at the realm by POST.
    IdentityToken { token: SecretString },
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: HashMap<String, String>,
}

/// Secrets stay `SecretString` from the moment they are parsed (redacted in `Debug`).
#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    auth: Option<SecretString>,
    username: Option<String>,
    password: Option<SecretString>,
    identitytoken: Option<SecretString>,
}

/// Docker Hub's credentials are stored under its legacy index URL.
fn lookup_keys(host: &str) -> Vec<String> {
    match host {
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => vec!["index.docker.io".into()],
        host => vec![host.to_string()],
    }
}

/// `https://host:port/v1/` → `host:port`.
fn normalize_key(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

pub fn from_docker_config(path: &Path, host: &str) -> Result<Credentials, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let config: DockerConfig = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a docker config.json: {e}", path.display()))?;
    let keys = lookup_keys(host);
    let helper = keys
        .iter()
        .find_map(|k| config.cred_helpers.get(k))
        .or(config.creds_store.as_ref());
    if let Some(helper) = helper {
        return from_helper(helper, host);
    }
    let entry = config
        .auths
        .iter()
        .find(|(key, _)| keys.iter().any(|k| k == normalize_key(key)))
        .map(|(_, entry)| entry);
    let Some(entry) = entry else {
        return Ok(Credentials::Anonymous);
    };
    if let Some(token) = &entry.identitytoken {
        return Ok(Credentials::IdentityToken {
            token: token.clone(),
        });
    }
    if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Credentials::Basic {
            username: username.clone(),
            password: password.clone(),
        });
    }
    let encoded = entry
        .auth
        .as_ref()
        .map(|a| a.expose_secret())
        .unwrap_or_default();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| format!("the `auth` for {host} in {} is not base64", path.display()))?;
    let decoded =
        String::from_utf8(decoded).map_err(|_| format!("the `auth` for {host} is not UTF-8"))?;
    let (username, password) = decoded
        .split_once(':')
        .ok_or_else(|| format!("the `auth` for {host} is not `user:password`"))?;
    Ok(Credentials::Basic {
        username: username.into(),
        password: password.to_string().into(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    username: String,
    secret: String,
}

/// Runs `docker-credential-<helper> get` with the host on stdin (docker-credential-helpers protocol).
fn from_helper(helper: &str, host: &str) -> Result<Credentials, String> {
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(host.as_bytes())
        .map_err(|e| format!("{program}: {e}"))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        // "credentials not found in native keychain" means: anonymous.
        return Ok(Credentials::Anonymous);
    }
    let answer: HelperAnswer = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{program} answered something else: {e}"))?;
    if answer.username == "<token>" {
        Ok(Credentials::IdentityToken {
            token: answer.secret.into(),
        })
    } else {
        Ok(Credentials::Basic {
            username: answer.username,
            password: answer.secret.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(json: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(json.as_bytes()).unwrap();
        file
    }

    #[test]
    fn auths_entries_are_found_by_host_in_any_key_form() {
        let file = write(
            r#"{"auths":{"https://reg.example:5000/v1/":{"auth":"Y2k6czNjcmV0"},"index.docker.io":{"identitytoken":"tok"}}}"#,
        );
        match from_docker_config(file.path(), "reg.example:5000").unwrap() {
            Credentials::Basic { username, password } => {
                assert_eq!(
                    (username.as_str(), password.expose_secret()),
                    ("ci", "s3cret")
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            from_docker_config(file.path(), "registry-1.docker.io").unwrap(),
            Credentials::IdentityToken { .. }
        ));
        assert!(matches!(
            from_docker_config(file.path(), "other.example").unwrap(),
            Credentials::Anonymous
        ));
    }

    #[test]
    fn broken_files_say_what_is_wrong() {
        let file = write(r#"{"auths":{"r.example":{"auth":"!!!"}}}"#);
        assert!(from_docker_config(file.path(), "r.example")
            .unwrap_err()
            .contains("not base64"));
        let file = write("[]");
        assert!(from_docker_config(file.path(), "r.example")
            .unwrap_err()
            .contains("not a docker config.json"));
    }

    #[test]
    fn a_missing_helper_is_named() {
        let file = write(r#"{"credHelpers":{"r.example":"regatta-nonexistent"}}"#);
        let error = from_docker_config(file.path(), "r.example").unwrap_err();
        assert!(
            error.contains("docker-credential-regatta-nonexistent"),
            "{error}"
        );
    }
}
