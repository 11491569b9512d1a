//! Who may promote what where, from the pipeline in the configuration: forward along the order
//! (dev → staging → prod) for developers, one stage at a time; maintainers may skip stages and
//! promote into protected ones; admins may promote anywhere. Enforced on the server for every
//! request, whatever the UI shows.

use crate::config::{EnvironmentConfig, Settings};
use crate::users::{Role, User};
use crate::DomainError;

/// A stage of the pipeline and its position in it.
#[derive(Debug, Clone, Copy)]
pub struct Stage<'a> {
    pub position: usize,
    pub environment: &'a EnvironmentConfig,
}

/// The stage `repository` of `registry` belongs to: the environment with the longest prefix
/// that matches (an empty prefix matches the whole registry).
pub fn stage_of<'a>(settings: &'a Settings, registry: &str, repository: &str) -> Option<Stage<'a>> {
    settings
        .environments
        .iter()
        .enumerate()
        .filter(|(_, e)| e.registry == registry && repository.starts_with(&e.prefix))
        .max_by_key(|(_, e)| e.prefix.len())
        .map(|(position, environment)| Stage {
            position,
            environment,
        })
}

pub fn stage_named<'a>(settings: &'a Settings, name: &str) -> Result<Stage<'a>, DomainError> {
    settings
        .environments
        .iter()
        .enumerate()
        .find(|(_, e)| e.name == name)
        .map(|(position, environment)| Stage {
            position,
            environment,
        })
        .ok_or_else(|| DomainError::NotFound(format!("Environment `{name}`")))
}

/// The repository in `to` that corresponds to `repository` in `from`: the prefix is swapped
/// (dev/shop-api → staging/shop-api).
pub fn target_repository(from: Option<Stage<'_>>, to: Stage<'_>, repository: &str) -> String {
    let rest = from
        .and_then(|f| repository.strip_prefix(f.environment.prefix.as_str()))
        .unwrap_or(repository);
    format!("{}{rest}", to.environment.prefix)
}

/// Refuses, with the reason, a promotion `user` may not make. The role that counts is the
/// user's role in the target environment (global, or granted on its registry or on it).
pub fn check(user: &User, from: Option<Stage<'_>>, to: Stage<'_>) -> Result<(), DomainError> {
    let role = crate::auth::role_in_environment(user, to.environment);
    let require = |need: Role| {
        if role >= need {
            Ok(())
        } else {
            Err(DomainError::Forbidden {
                have: format!("{role} in {}", to.environment.name),
                need: need.to_string(),
            })
        }
    };
    require(Role::Developer)?;
    if role >= Role::Admin {
        return Ok(());
    }
    let Some(from) = from else {
        return Err(DomainError::NotAllowed(
            "This repository is in no environment of the pipeline; only an admin may promote it."
                .into(),
        ));
    };
    if to.position <= from.position {
        return Err(DomainError::NotAllowed(format!(
            "Promotion goes forward along the pipeline; {} → {} needs an admin.",
            from.environment.name, to.environment.name
        )));
    }
    if to.environment.protected || to.position > from.position + 1 {
        require(Role::Maintainer)?;
    }
    Ok(())
}
