//! The `regatta` command line: configuration errors stop it with exit 2 and one line; user
//! management works from a script (password on stdin) and is audited.

use end2end::settings::{Environment, Registry};
use end2end::SettingsFile;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const REGATTA: &str = env!("CARGO_BIN_EXE_regatta");

fn regatta(config: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(REGATTA)
        .arg("--config")
        .arg(config)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running regatta");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// A valid settings file with a database in `dir`.
fn settings_file(dir: &tempfile::TempDir, settings: SettingsFile) -> std::path::PathBuf {
    let path = dir.path().join("regatta.toml");
    let settings = settings.database(dir.path().join("regatta.db"));
    std::fs::write(&path, settings.to_toml()).unwrap();
    path
}

/// A settings file from raw text, for the loader's errors on bad input.
fn config_file(dir: &tempfile::TempDir, body: &str) -> std::path::PathBuf {
    let path = dir.path().join("regatta.toml");
    let database = dir.path().join("regatta.db");
    std::fs::write(
        &path,
        format!("database = \"{}\"\n{body}", database.display()),
    )
    .unwrap();
    path
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn an_unknown_key_stops_start_up_with_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(
        &dir,
        "[[registry]]\nname = \"local\"\nurl = \"http://127.0.0.1:5000\"\nflavour = \"x\"\n",
    );
    for command in [&["serve"][..], &["check-config"][..], &["user", "list"][..]] {
        let output = regatta(&config, command, None);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("registry[0].flavour: unknown field `flavour`"),
            "{lines:?}"
        );
    }
}

#[test]
fn a_registry_without_url_stops_start_up_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(&dir, "[[registry]]\nname = \"local\"\n");
    let output = regatta(&config, &["serve"], None);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_lines(&output),
        [format!(
            "regatta: invalid configuration: {}: registry[0]: missing field `url`",
            config.display()
        )]
    );
}

#[test]
fn a_missing_config_file_is_named_with_exit_2() {
    let output = regatta(
        std::path::Path::new("/nonexistent/regatta.toml"),
        &["check-config"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_lines(&output)[0].contains("cannot read config file /nonexistent/regatta.toml"));
}

#[test]
fn check_config_accepts_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = settings_file(
        &dir,
        SettingsFile::new().registry(Registry::new("local", "http://127.0.0.1:5000")),
    );
    let output = regatta(&config, &["check-config"], None);
    assert_eq!(output.status.code(), Some(0), "{:?}", stderr_lines(&output));
}

#[test]
fn users_are_added_from_a_pipe_listed_disabled_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let config = settings_file(&dir, SettingsFile::new());
    let added = regatta(
        &config,
        &["user", "add", "rel-mgr", "--role", "maintainer"],
        Some("tall-ledger-sprout\n"),
    );
    assert!(added.status.success(), "{:?}", stderr_lines(&added));
    let common = regatta(
        &config,
        &["user", "add", "weak", "--role", "viewer"],
        Some("password123\n"),
    );
    assert_eq!(common.status.code(), Some(1));
    assert!(
        stderr_lines(&common)[0].contains("among the first ones an attacker tries"),
        "{:?}",
        stderr_lines(&common)
    );

    let duplicate = regatta(
        &config,
        &["user", "add", "rel-mgr", "--role", "viewer"],
        Some("tall-ledger-sprout\n"),
    );
    assert_eq!(duplicate.status.code(), Some(1));
    assert!(stderr_lines(&duplicate)[0].contains("user `rel-mgr` already exists"));

    let bad_role = regatta(
        &config,
        &["user", "add", "bob", "--role", "root"],
        Some("tall-ledger-sprout\n"),
    );
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role `root`"));

    let short = regatta(
        &config,
        &["user", "add", "bob", "--role", "viewer"],
        Some("short\n"),
    );
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 8 characters"));

    assert!(regatta(&config, &["user", "disable", "rel-mgr"], None)
        .status
        .success());
    let listed =
        String::from_utf8_lossy(&regatta(&config, &["user", "list"], None).stdout).to_string();
    let row = listed
        .lines()
        .find(|l| l.starts_with("rel-mgr"))
        .expect("rel-mgr listed");
    assert!(
        row.contains("maintainer") && row.contains("disabled"),
        "{row}"
    );

    let missing = regatta(
        &config,
        &["user", "passwd", "nobody"],
        Some("another-pass\n"),
    );
    assert!(String::from_utf8_lossy(&missing.stderr).contains("User `nobody` not found"));

    for args in [
        &["user", "enable", "rel-mgr"][..],
        &["user", "role", "rel-mgr", "developer"],
        &["user", "sessions", "rel-mgr", "--end"],
    ] {
        let output = regatta(&config, args, None);
        assert!(
            output.status.success(),
            "{args:?}: {:?}",
            stderr_lines(&output)
        );
    }
    let listed =
        String::from_utf8_lossy(&regatta(&config, &["user", "list"], None).stdout).to_string();
    let row = listed.lines().find(|l| l.starts_with("rel-mgr")).unwrap();
    assert!(row.contains("developer") && row.contains("active"), "{row}");
    let listing = regatta(&config, &["user", "sessions", "rel-mgr"], None);
    assert!(listing.status.success());
    let listed = String::from_utf8_lossy(&listing.stdout).to_string();
    assert_eq!(listed.lines().count(), 1, "a header, no session: {listed}");
    let rights = regatta(&config, &["user", "rights", "rel-mgr"], None);
    let rights = String::from_utf8_lossy(&rights.stdout).to_string();
    assert!(
        rights.starts_with("rel-mgr: global role developer"),
        "{rights}"
    );

    let actions = audit_actions(&dir.path().join("regatta.db"));
    assert_eq!(
        actions,
        [
            "user.add",
            "user.disable",
            "user.enable",
            "user.role",
            "user.sessions.end"
        ]
    );
}

fn audit_actions(database: &std::path::Path) -> Vec<String> {
    let rows = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(end2end::audit::rows(database));
    rows.into_iter().map(|row| row.action).collect()
}

#[tokio::test]
async fn promote_copies_a_tag_along_the_pipeline_from_the_command_line() {
    let registry = end2end::RegistryFixture::start_seeded(end2end::RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = settings_file(
        &dir,
        SettingsFile::new()
            .registry(Registry::new("local", &registry.url))
            .environment(Environment::new("dev", "local").prefix("dev/"))
            .environment(Environment::new("staging", "local").prefix("staging/")),
    );
    let promoted = regatta(
        &config,
        &[
            "promote",
            "local/dev/shop-api:1.2.0",
            "--to",
            "staging",
            "--as",
            "rc1",
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&promoted.stdout);
    assert!(promoted.status.success(), "{:?}", stderr_lines(&promoted));
    assert!(
        stdout.contains("to local/staging/shop-api:rc1") && stdout.contains("0 bytes moved"),
        "{stdout}"
    );

    let unknown = regatta(
        &config,
        &["promote", "local/dev/shop-api:1.2.0", "--to", "qa"],
        None,
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        stderr_lines(&unknown),
        ["regatta: Environment `qa` not found."]
    );
}

#[tokio::test]
async fn storage_prints_the_accounting_of_the_index_as_text_or_json() {
    let registry = end2end::RegistryFixture::start_seeded(end2end::RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::new("local", &registry.url))
        .environment(Environment::new("dev", "local").prefix("dev/"));
    let config = settings_file(&dir, settings);
    // The CLI reads the index; a crawl fills it (the server does this at start).
    let services =
        regatta_core::Services::start(regatta_core::config::load_settings(&config).unwrap())
            .await
            .unwrap();
    regatta_core::index::crawl_registry(&services, "local")
        .await
        .unwrap();

    let json = regatta(&config, &["storage", "--by", "namespace", "--json"], None);
    assert!(json.status.success(), "{:?}", stderr_lines(&json));
    let accounts: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let local = &accounts[0];
    assert_eq!(local["registry"], "local");
    let bytes = |v: &serde_json::Value, key: &str| v[key].as_u64().unwrap();
    assert!(
        bytes(local, "stored_bytes") < bytes(local, "logical_bytes"),
        "the shared base layer is stored once: {local}"
    );
    let scopes = local["scopes"].as_array().unwrap();
    let names: Vec<&str> = scopes
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"dev") && names.contains(&"staging"),
        "{names:?}"
    );
    // No scope holds more than the registry, and what scopes hold alone is counted once.
    let exclusive: u64 = scopes.iter().map(|s| bytes(s, "exclusive_bytes")).sum();
    assert!(exclusive <= bytes(local, "stored_bytes"), "{local}");
    for scope in scopes {
        assert!(
            bytes(scope, "stored_bytes") <= bytes(local, "stored_bytes"),
            "{scope}"
        );
    }

    let text = regatta(&config, &["storage", "local"], None);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.starts_with("local ") && stdout.contains("stored "),
        "{stdout}"
    );
    let snapshot = regatta(&config, &["storage", "snapshot"], None);
    let said = String::from_utf8_lossy(&snapshot.stdout);
    assert!(snapshot.status.success(), "{:?}", stderr_lines(&snapshot));
    let written: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM storage_snapshots")
        .fetch_one(&services.db)
        .await
        .unwrap();
    assert!(
        written > 0 && said.trim_end().ends_with(&format!(": {written} rows")),
        "{said}"
    );

    let wrong = regatta(&config, &["storage", "--by", "size"], None);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr_lines(&wrong)[0].contains("Unknown grouping `size`"));
}

#[tokio::test]
async fn delete_asks_deletes_and_the_trash_restores_from_the_command_line() {
    let registry = end2end::RegistryFixture::start_seeded(end2end::RegistryOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = settings_file(
        &dir,
        SettingsFile::new()
            .registry(Registry::new("local", &registry.url))
            .demo_pipeline("local"),
    );
    // No server and no crawl: the CLI looks the named tags up itself.
    let deleted = regatta(
        &config,
        &["delete", "local/dev/shop-api:1.1.0", "--yes"],
        None,
    );
    let stdout = String::from_utf8_lossy(&deleted.stdout);
    assert!(
        deleted.status.success(),
        "{stdout} {:?}",
        stderr_lines(&deleted)
    );
    assert!(
        stdout.contains("deleted local/dev/shop-api:1.1.0 (with its image; trash #1)")
            && stdout.contains("garbage collection will free"),
        "{stdout}"
    );
    let listed = regatta(&config, &["trash", "list"], None);
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(
        stdout.starts_with("#1") && stdout.contains("local/dev/shop-api:1.1.0"),
        "{stdout}"
    );
    let restored = regatta(&config, &["trash", "restore", "1"], None);
    let stdout = String::from_utf8_lossy(&restored.stdout);
    assert!(
        stdout.starts_with("restored local/dev/shop-api:1.1.0 at sha256:"),
        "{stdout}"
    );

    // Protected prod asks for the reference; a wrong answer deletes nothing.
    let refused = regatta(
        &config,
        &["delete", "local/prod/shop-api:1.0.0"],
        Some("y\n"),
    );
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(
        stdout.contains("type `prod/shop-api:1.0.0` to delete") && stdout.contains("not deleted"),
        "{stdout}"
    );
    let typed = regatta(
        &config,
        &["delete", "local/prod/shop-api:1.0.0"],
        Some("prod/shop-api:1.0.0\n"),
    );
    assert!(String::from_utf8_lossy(&typed.stdout).contains("deleted local/prod/shop-api:1.0.0"));

    let by_digest = regatta(&config, &["delete", "local/dev/shop-api@sha256:0000000000000000000000000000000000000000000000000000000000000000"], None);
    assert_eq!(by_digest.status.code(), Some(1));
    assert!(stderr_lines(&by_digest)[0].contains("a tag: deleting by digest"));
    let rows = end2end::audit::rows(&dir.path().join("regatta.db")).await;
    let actions: Vec<String> = rows.into_iter().map(|row| row.action).collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "tag.delete").count(),
        2,
        "{actions:?}"
    );
    assert!(actions.contains(&"tag.restore".to_string()));
}

#[tokio::test]
async fn gc_prints_the_prediction_then_the_run_and_refuses_a_registry_without_a_driver() {
    let registry = end2end::RegistryFixture::start_seeded(end2end::RegistryOptions {
        supervised: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = settings_file(
        &dir,
        SettingsFile::new()
            .registry(Registry::fixture("local", &registry).gc(registry.gc_settings()))
            .registry(Registry::fixture("plain", &registry)),
    );
    let output = regatta(&config, &["gc", "local", "--dry-run", "--json"], None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "the prediction, then the run");
    assert_eq!(lines[0]["prediction"]["registry"], "local");
    let run = &lines[1]["run"];
    assert_eq!(
        (run["status"].as_str(), run["dry_run"].as_bool()),
        (Some("done"), Some(true))
    );
    assert!(
        run["blobs_marked"].as_i64().unwrap() > 0,
        "the registry's own count: {run}"
    );

    let history = regatta(&config, &["gc", "history", "local"], None);
    let text = String::from_utf8_lossy(&history.stdout);
    assert!(
        text.contains("#1") && text.contains("dry run") && text.contains("done"),
        "{text}"
    );

    let refused = regatta(&config, &["gc", "plain"], None);
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("Garbage collection is not run by Regatta here"),
        "{said}"
    );
}
