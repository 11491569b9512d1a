use super::When;
use serde::{Deserialize, Serialize};

/// The /admin/users page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersOverview {
    pub users: Vec<UserItem>,
    /// A password just generated (a new user's, or a reset): (user, password). Shown this once;
    /// it was kept in the session, never in an address, and is gone from it now.
    pub one_time_password: Option<(String, String)>,
    /// What a grant may name: `registry:NAME` and `environment:NAME` of the configuration.
    pub places: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserItem {
    pub username: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: When,
    pub last_login_at: Option<When>,
    /// `local` (a password here) or `sso` (single sign-on: role and some grants follow the
    /// provider's groups at each login).
    pub source: String,
    pub grants: Vec<GrantItem>,
}

/// A login session as listed on /settings and an admin's page of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionItem {
    pub id: i64,
    pub created_at: When,
    pub last_seen_at: When,
    pub source: String,
    pub agent: Option<String>,
    /// The session this page was asked from.
    pub current: bool,
}

#[cfg(feature = "ssr")]
impl SessionItem {
    pub fn new(row: &regatta_core::sessions::SessionRow, current: Option<i64>) -> Self {
        Self {
            id: row.id,
            created_at: row.created_at.into(),
            last_seen_at: row.last_seen_at.into(),
            source: row.source.clone(),
            agent: row.agent.clone(),
            current: current == Some(row.id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantItem {
    /// `registry:NAME` or `environment:NAME`.
    pub place: String,
    pub role: String,
}

/// What a user may do where (their settings page; an admin's page of the user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsView {
    pub username: String,
    pub global: String,
    pub grants: Vec<GrantItem>,
    pub registries: Vec<RegistryRightsItem>,
    /// Grants naming a place no longer configured.
    pub idle_grants: Vec<String>,
    /// For an admin's page: the places a grant may name.
    pub places: Vec<String>,
    /// The user's sessions that count now.
    pub sessions: Vec<SessionItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRightsItem {
    pub name: String,
    pub role: String,
    pub from: String,
    pub may: Vec<String>,
    pub environments: Vec<EnvironmentRightsItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentRightsItem {
    pub name: String,
    pub role: String,
    pub from: String,
    pub may: Vec<String>,
    pub may_not: Vec<String>,
}

#[cfg(feature = "ssr")]
impl From<&regatta_core::users::User> for UserItem {
    fn from(user: &regatta_core::users::User) -> Self {
        Self {
            username: user.username.clone(),
            role: user.role.to_string(),
            disabled: user.disabled,
            created_at: user.created_at.into(),
            last_login_at: user.last_login_at.map(Into::into),
            source: match user.sso_subject {
                Some(_) => "sso".into(),
                None => "local".into(),
            },
            grants: grant_items(user),
        }
    }
}

#[cfg(feature = "ssr")]
fn grant_items(user: &regatta_core::users::User) -> Vec<GrantItem> {
    (user.grants.iter())
        .map(|g| GrantItem {
            place: g.place.to_string(),
            role: g.role.to_string(),
        })
        .collect()
}

/// `registry:NAME` and `environment:NAME` of every configured place, for the grant forms.
#[cfg(feature = "ssr")]
pub fn grant_places(settings: &regatta_core::config::Settings) -> Vec<String> {
    let registries = settings
        .registries
        .iter()
        .map(|r| format!("registry:{}", r.name));
    let environments = (settings.environments.iter()).map(|e| format!("environment:{}", e.name));
    registries.chain(environments).collect()
}

#[cfg(feature = "ssr")]
impl RightsView {
    pub fn new(
        user: &regatta_core::users::User,
        settings: &regatta_core::config::Settings,
        places: Vec<String>,
        sessions: Vec<SessionItem>,
    ) -> Self {
        let rights = regatta_core::auth::effective_rights(user, settings);
        Self {
            username: user.username.clone(),
            global: rights.global.to_string(),
            grants: grant_items(user),
            registries: (rights.registries.into_iter())
                .map(|r| RegistryRightsItem {
                    name: r.name,
                    role: r.role.to_string(),
                    from: r.from,
                    may: r.may,
                    environments: (r.environments.into_iter())
                        .map(|e| EnvironmentRightsItem {
                            name: e.name,
                            role: e.role.to_string(),
                            from: e.from,
                            may: e.may,
                            may_not: e.may_not,
                        })
                        .collect(),
                })
                .collect(),
            idle_grants: rights.idle_grants.iter().map(|g| g.to_string()).collect(),
            places,
            sessions,
        }
    }
}

/// One's API tokens on /settings, and a token just made (shown this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokensView {
    pub tokens: Vec<TokenItem>,
    pub new_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenItem {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub created_at: When,
    pub expires_at: Option<When>,
    pub last_used_at: Option<When>,
}
