//! The users behind sessions, kept in memory between requests: looking a user up was a database
//! round trip on every page (a third of the queries of a tag page).
//!
//! A cached user is used only while nothing changed users since it was read. Changes made in this
//! process clear the cache; changes made by another process on the same database (the
//! `regatta user …` CLI) rewrite a marker file beside the database, which every lookup reads
//! before trusting the cache. So a disabled user loses access at their next request, wherever
//! the disable ran. Entries also expire after [`KEEP`], which bounds what an edit that bypasses
//! the domain (hand-written SQL) can leave stale. Several hosts on one database (PostgreSQL
//! replicas, issue #17) need a shared signal instead of the file.

use crate::users::User;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a cached user is trusted at most, even when no change was signalled.
const KEEP: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct UserCache {
    /// `<database>-users`: its content changes whenever any process changes a user.
    marker: PathBuf,
    entries: RwLock<HashMap<i64, Cached>>,
    /// Whether a session's row (by key) still counts, under the same marker rule.
    sessions: RwLock<HashMap<String, CachedSession>>,
    /// When each session's use was last written (kept across changes: it only spaces writes).
    seen: std::sync::Mutex<HashMap<String, Instant>>,
}

#[derive(Debug, Clone)]
struct CachedSession {
    alive: bool,
    marker: Option<Vec<u8>>,
    read_at: Instant,
}

#[derive(Debug, Clone)]
struct Cached {
    user: User,
    /// The marker's content before the user was read.
    marker: Option<Vec<u8>>,
    read_at: Instant,
}

/// What the marker said when a lookup began: pass it back to [`UserCache::keep`].
pub struct MarkerReading(Option<Vec<u8>>);

impl UserCache {
    pub fn beside(database: &Path) -> Self {
        let mut marker = database.as_os_str().to_owned();
        marker.push("-users");
        Self {
            marker: PathBuf::from(marker),
            entries: RwLock::default(),
            sessions: RwLock::default(),
            seen: std::sync::Mutex::default(),
        }
    }

    /// Reads the marker. Must come before the database read whose result is kept, so that a
    /// change committed in between is seen as a change at the next lookup.
    ///
    /// A blocking read of a few bytes from the page cache (microseconds) rather than a trip
    /// through the blocking pool, which costs more than the read.
    pub fn read_marker(&self) -> MarkerReading {
        MarkerReading(std::fs::read(&self.marker).ok())
    }

    /// The cached user `id`, if it was read under the same marker and recently.
    pub fn get(&self, id: i64, reading: &MarkerReading) -> Option<User> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let cached = entries.get(&id)?;
        (cached.marker == reading.0 && cached.read_at.elapsed() < KEEP).then(|| cached.user.clone())
    }

    pub fn keep(&self, user: User, reading: MarkerReading) {
        let cached = Cached {
            marker: reading.0,
            read_at: Instant::now(),
            user: user.clone(),
        };
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert(user.id, cached);
    }

    /// Whether session `key` counts, if known under the same marker and recently.
    pub fn session_alive(&self, key: &str, reading: &MarkerReading) -> Option<bool> {
        let sessions = self.sessions.read().unwrap_or_else(|e| e.into_inner());
        let cached = sessions.get(key)?;
        (cached.marker == reading.0 && cached.read_at.elapsed() < KEEP).then_some(cached.alive)
    }

    pub fn keep_session(&self, key: &str, alive: bool, reading: &MarkerReading) {
        let cached = CachedSession {
            alive,
            marker: reading.0.clone(),
            read_at: Instant::now(),
        };
        let mut sessions = self.sessions.write().unwrap_or_else(|e| e.into_inner());
        sessions.insert(key.to_string(), cached);
    }

    /// True when session `key`'s use should be written now (once per `every`).
    pub fn due_for_seen(&self, key: &str, every: Duration) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        match seen.get(key) {
            Some(at) if at.elapsed() < every => false,
            _ => {
                if seen.len() > 100_000 {
                    seen.retain(|_, at| at.elapsed() < every); // bounded: old keys go
                }
                seen.insert(key.to_string(), Instant::now());
                true
            }
        }
    }

    /// Call after committing any change to a user: forgets every cached user here and tells
    /// other processes through the marker. The marker gets a value no other writer can write
    /// (pid and time), so two processes changing users at once still both change it.
    pub fn users_changed(&self) -> std::io::Result<()> {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.sessions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let value = format!("{} {}", std::process::id(), now.as_nanos());
        let mut partial = self.marker.as_os_str().to_owned();
        partial.push(format!(".{}.tmp", std::process::id()));
        // Written aside and renamed: a reader sees the old value or the new one, never a part.
        std::fs::write(&partial, value)?;
        std::fs::rename(&partial, &self.marker)
    }
}
