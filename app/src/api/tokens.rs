//! One's own API tokens on /settings: list, create (the token is shown once, through the
//! session, never an address), revoke. The same domain calls as `regatta token` and the API.

use crate::dto::TokensView;
use crate::AppError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "tokens")]
pub async fn load_tokens() -> Result<TokensView, AppError> {
    use crate::dto::TokenItem;
    use crate::ssr::{current_user, from_domain, internal, services, session};
    let services = services()?;
    let me = current_user(&services).await?;
    let rows = regatta_core::tokens::list(&services, &me, &me.username)
        .await
        .map_err(from_domain)?;
    let new_token = session()
        .await?
        .remove::<String>(NEW_TOKEN)
        .await
        .map_err(internal)?;
    Ok(TokensView {
        tokens: rows
            .into_iter()
            .map(|t| TokenItem {
                id: t.id,
                name: t.name,
                scope: t.scope,
                created_at: t.created_at.into(),
                expires_at: t.expires_at.map(Into::into),
                last_used_at: t.last_used_at.map(Into::into),
            })
            .collect(),
        new_token,
    })
}

/// The session key holding a token just made, for the next /settings to show once.
#[cfg(feature = "ssr")]
const NEW_TOKEN: &str = "new_api_token";

/// `expires_in_days` empty: never.
#[server(prefix = "/api", endpoint = "token-create")]
pub async fn create_token(
    name: String,
    scope: String,
    expires_in_days: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, internal, services, session};
    use regatta_core::DomainError;
    let services = services()?;
    let actor = actor(&services).await?;
    let days = match expires_in_days.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<u32>()
            .map(Some)
            .map_err(|_| DomainError::Invalid(format!("`{text}` is not a number of days."))),
    };
    let result = async {
        let scope = scope.parse().map_err(DomainError::Invalid)?;
        let owner = actor.user.username.clone();
        regatta_core::tokens::create(&services, &actor, &owner, &name, scope, days?).await
    }
    .await;
    if let Ok((_, token)) = &result {
        session()
            .await?
            .insert(NEW_TOKEN, token.clone())
            .await
            .map_err(internal)?;
    }
    form_outcome(result, |_| "/settings?changed=token".into(), "/settings")
        .await
        .map(drop)
}

#[server(prefix = "/api", endpoint = "token-revoke")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use crate::ssr::{actor, form_outcome, services};
    let services = services()?;
    let actor = actor(&services).await?;
    let result = regatta_core::tokens::revoke(&services, &actor, id).await;
    form_outcome(result, |_| "/settings?changed=revoked".into(), "/settings").await
}
