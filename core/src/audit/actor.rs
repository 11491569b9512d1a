use crate::users::{Role, User};

/// Who acts, and from where: the user whose role the rules check and the audit trail names,
/// and the source address (or `cli`, `first start`) recorded beside it.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub source: String,
}

impl Actor {
    pub fn new(user: User, source: impl Into<String>) -> Self {
        Self {
            user,
            source: source.into(),
        }
    }

    /// Regatta itself (the first admin is made by no one).
    pub fn system(source: &str) -> Self {
        Self::new(User::not_stored("regatta", Role::Admin), source)
    }
}
