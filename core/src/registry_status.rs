//! "Is this registry up, and do our credentials work?" — asked from the dashboard.

use crate::auth::require_read;
use crate::registry::RegistryHealth;
use crate::users::User;
use crate::{DomainError, Services};

pub async fn check_registry(
    services: &Services,
    user: &User,
    name: &str,
) -> Result<RegistryHealth, DomainError> {
    require_read(user, &services.settings, name)?;
    Ok(services.registry_client(name)?.ping().await)
}
