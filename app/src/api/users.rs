//! Users: the admin's page (add, role, disable/enable, reset password, end sessions) and
//! everyone's settings (own password, own other sessions). Plain forms: each answers with a
//! redirect. A generated password goes to the page through the session, once, never through
//! an address.

use crate::dto::{RightsView, UsersOverview};
use crate::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "users")]
pub async fn load_users() -> Result<UsersOverview, AppError> {
    use crate::ssr::{current_user, from_domain, internal, services, session};
    let services = services()?;
    let me = current_user(&services).await?;
    let users = regatta_core::accounts_admin::users_for_admin(&services, &me)
        .await
        .map_err(from_domain)?;
    let one_time_password = session()
        .await?
        .remove::<(String, String)>(users_ssr::ONE_TIME_PASSWORD)
        .await
        .map_err(internal)?;
    Ok(UsersOverview {
        users: users.iter().map(Into::into).collect(),
        one_time_password,
        places: crate::dto::grant_places(&services.settings),
    })
}

/// What `username` may do where and their sessions (admins), or without a name the signed-in
/// user's own.
#[server(prefix = "/api", endpoint = "rights")]
pub async fn load_rights(username: Option<String>) -> Result<RightsView, AppError> {
    use crate::dto::SessionItem;
    use crate::ssr::{current_user, from_domain, internal, services, session, SESSION_ROW_KEY};
    use regatta_core::sessions;
    let services = services()?;
    let me = current_user(&services).await?;
    Ok(match username.filter(|name| *name != me.username) {
        None => {
            let key = session()
                .await?
                .get::<String>(SESSION_ROW_KEY)
                .await
                .map_err(internal)?;
            let (rows, current) = sessions::own_sessions(&services, &me, key.as_deref())
                .await
                .map_err(from_domain)?;
            let listed = rows.iter().map(|r| SessionItem::new(r, current)).collect();
            RightsView::new(&me, &services.settings, Vec::new(), listed)
        }
        Some(name) => {
            let user = regatta_core::accounts_admin::user_for_admin(&services, &me, &name)
                .await
                .map_err(from_domain)?;
            let rows = sessions::sessions_of(&services, &me, &name)
                .await
                .map_err(from_domain)?;
            let listed = rows.iter().map(|r| SessionItem::new(r, None)).collect();
            let places = crate::dto::grant_places(&services.settings);
            RightsView::new(&user, &services.settings, places, listed)
        }
    })
}

/// Ends one session: one's own from /settings (`back` absent), or a user's from their admin
/// page (`back` = the username).
#[server(prefix = "/api", endpoint = "session-end")]
pub async fn end_session(id: i64, back: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::sessions::end_session(&services, &actor, id).await;
    let back = match back.as_deref() {
        Some(name) => users_ssr::back_to(Some("user"), name),
        None => "/settings".into(),
    };
    let joint = if back.contains('?') { '&' } else { '?' };
    form_outcome(result, |_| format!("{back}{joint}changed=session"), &back).await
}

/// Gives `username` `role` at `place` (`registry:NAME`, `environment:NAME`); `back` is the
/// page to return to (the users list or the user's page).
#[server(prefix = "/api", endpoint = "user-grant")]
pub async fn admin_grant(
    username: String,
    role: String,
    place: String,
    back: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = async {
        let role = users_ssr::role(&role)?;
        let place = users_ssr::place(&place)?;
        regatta_core::accounts_admin::grant(&services, &actor, &username, place, role).await
    }
    .await;
    let back = users_ssr::back_to(back.as_deref(), &username);
    form_outcome(result, |_| format!("{back}?changed=1"), &back).await
}

#[server(prefix = "/api", endpoint = "user-revoke")]
pub async fn admin_revoke(
    username: String,
    place: String,
    back: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = match users_ssr::place(&place) {
        Ok(place) => {
            regatta_core::accounts_admin::revoke(&services, &actor, &username, place).await
        }
        Err(error) => Err(error),
    };
    let back = users_ssr::back_to(back.as_deref(), &username);
    form_outcome(result, |_| format!("{back}?changed=1"), &back).await
}

#[server(prefix = "/api", endpoint = "user-add")]
pub async fn admin_add_user(username: String, role: String) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = async {
        let role = users_ssr::role(&role)?;
        regatta_core::accounts_admin::add_user_with_generated_password(
            &services, &actor, &username, role,
        )
        .await
    }
    .await;
    let result = users_ssr::show_once(&username, result).await?;
    form_outcome(result, |_| "/admin/users?added=1".into(), "/admin/users").await
}

#[server(prefix = "/api", endpoint = "user-reset")]
pub async fn admin_reset_password(username: String) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::accounts_admin::reset_password(&services, &actor, &username).await;
    let result = users_ssr::show_once(&username, result).await?;
    form_outcome(result, |_| "/admin/users?reset=1".into(), "/admin/users").await
}

/// `change` is `role` (with `role`), `disable`, `enable` or `end-sessions`.
#[server(prefix = "/api", endpoint = "user-change")]
pub async fn admin_change_user(
    username: String,
    change: String,
    role: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    use regatta_core::accounts_admin as admin;
    let services = services()?;
    let actor = actor(&services).await?;
    let result = match change.as_str() {
        "role" => match users_ssr::role(role.as_deref().unwrap_or_default()) {
            Ok(role) => admin::change_role(&services, &actor, &username, role).await,
            Err(error) => Err(error),
        },
        "disable" => admin::set_enabled(&services, &actor, &username, false).await,
        "enable" => admin::set_enabled(&services, &actor, &username, true).await,
        "end-sessions" => admin::end_sessions(&services, &actor, &username).await,
        other => Err(regatta_core::DomainError::Invalid(format!(
            "`{other}` is not a change: role, disable, enable or end-sessions."
        ))),
    };
    form_outcome(result, |_| "/admin/users?changed=1".into(), "/admin/users").await
}

#[server(prefix = "/api", endpoint = "own-password")]
pub async fn change_own_password(
    current: String,
    new: String,
    repeat: String,
) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = match new == repeat {
        false => Err(regatta_core::DomainError::Invalid(
            "The new password and its repetition differ.".into(),
        )),
        true => {
            regatta_core::accounts_admin::change_own_password(
                &services,
                &actor,
                &current.into(),
                &new.into(),
            )
            .await
        }
    };
    let result = users_ssr::keep_this_session(result).await?;
    form_outcome(result, |_| "/settings?changed=password".into(), "/settings").await
}

#[server(prefix = "/api", endpoint = "own-sessions-end")]
pub async fn end_own_other_sessions() -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::accounts_admin::end_own_other_sessions(&services, &actor).await;
    let result = users_ssr::keep_this_session(result).await?;
    form_outcome(result, |_| "/settings?changed=sessions".into(), "/settings").await
}

#[cfg(feature = "ssr")]
mod users_ssr {
    use crate::ssr::{internal, session, SESSION_EPOCH_KEY};
    use crate::AppError;
    use regatta_core::users::Role;
    use regatta_core::DomainError;
    use secrecy::{ExposeSecret, SecretString};

    pub const ONE_TIME_PASSWORD: &str = "one_time_password";

    pub fn role(text: &str) -> Result<Role, DomainError> {
        text.parse().map_err(DomainError::Invalid)
    }

    pub fn place(text: &str) -> Result<regatta_core::users::Place, DomainError> {
        text.parse().map_err(DomainError::Invalid)
    }

    /// Where a grant form returns: the user's own page when it came from there, else the list
    /// (never an address from the form: no open redirect).
    pub fn back_to(back: Option<&str>, username: &str) -> String {
        let valid = regatta_core::users::Username::parse(username).is_ok();
        match back {
            Some("user") if valid => crate::routes::admin_user(username),
            _ => "/admin/users".into(),
        }
    }

    /// Keeps a generated password in the session for the next page to show once.
    pub async fn show_once(
        username: &str,
        result: Result<SecretString, DomainError>,
    ) -> Result<Result<(), DomainError>, AppError> {
        let Ok(password) = result else {
            return Ok(result.map(drop));
        };
        let shown = (username.to_string(), password.expose_secret().to_string());
        session()
            .await?
            .insert(ONE_TIME_PASSWORD, shown)
            .await
            .map_err(internal)?;
        Ok(Ok(()))
    }

    /// After one's own change ended every session: this one takes the new epoch and stays.
    pub async fn keep_this_session(
        result: Result<i64, DomainError>,
    ) -> Result<Result<(), DomainError>, AppError> {
        let Ok(epoch) = result else {
            return Ok(result.map(drop));
        };
        let session = session().await?;
        session
            .insert(SESSION_EPOCH_KEY, epoch)
            .await
            .map_err(internal)?;
        // This session's row moves to the new epoch with it (the listing shows it still).
        if let Some(key) = session
            .get::<String>(crate::ssr::SESSION_ROW_KEY)
            .await
            .map_err(internal)?
        {
            let services = crate::ssr::services()?;
            regatta_core::sessions::carry_over(&services, &key, epoch)
                .await
                .map_err(crate::ssr::from_domain)?;
        }
        Ok(Ok(()))
    }
}
