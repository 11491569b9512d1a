//! Sessions end after `session.idle_timeout_minutes` without use, not that long after login.
//! tower-sessions moves a session's expiry only when the session is saved, and it saves only
//! modified sessions; saving on every request would cost a database write per page. So a
//! logged-in request marks its session used when the last mark is older than a sixtieth of the
//! idle timeout (at most a minute): expiry is idle-based to within that.

use app::ssr::USER_ID_KEY;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Duration;
use tower_sessions::Session;

const TOUCHED_KEY: &str = "touched_at";

/// How stale a session's last mark may get before a request renews it.
#[derive(Debug, Clone, Copy)]
pub struct TouchInterval(Duration);

impl TouchInterval {
    pub fn for_idle_timeout(idle: Duration) -> Self {
        Self((idle / 60).clamp(Duration::from_secs(1), Duration::from_secs(60)))
    }
}

pub async fn touch_session(
    State(TouchInterval(interval)): State<TouchInterval>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    // Reading the session costs a store query such a request would not otherwise make.
    if crate::login_gate::is_machine_request(request.uri().path()) {
        return next.run(request).await;
    }
    if let Ok(Some(_)) = session.get::<i64>(USER_ID_KEY).await {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let touched = session.get::<i64>(TOUCHED_KEY).await.ok().flatten();
        if touched.is_none_or(|at| now - at >= interval.as_secs() as i64) {
            // Modified, so saved with a fresh expiry (and the cookie sent again).
            if let Err(error) = session.insert(TOUCHED_KEY, now).await {
                tracing::warn!(%error, "marking a session used");
            }
        }
    }
    next.run(request).await
}
