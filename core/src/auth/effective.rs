//! "Why can I not promote to prod?" answered in one place: what a user may do in each
//! registry and environment, and which role (global or granted) gives it. Derived from the
//! same functions the rules call, so the view cannot disagree with what is enforced.

use super::rights::{may_read, role_in_environment, role_in_registry};
use crate::config::{EnvironmentConfig, Settings};
use crate::users::{Grant, Place, Role, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveRights {
    pub global: Role,
    pub registries: Vec<RegistryRights>,
    /// Grants naming a registry or environment that is no longer configured: they give nothing.
    pub idle_grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRights {
    pub name: String,
    pub role: Role,
    /// `global role` or `grant on registry NAME`.
    pub from: String,
    /// What the role allows in the whole registry, in words.
    pub may: Vec<String>,
    pub environments: Vec<EnvironmentRights>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentRights {
    pub name: String,
    pub role: Role,
    pub from: String,
    pub may: Vec<String>,
    /// What the role does not allow here and the role it would take.
    pub may_not: Vec<String>,
}

pub fn effective_rights(user: &User, settings: &Settings) -> EffectiveRights {
    let registries = settings
        .registries
        .iter()
        .map(|registry| {
            let name = registry.name.as_str();
            let role = role_in_registry(user, name);
            let environments = settings
                .environments
                .iter()
                .filter(|e| e.registry == name)
                .map(|e| environment_rights(user, e, may_read(user, name)))
                .collect();
            RegistryRights {
                name: name.to_string(),
                role,
                from: source(user, role, &[Place::Registry(name.to_string())]),
                may: registry_may(role),
                environments,
            }
        })
        .collect();
    let configured = |place: &Place| match place {
        Place::Registry(name) => settings.registry(name).is_some(),
        Place::Environment(name) => settings.environments.iter().any(|e| &e.name == name),
    };
    EffectiveRights {
        global: user.role,
        registries,
        idle_grants: (user.grants.iter())
            .filter(|g| !configured(&g.place))
            .cloned()
            .collect(),
    }
}

/// Which of the user's roles counts at a place covered by `places`: the global one unless a
/// grant there is higher.
fn source(user: &User, role: Role, places: &[Place]) -> String {
    let granted = (user.grants.iter()).find(|g| g.role == role && places.contains(&g.place));
    match granted {
        Some(grant) if role > user.role => format!("grant on {}", grant.place),
        _ => "global role".into(),
    }
}

fn registry_may(role: Role) -> Vec<String> {
    let mut may = Vec::new();
    if role >= Role::Viewer {
        may.push("browse and search".into());
    }
    if role >= Role::Maintainer {
        may.push("delete outside the environments".into());
        may.push("see garbage-collection predictions and history".into());
    }
    if role >= Role::Admin {
        may.push("run garbage collection".into());
    }
    may
}

fn environment_rights(
    user: &User,
    environment: &EnvironmentConfig,
    registry_readable: bool,
) -> EnvironmentRights {
    let role = role_in_environment(user, environment);
    let guarded = environment.protected || environment.immutable_tags;
    let mut may = Vec::new();
    let mut may_not = Vec::new();
    let mut rule = |allowed: bool, what: &str, needs: Role| match allowed {
        true => may.push(what.to_string()),
        false => may_not.push(format!("{what} (needs {needs})")),
    };
    if !environment.protected {
        rule(
            role >= Role::Developer,
            "promote into it from the stage before",
            Role::Developer,
        );
    }
    rule(
        role >= Role::Maintainer,
        if environment.protected {
            "promote into it (protected)"
        } else {
            "promote into it skipping stages"
        },
        Role::Maintainer,
    );
    match guarded {
        false => rule(role >= Role::Developer, "delete tags", Role::Developer),
        true => rule(
            role >= Role::Admin,
            "delete tags (typing what goes)",
            Role::Admin,
        ),
    }
    rule(
        role >= Role::Maintainer,
        "run retention policies",
        Role::Maintainer,
    );
    if !registry_readable && role > Role::NoAccess {
        may_not.push(format!(
            "see it: reading is per registry, this needs viewer on registry {}",
            environment.registry
        ));
    }
    EnvironmentRights {
        name: environment.name.clone(),
        role,
        from: source(
            user,
            role,
            &[
                Place::Registry(environment.registry.clone()),
                Place::Environment(environment.name.clone()),
            ],
        ),
        may,
        may_not,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_settings;

    #[test]
    fn the_view_names_the_role_that_counts_and_what_is_missing() {
        let settings = parse_settings(
            "t.toml",
            r#"
            [[registry]]
            name = "a"
            url = "http://127.0.0.1:5000"
            [[environment]]
            name = "staging"
            registry = "a"
            prefix = "staging/"
            [[environment]]
            name = "prod"
            registry = "a"
            prefix = "prod/"
            protected = true
            "#,
            &[],
        )
        .unwrap();
        let mut user = User::not_stored("d", Role::Developer);
        user.grants = vec![
            Grant {
                place: "environment:staging".parse().unwrap(),
                role: Role::Maintainer,
            },
            Grant {
                place: "registry:gone".parse().unwrap(),
                role: Role::Admin,
            },
        ]
        .into();
        let rights = effective_rights(&user, &settings);
        let a = &rights.registries[0];
        assert_eq!((a.role, a.from.as_str()), (Role::Developer, "global role"));
        let staging = &a.environments[0];
        assert_eq!(staging.role, Role::Maintainer);
        assert_eq!(staging.from, "grant on environment:staging");
        assert!(staging.may.iter().any(|m| m.contains("skipping stages")));
        let prod = &a.environments[1];
        assert!(prod
            .may_not
            .contains(&"promote into it (protected) (needs maintainer)".to_string()));
        assert_eq!(rights.idle_grants.len(), 1, "the grant on a gone registry");
    }
}
