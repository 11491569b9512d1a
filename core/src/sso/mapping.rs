//! From a person's groups at the provider to their role and grants here, by `[[oidc.map]]`.

use crate::config::OidcConfig;
use crate::users::{Grant, Role};

/// The global role and the grants that `groups` give: the highest mapped global role (or the
/// default role), and per place the highest mapped role there.
pub fn rights_from_groups(config: &OidcConfig, groups: &[String]) -> (Role, Vec<Grant>) {
    let mut role = config.default_role;
    let mut grants: Vec<Grant> = Vec::new();
    for mapping in config.mappings.iter().filter(|m| groups.contains(&m.group)) {
        match &mapping.place {
            None => role = role.max(mapping.role),
            Some(place) => match grants.iter_mut().find(|g| &g.place == place) {
                Some(grant) => grant.role = grant.role.max(mapping.role),
                None => grants.push(Grant {
                    place: place.clone(),
                    role: mapping.role,
                }),
            },
        }
    }
    (role, grants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_settings;

    #[test]
    fn groups_map_to_the_highest_role_and_one_grant_per_place() {
        let settings = parse_settings(
            "t.toml",
            r#"
            public_url = "http://127.0.0.1:3000/"
            [[registry]]
            name = "team-a"
            url = "http://127.0.0.1:5000"
            [oidc]
            issuer = "http://127.0.0.1:9000"
            client_id = "regatta"
            client_secret_env = "SECRET"
            default_role = "viewer"
            [[oidc.map]]
            group = "platform-admins"
            role = "admin"
            [[oidc.map]]
            group = "team-a"
            role = "developer"
            place = "registry:team-a"
            [[oidc.map]]
            group = "team-a-leads"
            role = "maintainer"
            place = "registry:team-a"
            "#,
            &[("SECRET".into(), "s".into())],
        )
        .unwrap();
        let config = settings.oidc.unwrap();
        let groups = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(rights_from_groups(&config, &[]), (Role::Viewer, vec![]));
        let (role, grants) = rights_from_groups(&config, &groups(&["team-a", "team-a-leads"]));
        assert_eq!(role, Role::Viewer);
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].to_string(), "maintainer in registry:team-a");
        let (role, _) = rights_from_groups(&config, &groups(&["platform-admins", "other"]));
        assert_eq!(role, Role::Admin);
    }
}
