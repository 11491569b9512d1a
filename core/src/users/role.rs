use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What a user may do, each role including the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Nothing beyond what the user's grants give (stored as `none`).
    #[serde(rename = "none")]
    NoAccess,
    /// Browse and search.
    Viewer,
    /// Also promote into and delete from unprotected environments.
    Developer,
    /// Also promote into protected environments, run retention and GC.
    Maintainer,
    /// Also manage users and see the full audit trail.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::NoAccess,
        Role::Viewer,
        Role::Developer,
        Role::Maintainer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::NoAccess => "none",
            Role::Viewer => "viewer",
            Role::Developer => "developer",
            Role::Maintainer => "maintainer",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}`: use none, viewer, developer, maintainer or admin")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::NoAccess < Role::Viewer);
        assert!(Role::Viewer < Role::Developer);
        assert!(Role::Maintainer < Role::Admin);
    }

    #[test]
    fn role_names_round_trip_and_unknown_names_are_explained() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root"
            .parse::<Role>()
            .unwrap_err()
            .contains("unknown role `root`"));
    }
}
