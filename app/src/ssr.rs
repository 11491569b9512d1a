//! Server-only glue shared by the server functions: the services, the session, the caller's
//! address, and mapping domain errors to what the user sees.

use crate::AppError;
use axum::extract::ConnectInfo;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use regatta_core::{audit::Actor, users::User, DomainError, Services};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

/// The session key holding the logged-in user's id.
pub const USER_ID_KEY: &str = "user_id";
/// The user's `session_epoch` at login: a password change or a disable since ends the session.
pub const SESSION_EPOCH_KEY: &str = "session_epoch";
/// The key of the session's `user_sessions` row (listing and ending single sessions).
pub const SESSION_ROW_KEY: &str = "session_key";

/// What the session holds of its login, for [`regatta_core::auth::session_user`].
pub async fn session_claims(
    session: &Session,
) -> Result<regatta_core::auth::SessionClaims, tower_sessions::session::Error> {
    Ok(regatta_core::auth::SessionClaims {
        user_id: session.get::<i64>(USER_ID_KEY).await?,
        epoch: session.get::<i64>(SESSION_EPOCH_KEY).await?,
        key: session.get::<String>(SESSION_ROW_KEY).await?,
    })
}

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| AppError::new(500, "server misconfigured: no services"))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal(format_args!("no session layer: {e}")))
}

/// The logged-in user, looked up once per request: a page asks for it from several places (the
/// header, the body). Between requests the domain's `UserCache` keeps it, and drops it as soon
/// as any process changes a user.
#[derive(Clone, Default)]
pub struct RequestUser(Arc<tokio::sync::OnceCell<Result<User, AppError>>>);

/// The user the server's login gate resolved for a page request (put in the request's
/// extensions), so the page reads it without asking the session again.
#[derive(Clone)]
pub struct GateUser(pub User);

/// The page request's user, known before rendering starts: the header shows it without a
/// resource and a Suspense of its own (a tenth of a small page's cost).
pub fn gate_user() -> Option<User> {
    use_context::<axum::http::request::Parts>()?
        .extensions
        .get::<GateUser>()
        .map(|gate| gate.0.clone())
}

/// The logged-in user, or a 401 telling them to log in.
pub async fn current_user(services: &Services) -> Result<User, AppError> {
    if let Some(user) = gate_user() {
        return Ok(user);
    }
    match use_context::<RequestUser>() {
        Some(RequestUser(once)) => once.get_or_init(|| session_user(services)).await.clone(),
        None => session_user(services).await,
    }
}

async fn session_user(services: &Services) -> Result<User, AppError> {
    let session = session().await?;
    let claims = session_claims(&session)
        .await
        .map_err(|e| internal(format_args!("reading the session: {e}")))?;
    regatta_core::auth::session_user(services, &claims)
        .await
        .map_err(from_domain)
}

/// The logged-in user and where the request came from: who acts, for the audit trail.
pub async fn actor(services: &Services) -> Result<Actor, AppError> {
    let user = current_user(services).await?;
    Ok(Actor::new(user, client_address().await))
}

/// The client's IP address: the peer's, or what a trusted proxy says it forwarded for.
pub async fn client_address() -> String {
    let Ok(ConnectInfo(peer)) = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await else {
        return "unknown".into();
    };
    let headers = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .unwrap_or_default();
    match services() {
        Ok(services) => address_of(&services, peer, &headers),
        Err(_) => peer.ip().to_string(),
    }
}

/// The client's address from the peer and the headers (see [`client_address`]); for handlers
/// outside the server functions.
pub fn address_of(
    services: &Services,
    peer: SocketAddr,
    headers: &axum::http::HeaderMap,
) -> String {
    let trusted = &services.settings.trusted_proxies;
    if trusted.is_empty() {
        return peer.ip().to_string();
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let forwarded = (!forwarded.is_empty()).then_some(forwarded.as_str());
    regatta_core::auth::client_address(peer.ip(), forwarded, trusted).to_string()
}

/// Starts the logged-in session of `user` (a password or a single sign-on login): a new id
/// against session fixation, the user, their epoch, and a `user_sessions` row (listed on
/// /settings) whose key the session keeps.
pub async fn open_session(
    session: &Session,
    services: &Services,
    user: &User,
    source: &str,
    agent: Option<&str>,
) -> Result<(), AppError> {
    let key = regatta_core::sessions::start(services, user, source, agent)
        .await
        .map_err(from_domain)?;
    // A new id on login defeats session fixation (OWASP session management).
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(USER_ID_KEY, user.id)
        .await
        .map_err(internal)?;
    session
        .insert(SESSION_EPOCH_KEY, user.session_epoch)
        .await
        .map_err(internal)?;
    session.insert(SESSION_ROW_KEY, key).await.map_err(internal)
}

/// Only same-site paths: `//evil.example` or `https://…` would make this an open redirect.
/// Browsers drop tabs and newlines from a `Location` (`/<TAB>/evil.example` becomes
/// `//evil.example`) and a non-ASCII byte cannot go into the header at all, so only visible
/// ASCII is followed (a browser sends a local path percent-encoded anyway).
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            path
        }
        _ => "/",
    }
}

/// True when the request is a plain HTML form post (no WASM yet), which expects a redirect
/// rather than a serialized error.
pub async fn is_plain_form_post() -> bool {
    leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| {
            headers
                .get(axum::http::header::ACCEPT)?
                .to_str()
                .ok()
                .map(str::to_string)
        })
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The answer to a form: the result for a call from the WASM; for a plain form post (no WASM),
/// also a redirect — to `done(&value)`, or to `back` with `failed=<the message>`.
pub async fn form_outcome<T>(
    result: Result<T, DomainError>,
    done: impl FnOnce(&T) -> String,
    back: &str,
) -> Result<T, AppError> {
    let plain = is_plain_form_post().await;
    match result {
        Ok(value) => {
            if plain {
                leptos_axum::redirect(&done(&value));
            }
            Ok(value)
        }
        Err(error) => {
            let error = from_domain(error);
            if plain {
                let reason: String =
                    form_urlencoded::byte_serialize(error.message.as_bytes()).collect();
                let joint = if back.contains('?') { '&' } else { '?' };
                leptos_axum::redirect(&format!("{back}{joint}failed={reason}"));
            }
            Err(error)
        }
    }
}

/// Maps a domain error to the status and message the user sees (internal causes are logged,
/// never shown), and sets that status on the page's response.
pub fn from_domain(error: DomainError) -> AppError {
    let status = error.status_code();
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(axum::http::StatusCode::from_u16(status).unwrap_or_default());
    }
    AppError::new(status, error.user_message())
}

/// An unexpected failure of the web layer (sessions): logged, shown as the generic message.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    from_domain(DomainError::internal(cause))
}

/// The page's Content-Security-Policy, with this response's nonce: only the inline scripts the
/// server wrote (hydration, streamed resources, the stored theme) run; the WASM module and its
/// loader come from `/pkg` ('strict-dynamic' lets the nonced loader import them).
pub fn set_content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        axum::http::HeaderValue::from_str(&policy),
    ) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}
