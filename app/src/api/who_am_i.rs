use crate::dto::CurrentUser;
use crate::AppError;
use leptos::prelude::*;

/// The logged-in user, for the header of every page.
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn who_am_i() -> Result<CurrentUser, AppError> {
    use crate::ssr::{current_user, services};
    let user = current_user(&services()?).await?;
    Ok((&user).into())
}
