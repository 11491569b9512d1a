//! The documented example must stay a valid settings file, its commented-out retention
//! policy included.

const EXAMPLE: &str = include_str!("../../../regatta.example.toml");

#[test]
fn the_example_settings_file_parses() {
    let settings =
        regatta_core::config::parse_settings("regatta.example.toml", EXAMPLE, &[]).unwrap();
    assert_eq!(settings.environments.len(), 3);
    assert!(settings.environments[2].protected);
    assert!(
        settings.retention.is_empty(),
        "the example policy is commented out"
    );
}

#[test]
fn the_example_retention_policy_is_valid_once_uncommented() {
    let start = EXAMPLE
        .find("# [[retention]]")
        .expect("the example has a policy");
    let policy: String = EXAMPLE[start..]
        .lines()
        .map_while(|line| line.strip_prefix("# "))
        .map(|line| format!("{line}\n"))
        .collect();
    let text = format!("{EXAMPLE}\n{policy}");
    let settings =
        regatta_core::config::parse_settings("regatta.example.toml", &text, &[]).unwrap();
    let policy = &settings.retention[0];
    assert_eq!(policy.name, "dev-cleanup");
    assert_eq!(policy.keep.most_recent, Some(10));
    assert!(policy.keep.promoted);
}
