//! The users behind sessions, kept in memory between requests: looking a user up was a database
//! round trip on every page (a third of the queries of a tag page).
//!
//! A cached user is used only while nothing changed users since it was read. Changes made in this
//! process clear the cache; changes made by another process on the same database (the
//! `regatta user …` CLI) rewrite a marker file beside the database, which every lookup reads
//! before trusting the cache. So a disabled user loses access at their next request, wherever
//! the disable ran. Entries also expire after [`KEEP`], which bounds what an edit that bypasses
//! the domain (hand-written SQL) can leave stale. On PostgreSQL, whose replicas may run on other
//! hosts, the signal is a `NOTIFY regatta_users` instead of the file: every process listens, and
//! each notification (or a lost listening connection) changes its in-memory marker.

use crate::db::Db;
use crate::users::User;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a cached user is trusted at most, even when no change was signalled.
const KEEP: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct UserCache {
    marker: Marker,
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

/// What changes whenever any process changes a user.
#[derive(Debug)]
enum Marker {
    /// SQLite: `<database>-users`, rewritten by every change.
    File(PathBuf),
    /// PostgreSQL: a count of the `regatta_users` notifications this process received.
    Notified { count: Arc<AtomicU64>, db: Db },
}

/// The notification channel of user changes on PostgreSQL.
const CHANNEL: &str = "regatta_users";

/// What the marker said when a lookup began: pass it back to [`UserCache::keep`].
pub struct MarkerReading(Option<Vec<u8>>);

impl UserCache {
    pub fn beside(database: &Path) -> Self {
        let mut marker = database.as_os_str().to_owned();
        marker.push("-users");
        Self::with_marker(Marker::File(PathBuf::from(marker)))
    }

    /// The cache of a process on PostgreSQL: listens for other processes' user changes.
    pub async fn notified(db: &Db) -> anyhow::Result<Self> {
        let pool = db
            .as_postgres()
            .ok_or_else(|| anyhow::anyhow!("notifications need PostgreSQL"))?;
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        let count = Arc::new(AtomicU64::new(0));
        let counted = Arc::downgrade(&count);
        tokio::spawn(async move {
            // `try_recv` reconnects by itself and says `None` when the connection was lost (and
            // notifications with it): that counts as a change too.
            loop {
                let received = listener.try_recv().await;
                let Some(count) = counted.upgrade() else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                if let Err(error) = received {
                    tracing::warn!(%error, "listening for user changes; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
        Ok(Self::with_marker(Marker::Notified {
            count,
            db: db.clone(),
        }))
    }

    fn with_marker(marker: Marker) -> Self {
        Self {
            marker,
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
        MarkerReading(match &self.marker {
            Marker::File(path) => std::fs::read(path).ok(),
            Marker::Notified { count, .. } => {
                Some(count.load(Ordering::SeqCst).to_le_bytes().to_vec())
            }
        })
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
    pub async fn users_changed(&self) -> anyhow::Result<()> {
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.sessions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        let path = match &self.marker {
            Marker::File(path) => path,
            Marker::Notified { count, db } => {
                // Here at once (the notification comes back later), and to every listener.
                count.fetch_add(1, Ordering::SeqCst);
                crate::db::query("SELECT pg_notify(?, '')")
                    .bind(CHANNEL)
                    .execute(db)
                    .await?;
                return Ok(());
            }
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let value = format!("{} {}", std::process::id(), now.as_nanos());
        let mut partial = path.as_os_str().to_owned();
        partial.push(format!(".{}.tmp", std::process::id()));
        // Written aside and renamed: a reader sees the old value or the new one, never a part.
        std::fs::write(&partial, value)?;
        Ok(std::fs::rename(&partial, path)?)
    }
}
