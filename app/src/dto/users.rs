use super::When;
use serde::{Deserialize, Serialize};

/// The /admin/users page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersOverview {
    pub users: Vec<UserItem>,
    /// A password just generated (a new user's, or a reset): (user, password). Shown this once;
    /// it was kept in the session, never in an address, and is gone from it now.
    pub one_time_password: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserItem {
    pub username: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: When,
    pub last_login_at: Option<When>,
    /// `local` (a password here); SSO users come with single sign-on.
    pub source: String,
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
            source: "local".into(),
        }
    }
}
