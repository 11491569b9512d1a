//! The audit log (maintainers and up), users (admins) and one's own API tokens.

use super::auth::Caller;
use super::error::{ApiError, ApiResult, Body, Params};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use regatta_core::audit::{audit_page, AuditFilter};
use regatta_core::tokens::{self, Scope};
use regatta_core::Services;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub user: Option<String>,
    /// An action (`promotion`) or a family (`gc`, `user`).
    pub action: Option<String>,
    /// A target prefix.
    pub target: Option<String>,
    /// `ok`, `denied` or `error`.
    pub result: Option<String>,
    /// `2026-12-05`, `2026-12-05T14:30` (UTC) or RFC 3339.
    pub from: Option<String>,
    pub until: Option<String>,
    /// The cursor: rows older than this id (the `older` of the previous page).
    pub before: Option<i64>,
}

impl AuditQuery {
    pub fn filter(self) -> Result<AuditFilter, regatta_core::DomainError> {
        AuditFilter::from_fields(
            self.user,
            self.action,
            self.target,
            self.result,
            self.from.as_deref(),
            self.until.as_deref(),
        )
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditItem {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub source: Option<String>,
    /// `ok`, `denied` or `error`.
    pub result: String,
    pub detail: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPageItem {
    /// Newest first, 50 per page.
    pub rows: Vec<AuditItem>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub older: Option<i64>,
}

/// Audit rows matching the filters, newest first (maintainers and up; others' logins for
/// admins only).
#[utoipa::path(get, path = "/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = AuditPageItem), (status = 403, body = super::error::ErrorBody)))]
pub async fn audit(
    State(services): State<Services>,
    caller: Caller,
    Params(query): Params<AuditQuery>,
) -> ApiResult<AuditPageItem> {
    let before = query.before;
    let filter = query.filter()?;
    let page = audit_page(&services, caller.user(), &filter, before).await?;
    Ok(Json(AuditPageItem {
        rows: (page.rows.into_iter())
            .map(|r| AuditItem {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                target: r.target,
                source: r.source,
                result: r.outcome,
                detail: r.detail,
            })
            .collect(),
        older: page.older,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UserItem {
    pub username: String,
    /// `none`, `viewer`, `developer`, `maintainer` or `admin`.
    pub role: String,
    pub disabled: bool,
    /// `local` or `sso`.
    pub source: String,
    /// `maintainer in environment:staging` …
    pub grants: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

/// Every user, with role and grants (admins; the `admin` scope).
#[utoipa::path(get, path = "/users", tag = "admin",
    responses((status = 200, body = Vec<UserItem>), (status = 403, body = super::error::ErrorBody)))]
pub async fn users(State(services): State<Services>, caller: Caller) -> ApiResult<Vec<UserItem>> {
    let users = regatta_core::accounts_admin::users_for_admin(&services, caller.user()).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|u| UserItem {
                source: if u.sso_subject.is_some() {
                    "sso"
                } else {
                    "local"
                }
                .into(),
                grants: u.grants.iter().map(ToString::to_string).collect(),
                username: u.username,
                role: u.role.to_string(),
                disabled: u.disabled,
                last_login_at: u.last_login_at,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TokenItem {
    pub id: i64,
    pub name: String,
    /// `read`, `write` or `admin`.
    pub scope: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// The caller's tokens (not their secrets).
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenItem>)))]
pub async fn token_list(
    State(services): State<Services>,
    caller: Caller,
) -> ApiResult<Vec<TokenItem>> {
    let owner = caller.user().username.clone();
    let rows = tokens::list(&services, caller.user(), &owner).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| TokenItem {
                id: t.id,
                name: t.name,
                scope: t.scope,
                created_at: t.created_at,
                expires_at: t.expires_at,
                last_used_at: t.last_used_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
    /// `read`, `write` or `admin` (never more than the calling token's own scope allows).
    pub scope: String,
    /// Days until it expires; none: until revoked.
    pub expires_in_days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    /// Shown this once; only a hash is kept.
    pub token: String,
}

/// Makes a token for the caller. Its role is capped by the calling token's (a `read` token
/// cannot make a `write` one).
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 403, body = super::error::ErrorBody)))]
pub async fn token_create(
    State(services): State<Services>,
    caller: Caller,
    Body(body): Body<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let scope: Scope = body
        .scope
        .parse()
        .map_err(|e: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid", e))?;
    // The calling token's user is already capped: a new scope above that is refused, so a
    // token cannot mint a stronger one.
    if scope.cap() > caller.user().role.max(Scope::Read.cap()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "A `{}` token cannot be made with this token.",
                scope.as_str()
            ),
        ));
    }
    let owner = caller.user().username.clone();
    let (id, token) = tokens::create(
        &services,
        &caller.0,
        &owner,
        &body.name,
        scope,
        body.expires_in_days,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id, token })))
}

/// Revokes one of the caller's tokens (admins: anyone's); it stops working at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = super::error::ErrorBody)))]
pub async fn token_revoke(
    State(services): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke(&services, &caller.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    /// `none`, `viewer`, `developer`, `maintainer` or `admin`.
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    pub username: String,
    /// Generated; shown this once (the user changes it on their settings page).
    pub password: String,
}

fn invalid(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid", message)
}

/// Adds a user with a generated one-time password (admins).
#[utoipa::path(post, path = "/users", tag = "admin", request_body = NewUser,
    responses((status = 201, body = CreatedUser), (status = 403, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn user_add(
    State(services): State<Services>,
    caller: Caller,
    Body(body): Body<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    use secrecy::ExposeSecret;
    let role = body.role.parse().map_err(invalid)?;
    let password = regatta_core::accounts_admin::add_user_with_generated_password(
        &services,
        &caller.0,
        &body.username,
        role,
    )
    .await?;
    let created = CreatedUser {
        username: body.username.trim().to_lowercase(),
        password: password.expose_secret().to_string(),
    };
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Deserialize, ToSchema)]
pub struct UserChange {
    /// A new global role.
    pub role: Option<String>,
    /// `false` disables the user (their sessions and tokens stop), `true` enables.
    pub enabled: Option<bool>,
}

/// Changes a user's global role and/or enables or disables them (admins; the last admin who
/// can log in keeps theirs).
#[utoipa::path(patch, path = "/users/{username}", tag = "admin", params(("username" = String, Path)),
    request_body = UserChange,
    responses((status = 204), (status = 403, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
pub async fn user_change(
    State(services): State<Services>,
    caller: Caller,
    Path(username): Path<String>,
    Body(body): Body<UserChange>,
) -> Result<StatusCode, ApiError> {
    use regatta_core::accounts_admin as admin;
    admin::user_for_admin(&services, caller.user(), &username).await?;
    if let Some(role) = body.role {
        let role = role.parse().map_err(invalid)?;
        admin::change_role(&services, &caller.0, &username, role).await?;
    }
    if let Some(enabled) = body.enabled {
        admin::set_enabled(&services, &caller.0, &username, enabled).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct GrantBody {
    /// `registry:NAME` or `environment:NAME`.
    pub place: String,
    /// `viewer`, `developer`, `maintainer` or `admin`.
    pub role: String,
}

/// Gives a user a role at one place (or changes it there), beside their global role (admins).
#[utoipa::path(post, path = "/users/{username}/grants", tag = "admin",
    params(("username" = String, Path)), request_body = GrantBody,
    responses((status = 204), (status = 400, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn user_grant(
    State(services): State<Services>,
    caller: Caller,
    Path(username): Path<String>,
    Body(body): Body<GrantBody>,
) -> Result<StatusCode, ApiError> {
    let place = body.place.parse().map_err(invalid)?;
    let role = body.role.parse().map_err(invalid)?;
    regatta_core::accounts_admin::grant(&services, &caller.0, &username, place, role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a user's grant at `place` (`registry:NAME`, `environment:NAME`) away (admins).
#[utoipa::path(delete, path = "/users/{username}/grants/{place}", tag = "admin",
    params(("username" = String, Path), ("place" = String, Path)),
    responses((status = 204), (status = 404, body = super::error::ErrorBody)))]
pub async fn user_revoke(
    State(services): State<Services>,
    caller: Caller,
    Path((username, place)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let place = place.parse().map_err(invalid)?;
    regatta_core::accounts_admin::revoke(&services, &caller.0, &username, place).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ReplicaItem {
    /// `host:pid:random`.
    pub id: String,
    pub host: String,
    pub listen: String,
    /// Unix milliseconds.
    pub started_at: i64,
    pub seen_at: i64,
    /// The replica that answered this request.
    pub this_one: bool,
    /// The background jobs it runs (`crawl`, `gc`, `retention`, `webhooks` …).
    pub jobs: Vec<String>,
}

/// The live Regatta processes on this database and the background jobs each runs (admins).
#[utoipa::path(get, path = "/replicas", tag = "admin",
    responses((status = 200, body = Vec<ReplicaItem>), (status = 403, body = super::error::ErrorBody)))]
pub async fn replicas(
    State(services): State<Services>,
    caller: Caller,
) -> ApiResult<Vec<ReplicaItem>> {
    let cluster = regatta_core::replicas::cluster(&services, caller.user()).await?;
    Ok(Json(
        cluster
            .into_iter()
            .map(|status| ReplicaItem {
                id: status.replica.id,
                host: status.replica.host,
                listen: status.replica.listen,
                started_at: status.replica.started_at,
                seen_at: status.replica.seen_at,
                this_one: status.this_one,
                jobs: status.jobs,
            })
            .collect(),
    ))
}
