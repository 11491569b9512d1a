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

#[test]
fn every_example_gc_driver_is_valid_once_uncommented() {
    use regatta_core::config::GcKind;
    let blocks: Vec<String> = EXAMPLE
        .match_indices("# [registry.gc]")
        .map(|(start, _)| {
            EXAMPLE[start..]
                .lines()
                .map_while(|line| line.strip_prefix("# "))
                .map(|line| format!("{line}\n"))
                .collect()
        })
        .collect();
    assert_eq!(
        blocks.len(),
        5,
        "systemd, compose, kubectl, Harbor, the demo"
    );
    let env = [("HARBOR_GC_PASSWORD".to_string(), "secret".to_string())];
    let mut kinds = Vec::new();
    for block in blocks {
        let text = format!("{EXAMPLE}\n{block}");
        let settings = regatta_core::config::parse_settings("regatta.example.toml", &text, &env)
            .unwrap_or_else(|e| panic!("{e}\n{block}"));
        let gc = settings.registries[0].gc.clone().expect("the driver");
        if gc.kind == GcKind::Command {
            assert!(gc
                .collect
                .as_deref()
                .unwrap()
                .contains("garbage-collect {dry_run}"));
            assert!(gc.maintenance_on.is_some() && gc.maintenance_off.is_some());
        }
        kinds.push(gc.kind);
    }
    assert_eq!(kinds.iter().filter(|k| **k == GcKind::Harbor).count(), 1);
}

#[test]
fn the_example_single_sign_on_is_valid_once_uncommented() {
    use regatta_core::users::Role;
    let start = EXAMPLE.find("# [oidc]").expect("the example has [oidc]");
    let block: String = EXAMPLE[start..]
        .lines()
        .map_while(|line| line.strip_prefix("# "))
        .map(|line| format!("{line}\n"))
        .collect();
    let text = format!("public_url = \"https://regatta.example.com/\"\n{EXAMPLE}\n{block}");
    let env = [("REGATTA_OIDC_CLIENT_SECRET".to_string(), "s".to_string())];
    let settings =
        regatta_core::config::parse_settings("regatta.example.toml", &text, &env).unwrap();
    let oidc = settings.oidc.expect("[oidc] parsed");
    assert_eq!(oidc.mappings.len(), 2);
    assert_eq!(oidc.default_role, Role::NoAccess);
    assert_eq!(
        oidc.mappings[1]
            .place
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("registry:local")
    );
    let refused = regatta_core::config::parse_settings("regatta.example.toml", &text, &[])
        .unwrap_err()
        .to_string();
    assert!(refused.contains("REGATTA_OIDC_CLIENT_SECRET"), "{refused}");
}
