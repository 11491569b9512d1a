//! Deletes expired sessions from the session table.

use super::Job;
use crate::session_store::Sessions;
use std::time::Duration;
use tower_sessions::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(300);

pub fn job(sessions: Sessions) -> Job {
    Job::new("session-cleanup", Some(EVERY), move || {
        let sessions = sessions.clone();
        async move {
            if let Err(error) = sessions.delete_expired().await {
                tracing::warn!(%error, "deleting expired sessions");
            }
        }
    })
}
