//! "Is this registry up, and do our credentials work?" — asked from the dashboard.

use crate::auth::require_role;
use crate::registry::RegistryHealth;
use crate::users::{Role, User};
use crate::{DomainError, Services};

pub async fn check_registry(
    services: &Services,
    user: &User,
    name: &str,
) -> Result<RegistryHealth, DomainError> {
    require_role(user, Role::Viewer)?;
    Ok(services.registry_client(name)?.ping().await)
}
