//! The documented example must stay a valid settings file.

#[test]
fn the_example_settings_file_parses() {
    let text = include_str!("../../../regatta.example.toml");
    let settings = regatta_core::config::parse_settings("regatta.example.toml", text, &[]).unwrap();
    assert_eq!(settings.environments.len(), 3);
    assert!(settings.environments[2].protected);
}
