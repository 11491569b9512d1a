use crate::guards::{
    limit_body, refuse_cross_site, security_headers, server_fn_status, BodyLimit, OwnOrigin,
};
use crate::login_gate::require_login;
use crate::session_store::Sessions;
use crate::session_touch::{touch_session, TouchInterval};
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::{
    middleware,
    routing::{get, post},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use regatta_core::Services;
use std::{net::SocketAddr, path::Path};
use time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::{cookie::SameSite, CachingSessionStore, Expiry, SessionManagerLayer};
use tower_sessions_moka_store::MokaStore;

/// Sessions kept in memory, the most recently used (a few hundred bytes each).
const SESSIONS_CACHED: u64 = 10_000;

/// Pages (server-rendered, then hydrated), server functions under `/api`, the built assets
/// under `/pkg`, all behind the session layer and the login gate.
pub fn build_router(
    services: Services,
    sessions: Sessions,
    site_root: &Path,
    addr: SocketAddr,
) -> Router {
    let options = LeptosOptions::builder()
        .output_name("regatta")
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(crate::assets::names_are_hashed())
        .build();
    let session = &services.settings.session;
    // Sessions are read on every page and written once a minute at most (session_touch), so an
    // in-memory copy in front of SQLite saves a database round trip per request. Safe while
    // sessions change only through this process: logins, logouts and touches go through the
    // cache; the CLI ends sessions by bumping the user's epoch, which is checked on every
    // request; expired ones expire from the cache too. Several replicas (a shared database)
    // would need the cache off or shared.
    let sessions = CachingSessionStore::new(MokaStore::new(Some(SESSIONS_CACHED)), sessions);
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name(session.cookie_name.clone())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        // People reach Regatta over https when its public URL says so, whatever the hop from
        // the proxy is: the cookie must not travel in clear then.
        .with_secure(
            session.secure_cookie
                || services
                    .settings
                    .public_url
                    .as_ref()
                    .is_some_and(|url| url.scheme() == "https"),
        )
        .with_expiry(Expiry::OnInactivity(Duration::minutes(
            session.idle_timeout_minutes.into(),
        )));
    let routes = generate_route_list(App);
    let (api_v1, api_docs) = crate::api_v1::router(services.clone());
    let context = {
        let services = services.clone();
        move || {
            provide_context(services.clone());
            provide_context(api_docs.clone());
            provide_context(app::ssr::RequestUser::default());
        }
    };
    let downloads = Router::new()
        .route("/storage.csv", get(crate::downloads::storage_csv))
        .route("/gc/run/{id}/log", get(crate::downloads::gc_run_log))
        .route("/audit.csv", get(crate::downloads::audit_csv))
        .route("/audit.json", get(crate::downloads::audit_json))
        .route("/auth/oidc/start", get(crate::sso::start))
        .route(regatta_core::sso::CALLBACK_PATH, get(crate::sso::callback))
        .with_state(services.clone());
    let hooks = Router::new()
        .route(
            "/hooks/registry/{name}",
            post(crate::hooks::registry_notification),
        )
        .with_state(services.clone())
        .layer(middleware::from_fn_with_state(
            BodyLimit::NOTIFICATIONS,
            limit_body,
        ));
    let api =
        Router::new()
            .nest(crate::api_v1::PREFIX, api_v1)
            .layer(middleware::from_fn_with_state(
                BodyLimit::SERVER_FUNCTIONS,
                limit_body,
            ));
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(middleware::from_fn(server_fn_status))
        // Pages are per user and change with the index: never reused without asking.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        ))
        .layer(middleware::from_fn_with_state(
            BodyLimit::SERVER_FUNCTIONS,
            limit_body,
        ));
    let touch = TouchInterval::for_idle_timeout(std::time::Duration::from_secs(
        u64::from(session.idle_timeout_minutes) * 60,
    ));
    let own_origin = OwnOrigin::new(services.settings.public_url.as_ref());
    Router::new()
        .route("/healthz", get(crate::health::live))
        .route(
            "/readyz",
            get(crate::health::ready).with_state(services.clone()),
        )
        .route(
            "/metrics",
            get(crate::metrics::scrape).with_state(services.clone()),
        )
        .merge(crate::assets::pkg_router(site_root, options.hash_files))
        .merge(hooks)
        .merge(downloads)
        .merge(api)
        .merge(pages)
        .layer(middleware::from_fn_with_state(
            services.clone(),
            require_login,
        ))
        .layer(middleware::from_fn_with_state(touch, touch_session))
        .layer(session_layer)
        .layer(middleware::from_fn_with_state(
            own_origin,
            refuse_cross_site,
        ))
        .layer(middleware::from_fn(security_headers))
        .route_layer(middleware::from_fn(crate::metrics::track))
        // Brotli or gzip as the browser asks: the release WASM goes from 1.48 MB to a third.
        .layer(CompressionLayer::new())
        // One line per answered request (an access log), in the request's span.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(crate::telemetry::request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        // Outermost: the id exists before the span opens and is echoed on every response.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(options)
}
