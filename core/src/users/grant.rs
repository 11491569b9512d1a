//! Grants: a role in one registry or one environment, beside the user's global role. A user's
//! role at a place is the highest of the global role and the grants that cover the place (an
//! environment is inside its registry, so a registry grant covers its environments too).

use super::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a grant covers: a configured registry or environment, by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scope", content = "name", rename_all = "lowercase")]
pub enum Place {
    Registry(String),
    Environment(String),
}

impl Place {
    pub fn scope(&self) -> &'static str {
        match self {
            Place::Registry(_) => "registry",
            Place::Environment(_) => "environment",
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Place::Registry(name) | Place::Environment(name) => name,
        }
    }

    pub(crate) fn from_parts(scope: &str, name: String) -> Result<Self, String> {
        match scope {
            "registry" => Ok(Place::Registry(name)),
            "environment" => Ok(Place::Environment(name)),
            other => Err(format!("unknown grant scope `{other}`")),
        }
    }
}

/// `registry:NAME` or `environment:NAME`, as the CLI and the forms write a place.
impl FromStr for Place {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let explain = || {
            format!("`{raw}` is not a place: write registry:NAME or environment:NAME (env:NAME)")
        };
        let (scope, name) = raw.trim().split_once(':').ok_or_else(explain)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(explain());
        }
        let scope = match scope.trim() {
            "registry" | "reg" => "registry",
            "environment" | "env" => "environment",
            _ => return Err(explain()),
        };
        Self::from_parts(scope, name.to_string())
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scope(), self.name())
    }
}

/// A role at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub place: Place,
    pub role: Role,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {}", self.role, self.place)
    }
}

/// A grant's role: `none` grants nothing, so it is refused (revoke instead).
pub fn grantable(role: Role) -> Result<Role, String> {
    match role {
        Role::NoAccess => Err("a grant gives a role: viewer, developer, maintainer or admin (to take one away, revoke it)".into()),
        role => Ok(role),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_parse_from_scope_and_name_and_bad_text_is_explained() {
        assert_eq!(
            "registry:team-a".parse::<Place>(),
            Ok(Place::Registry("team-a".into()))
        );
        assert_eq!(
            "env:staging".parse::<Place>(),
            Ok(Place::Environment("staging".into()))
        );
        assert_eq!(
            Place::Environment("prod".into()).to_string(),
            "environment:prod"
        );
        for bad in ["team-a", "registry:", "project:x"] {
            assert!(bad.parse::<Place>().unwrap_err().contains("not a place"));
        }
        assert!(grantable(Role::NoAccess).is_err());
    }
}
