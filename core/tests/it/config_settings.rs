//! The settings file: what it accepts, and the one-line errors for what it does not.

use regatta_core::config::{parse_settings, ConfigError, RegistryAuth};

const VALID: &str = r#"
listen = "127.0.0.1:3999"
database = "data/test.db"

[[registry]]
name = "local"
url = "http://127.0.0.1:5000"

[[registry]]
name = "ci"
url = "https://registry.example.test"
auth = { kind = "basic", username = "ci", password_env = "CI_REGISTRY_PASSWORD" }

[[environment]]
name = "dev"
registry = "local"
prefix = "dev/"

[[environment]]
name = "prod"
registry = "local"
prefix = "prod/"
protected = true
"#;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn error_line(text: &str, vars: &[(&str, &str)]) -> String {
    let error: ConfigError = parse_settings("regatta.toml", text, &env(vars)).unwrap_err();
    let line = error.to_string();
    assert!(!line.contains('\n'), "errors are one line: {line:?}");
    line
}

#[test]
fn a_complete_file_parses_with_pipeline_order_kept() {
    let settings = parse_settings(
        "regatta.toml",
        VALID,
        &env(&[("CI_REGISTRY_PASSWORD", "x")]),
    )
    .unwrap();
    assert_eq!(settings.listen.port(), 3999);
    assert_eq!(settings.registries.len(), 2);
    assert!(matches!(
        settings.registries[1].auth,
        RegistryAuth::Basic { .. }
    ));
    let names: Vec<_> = settings
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["dev", "prod"]);
    assert!(settings.environments[1].protected);
    assert_eq!(settings.session.idle_timeout_minutes, 480);
}

#[test]
fn environment_variables_override_scalar_keys() {
    let vars = [
        ("CI_REGISTRY_PASSWORD", "x"),
        ("REGATTA_LISTEN", "0.0.0.0:8080"),
        ("REGATTA_SESSION__SECURE_COOKIE", "true"),
        ("REGATTA_ADMIN_PASSWORD", "not a setting, ignored"),
    ];
    let settings = parse_settings("regatta.toml", VALID, &env(&vars)).unwrap();
    assert_eq!(settings.listen.to_string(), "0.0.0.0:8080");
    assert!(settings.session.secure_cookie);
}

#[test]
fn an_unknown_key_is_named_with_its_table() {
    let text = "[[registry]]\nname = \"local\"\nurll = \"http://x\"\n";
    let line = error_line(text, &[]);
    assert!(
        line.starts_with("regatta.toml: registry[0].urll: unknown field `urll`"),
        "{line}"
    );
}

#[test]
fn a_registry_without_url_is_named() {
    let line = error_line("[[registry]]\nname = \"local\"\n", &[]);
    assert_eq!(line, "regatta.toml: registry[0]: missing field `url`");
}

#[test]
fn an_unreadable_ca_file_is_named() {
    let text =
        "[[registry]]\nname = \"a\"\nurl = \"https://r.test\"\nca_file = \"/nonexistent/ca.pem\"\n";
    let line = error_line(text, &[]);
    assert!(
        line.starts_with(
            "regatta.toml: registry[0].ca_file: cannot read CA file /nonexistent/ca.pem"
        ),
        "{line}"
    );
}

#[test]
fn cross_references_and_secrets_are_checked() {
    let line = error_line(VALID, &[]);
    assert!(
        line.contains(
            "registry[1].auth.password_env: environment variable CI_REGISTRY_PASSWORD is not set"
        ),
        "{line}"
    );
    let text = "[[registry]]\nname = \"a\"\nurl = \"http://r.test\"\n[[environment]]\nname = \"dev\"\nregistry = \"b\"\n";
    assert!(error_line(text, &[]).contains("environment[0].registry: no [[registry]] is named `b`"));
    let text = "[[registry]]\nname = \"a\"\nurl = \"ftp://r.test\"\n";
    assert!(
        error_line(text, &[]).contains("registry[0].url: `ftp://r.test/` is not an http(s) URL")
    );
}

#[test]
fn syntax_errors_give_the_line() {
    let line = error_line("listen = \"127.0.0.1:3000\"\ndatabase = \n", &[]);
    assert!(line.starts_with("regatta.toml: line 2: "), "{line}");
}

#[test]
fn secrets_are_redacted_in_debug_output() {
    let text = "[[registry]]\nname = \"a\"\nurl = \"http://r.test\"\nauth = { kind = \"basic\", username = \"u\", password = \"hunter22\" }\n";
    let settings = parse_settings("regatta.toml", text, &[]).unwrap();
    let debug = format!("{settings:?}");
    assert!(!debug.contains("hunter22"), "{debug}");
}

#[test]
fn a_password_in_a_url_is_refused_without_repeating_it() {
    let text = "[[registry]]\nname = \"a\"\nurl = \"https://ci:hunter22@r.test\"\n";
    let line = error_line(text, &[]);
    assert!(
        line.contains("registry[0].url: must not contain a user name or password"),
        "{line}"
    );
    assert!(!line.contains("hunter22"), "{line}");
    let text = "public_url = \"https://admin@regatta.test\"\n";
    assert!(error_line(text, &[]).contains("public_url: must not contain a user name"));
}

#[test]
fn the_public_url_is_an_origin() {
    let line = error_line("public_url = \"https://regatta.test/dashboard\"\n", &[]);
    assert!(
        line.contains("public_url: `https://regatta.test/dashboard` is not an http(s) origin"),
        "{line}"
    );
    let settings = parse_settings(
        "regatta.toml",
        "public_url = \"https://regatta.test\"\n",
        &[],
    )
    .unwrap();
    assert_eq!(
        settings.public_url.unwrap().origin().ascii_serialization(),
        "https://regatta.test"
    );
}
