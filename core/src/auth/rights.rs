//! A user's role at a place: the global role raised by the grants that cover the place. Every
//! rule (browse, search, promotion, deletion, retention, GC) asks here, so "developer in
//! staging" means the same thing everywhere. Pure functions over the session's user, whose
//! grants come with it from the [`super::UserCache`]: a check costs a scan of a few grants.

use crate::config::{EnvironmentConfig, Settings};
use crate::promotion::rules::stage_of;
use crate::users::{Place, Role, User};
use crate::DomainError;

/// The role of `user` in the whole of `registry` (the global role or a registry grant).
pub fn role_in_registry(user: &User, registry: &str) -> Role {
    granted(
        user,
        |place| matches!(place, Place::Registry(r) if r == registry),
    )
}

/// The role of `user` in `environment`: also raised by a grant on that environment.
pub fn role_in_environment(user: &User, environment: &EnvironmentConfig) -> Role {
    role_in_registry(user, &environment.registry).max(granted(
        user,
        |place| matches!(place, Place::Environment(e) if *e == environment.name),
    ))
}

/// The role of `user` at `repository` of `registry`: the environment it is in counts.
pub fn role_at(user: &User, settings: &Settings, registry: &str, repository: &str) -> Role {
    match stage_of(settings, registry, repository) {
        Some(stage) => role_in_environment(user, stage.environment),
        None => role_in_registry(user, registry),
    }
}

/// The highest role `user` has anywhere (whether to show a feature's page at all).
pub fn highest_role(user: &User) -> Role {
    granted(user, |_| true)
}

fn granted(user: &User, covers: impl Fn(&Place) -> bool) -> Role {
    user.grants
        .iter()
        .filter(|grant| covers(&grant.place))
        .map(|grant| grant.role)
        .fold(user.role, Role::max)
}

/// Whether `user` may read `registry`: viewer or more in the whole registry. Reading is
/// decided per registry: a grant in one environment raises what the user may do there but
/// does not show the registry's other environments (prod's names to a staging-only user), so
/// it needs a global role or a registry grant beside it to be seen; the rights view says so.
pub fn may_read(user: &User, registry: &str) -> bool {
    role_in_registry(user, registry) >= Role::Viewer
}

/// Whether `user` may read a target written `registry/repository…` (the running-task lists);
/// registry names have no `/`.
pub fn may_read_target(user: &User, target: &str) -> bool {
    may_read(user, target.split('/').next().unwrap_or_default())
}

/// Refuses a registry `user` may not read as if it did not exist: its name is all a stranger
/// could learn, and they should not.
pub fn require_read(user: &User, settings: &Settings, registry: &str) -> Result<(), DomainError> {
    if settings.registry(registry).is_some() && may_read(user, registry) {
        Ok(())
    } else {
        Err(DomainError::NotFound(format!("Registry `{registry}`")))
    }
}

/// Fails with a message naming both roles and the place when `user` is below `need` in the
/// whole of `registry`.
pub fn require_role_in(user: &User, registry: &str, need: Role) -> Result<(), DomainError> {
    let have = role_in_registry(user, registry);
    if have >= need {
        Ok(())
    } else {
        Err(DomainError::Forbidden {
            have: format!("{have} in registry {registry}"),
            need: need.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_settings;
    use crate::users::Grant;

    fn settings() -> Settings {
        parse_settings(
            "t.toml",
            r#"
            [[registry]]
            name = "a"
            url = "http://127.0.0.1:5000"
            [[registry]]
            name = "b"
            url = "http://127.0.0.1:5001"
            [[environment]]
            name = "dev"
            registry = "a"
            prefix = "dev/"
            [[environment]]
            name = "staging"
            registry = "a"
            prefix = "staging/"
            "#,
            &[],
        )
        .unwrap()
    }

    fn user(role: Role, grants: &[(&str, Role)]) -> User {
        let mut user = User::not_stored("u", role);
        user.grants = grants
            .iter()
            .map(|(place, role)| Grant {
                place: place.parse().unwrap(),
                role: *role,
            })
            .collect();
        user
    }

    #[test]
    fn grants_raise_the_global_role_only_where_they_cover() {
        let settings = settings();
        let dev = user(
            Role::Developer,
            &[("environment:staging", Role::Maintainer)],
        );
        assert_eq!(
            role_at(&dev, &settings, "a", "staging/app"),
            Role::Maintainer
        );
        assert_eq!(role_at(&dev, &settings, "a", "dev/app"), Role::Developer);
        assert_eq!(
            role_at(&dev, &settings, "b", "staging/app"),
            Role::Developer
        );
        assert_eq!(role_in_registry(&dev, "a"), Role::Developer);
        assert_eq!(highest_role(&dev), Role::Maintainer);

        let team = user(Role::NoAccess, &[("registry:a", Role::Developer)]);
        assert!(may_read(&team, "a"));
        assert!(!may_read(&team, "b"));
        assert_eq!(role_at(&team, &settings, "a", "staging/x"), Role::Developer);
        assert!(matches!(
            require_read(&team, &settings, "b"),
            Err(DomainError::NotFound(_))
        ));
        assert!(require_role_in(&team, "b", Role::Viewer)
            .unwrap_err()
            .to_string()
            .contains("none in registry b"));

        let staging_only = user(Role::NoAccess, &[("env:staging", Role::Viewer)]);
        assert!(!may_read(&staging_only, "a"), "prod's names stay hidden");
        assert_eq!(
            role_at(&staging_only, &settings, "a", "staging/x"),
            Role::Viewer
        );
    }
}
