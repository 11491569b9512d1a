//! A `docker-credential-*` helper named in config.json is run with the registry host on stdin
//! (docker-credential-helpers protocol). Its own test binary: it puts a fake helper on PATH.

use regatta_core::registry::auth::credentials::{from_docker_config, Credentials};
use secrecy::ExposeSecret;
use std::os::unix::fs::PermissionsExt;

#[test]
fn credentials_come_from_the_configured_helper() {
    let dir = tempfile::tempdir().unwrap();
    let helper = dir.path().join("docker-credential-regatta-test");
    // Answers only for the host it is asked about, as real helpers do.
    let script = r#"#!/bin/sh
read host
if [ "$1" = get ] && [ "$host" = "registry.example:5000" ]; then
  echo '{"ServerURL":"registry.example:5000","Username":"helper-user","Secret":"helper-secret"}'
else
  echo "credentials not found in native keychain" >&2; exit 1
fi
"#;
    std::fs::write(&helper, script).unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::env::set_var("PATH", path);

    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        r#"{"credHelpers":{"registry.example:5000":"regatta-test"},"auths":{}}"#,
    )
    .unwrap();
    match from_docker_config(&config, "registry.example:5000").unwrap() {
        Credentials::Basic { username, password } => {
            assert_eq!(username, "helper-user");
            assert_eq!(password.expose_secret(), "helper-secret");
        }
        other => panic!("expected Basic credentials, got {other:?}"),
    }
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"credsStore":"regatta-test"}"#).unwrap();
    assert!(matches!(
        from_docker_config(&other, "elsewhere.example").unwrap(),
        Credentials::Anonymous
    ));
}
