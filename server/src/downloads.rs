//! `GET /storage.csv?by=…&registry=…`: the storage page's series as a file, and
//! `GET /gc/run/<id>/log`: a collection's log. Plain routes, not server functions: a download
//! link needs a GET that answers with a file, and the browser sends the session cookie with it
//! like with any page (the login gate sends strangers to log in).

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use regatta_core::storage::{history_csv, storage_history, Grouping};
use regatta_core::{DomainError, Services};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Debug, Deserialize)]
pub struct StorageCsvQuery {
    registry: Option<String>,
    by: Option<String>,
}

pub async fn storage_csv(
    State(services): State<Services>,
    session: Session,
    Query(query): Query<StorageCsvQuery>,
) -> Response {
    match storage_csv_text(&services, &session, query).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"regatta-storage.csv\"",
                ),
            ],
            text,
        )
            .into_response(),
        Err(error) => refusal(&error),
    }
}

async fn storage_csv_text(
    services: &Services,
    session: &Session,
    query: StorageCsvQuery,
) -> Result<String, DomainError> {
    let user = session_user(services, session).await?;
    let by = Grouping::parse(query.by.as_deref().unwrap_or("environment"))?;
    let histories = storage_history(services, &user, query.registry.as_deref(), by).await?;
    Ok(history_csv(&histories, by))
}

/// `GET /gc/run/<id>/log`: a garbage collection run's full log as a text file.
pub async fn gc_run_log(
    State(services): State<Services>,
    session: Session,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Response {
    let log = async {
        let user = session_user(&services, &session).await?;
        regatta_core::gc::run_details(&services, &user, id)
            .await
            .map(|(_, log)| log)
    };
    match log.await {
        Ok(text) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"regatta-gc-{id}.log\""),
                ),
            ],
            text,
        )
            .into_response(),
        Err(error) => refusal(&error),
    }
}

/// The session's user, checked as the server functions check it.
async fn session_user(
    services: &Services,
    session: &Session,
) -> Result<regatta_core::users::User, DomainError> {
    let claims = app::ssr::session_claims(session).await.unwrap_or_default();
    regatta_core::auth::session_user(services, &claims).await
}

fn refusal(error: &DomainError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.user_message()).into_response()
}

/// The /audit page's filters in the address, as the API takes them (`before` is ignored:
/// an export is every matching row).
use crate::api_v1::AuditQuery;

/// `GET /audit.csv?…`: see [`audit_export`].
pub async fn audit_csv(
    State(services): State<Services>,
    session: Session,
    Query(query): Query<AuditQuery>,
) -> Response {
    audit_export(services, session, query, false).await
}

/// `GET /audit.json?…`: see [`audit_export`].
pub async fn audit_json(
    State(services): State<Services>,
    session: Session,
    Query(query): Query<AuditQuery>,
) -> Response {
    audit_export(services, session, query, true).await
}

/// Every audit row the filters of /audit match, newest first, streamed a chunk at a time (an
/// export of a million rows holds 5,000 in memory), as CSV or as one JSON array.
async fn audit_export(
    services: Services,
    session: Session,
    query: AuditQuery,
    json: bool,
) -> Response {
    use regatta_core::audit::{audit_chunk, audit_csv};
    let checked = async {
        let user = session_user(&services, &session).await?;
        let filter = query.filter()?;
        // Refused now rather than half-way through the body.
        audit_chunk(&services, &user, &filter, None, 1).await?;
        Ok::<_, DomainError>((user, filter))
    };
    let (user, filter) = match checked.await {
        Ok(checked) => checked,
        Err(error) => return refusal(&error),
    };
    const CHUNK: i64 = 5000;
    // (cursor, first chunk, done)
    let chunks = futures_util::stream::unfold((None, true, false), move |(before, first, done)| {
        let (services, user, filter) = (services.clone(), user.clone(), filter.clone());
        async move {
            if done {
                return None;
            }
            let rows = match audit_chunk(&services, &user, &filter, before, CHUNK).await {
                Ok(rows) => rows,
                Err(error) => {
                    tracing::error!(%error, "exporting the audit trail");
                    return Some((
                        Err(std::io::Error::other("export failed")),
                        (None, false, true),
                    ));
                }
            };
            let last = rows.len() < CHUNK as usize;
            let cursor = rows.last().map(|r| r.id);
            let text = match json {
                false => audit_csv(&rows, first),
                true => {
                    let items: Vec<String> = rows
                        .iter()
                        .filter_map(|r| serde_json::to_string(r).ok())
                        .collect();
                    let open = if first {
                        "["
                    } else if items.is_empty() {
                        ""
                    } else {
                        ","
                    };
                    let close = if last { "]" } else { "" };
                    format!("{open}{}{close}", items.join(","))
                }
            };
            Some((Ok::<_, std::io::Error>(text), (cursor, false, last)))
        }
    });
    let (content_type, name) = match json {
        true => ("application/json", "regatta-audit.json"),
        false => ("text/csv; charset=utf-8", "regatta-audit.csv"),
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        axum::body::Body::from_stream(chunks),
    )
        .into_response()
}
