//! Who may delete what, enforced here for every caller (page, API, CLI): viewers never;
//! developers in environments that are neither protected nor immutable; maintainers also in
//! repositories outside every environment; in protected or immutable-tag environments only an
//! admin, and only after typing what goes (the reference for one tag, the repository name for
//! several tags or the whole repository). The messages say which rule refused.

use crate::config::Settings;
use crate::promotion::rules::stage_of;
use crate::users::{Role, User};
use crate::DomainError;

/// What is being deleted, for the rules and for the text a guarded deletion asks to type.
#[derive(Debug, Clone, Copy)]
pub enum Doomed<'a> {
    /// One tag of the repository.
    Tag(&'a str),
    /// Several tags of the repository.
    Tags,
    /// Every tag of the repository.
    Repository,
}

/// The text an admin must type to delete `doomed` from `repository` of a guarded environment.
pub fn confirmation_text(repository: &str, doomed: Doomed<'_>) -> String {
    match doomed {
        Doomed::Tag(tag) => format!("{repository}:{tag}"),
        Doomed::Tags | Doomed::Repository => repository.to_string(),
    }
}

/// Whether the environment of `repository` asks for a typed confirmation (and an admin).
pub fn is_guarded(settings: &Settings, registry: &str, repository: &str) -> bool {
    stage_of(settings, registry, repository)
        .is_some_and(|s| s.environment.protected || s.environment.immutable_tags)
}

/// Refuses, with the reason, a deletion `user` may not make. `typed` is the confirmation the
/// user typed, checked in guarded environments only.
pub fn check(
    user: &User,
    settings: &Settings,
    registry: &str,
    repository: &str,
    doomed: Doomed<'_>,
    typed: Option<&str>,
) -> Result<(), DomainError> {
    // The role that counts is the one at this repository: global, or granted on its registry
    // or its environment.
    let role = crate::auth::role_at(user, settings, registry, repository);
    if role < Role::Developer {
        return Err(DomainError::Forbidden {
            have: format!("{role} at {registry}/{repository}"),
            need: Role::Developer.to_string(),
        });
    }
    let Some(stage) = stage_of(settings, registry, repository) else {
        if role < Role::Maintainer {
            return Err(DomainError::NotAllowed(format!(
                "`{repository}` is in no environment of the pipeline: deleting there needs a maintainer."
            )));
        }
        return Ok(());
    };
    let environment = stage.environment;
    let guard = match (environment.protected, environment.immutable_tags) {
        (true, _) => "protected",
        (false, true) => "immutable-tag",
        (false, false) => return Ok(()),
    };
    if role < Role::Admin {
        return Err(DomainError::NotAllowed(format!(
            "`{}` is a {guard} environment: only an admin may delete there.",
            environment.name
        )));
    }
    let wanted = confirmation_text(repository, doomed);
    if typed.map(str::trim) != Some(wanted.as_str()) {
        return Err(DomainError::NotAllowed(format!(
            "`{}` is a {guard} environment: type `{wanted}` to confirm the deletion.",
            environment.name
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_settings;

    fn settings() -> Settings {
        parse_settings(
            "t.toml",
            r#"
            [[registry]]
            name = "r"
            url = "http://127.0.0.1:5000"
            [[environment]]
            name = "dev"
            registry = "r"
            prefix = "dev/"
            [[environment]]
            name = "staging"
            registry = "r"
            prefix = "staging/"
            immutable_tags = true
            [[environment]]
            name = "prod"
            registry = "r"
            prefix = "prod/"
            protected = true
            "#,
            &[],
        )
        .unwrap()
    }

    fn may(role: Role, repository: &str, doomed: Doomed<'_>, typed: Option<&str>) -> bool {
        let user = User::not_stored("u", role);
        check(&user, &settings(), "r", repository, doomed, typed).is_ok()
    }

    #[test]
    fn each_role_deletes_where_the_rules_say() {
        let one = Doomed::Tag("1.0");
        assert!(!may(Role::Viewer, "dev/app", one, None));
        assert!(may(Role::Developer, "dev/app", one, None));
        assert!(!may(Role::Developer, "tools/app", one, None), "outside");
        assert!(may(Role::Maintainer, "tools/app", one, None));
        for guarded in ["prod/app", "staging/app"] {
            assert!(!may(Role::Maintainer, guarded, one, None));
            assert!(!may(Role::Admin, guarded, one, None), "untyped");
            assert!(!may(Role::Admin, guarded, one, Some("prod/app")));
        }
        assert!(may(Role::Admin, "prod/app", one, Some("prod/app:1.0")));
        assert!(may(
            Role::Admin,
            "prod/app",
            Doomed::Repository,
            Some(" prod/app ")
        ));
        assert!(may(
            Role::Admin,
            "staging/app",
            Doomed::Tags,
            Some("staging/app")
        ));
    }

    #[test]
    fn a_refusal_says_which_rule_and_what_to_type() {
        let admin = User::not_stored("a", Role::Admin);
        let error = check(
            &admin,
            &settings(),
            "r",
            "prod/app",
            Doomed::Tag("1.0"),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("protected") && error.contains("`prod/app:1.0`"),
            "{error}"
        );
        let developer = User::not_stored("d", Role::Developer);
        let error = check(
            &developer,
            &settings(),
            "r",
            "staging/app",
            Doomed::Tags,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("immutable-tag") && error.contains("only an admin"),
            "{error}"
        );
    }
}
