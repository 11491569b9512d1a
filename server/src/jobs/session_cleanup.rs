//! Deletes expired sessions from the session table.

use super::Job;
use std::time::Duration;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::SqliteStore;

const EVERY: Duration = Duration::from_secs(300);

pub fn job(sessions: SqliteStore) -> Job {
    Job::new("session-cleanup", Some(EVERY), move || {
        let sessions = sessions.clone();
        async move {
            if let Err(error) = sessions.delete_expired().await {
                tracing::warn!(%error, "deleting expired sessions");
            }
        }
    })
}
