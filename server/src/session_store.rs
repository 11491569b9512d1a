//! The session table on whichever database the server runs: one store type for the router and
//! the cleanup job, so neither cares which backend is behind it.

use async_trait::async_trait;
use regatta_core::db::Db;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{ExpiredDeletion, Result};
use tower_sessions::SessionStore;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

const TABLE: &str = "sessions";

#[derive(Debug, Clone)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// `$call` on whichever store this is (the two are different types with the same methods).
macro_rules! each {
    ($sessions:expr, $store:ident => $call:expr) => {
        match $sessions {
            Sessions::Sqlite($store) => $call,
            Sessions::Postgres($store) => $call,
        }
    };
}

impl Sessions {
    /// The store on `db`, its table created if missing.
    pub async fn open(db: &Db) -> anyhow::Result<Self> {
        let store = match db {
            Db::Sqlite(pool) => Sessions::Sqlite(
                SqliteStore::new(pool.clone())
                    .with_table_name(TABLE)
                    .map_err(anyhow::Error::msg)?,
            ),
            Db::Postgres(pool) => Sessions::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|store| store.with_table_name(TABLE))
                    .map_err(anyhow::Error::msg)?,
            ),
        };
        each!(&store, store => store.migrate().await?);
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        each!(self, store => store.create(record).await)
    }

    async fn save(&self, record: &Record) -> Result<()> {
        each!(self, store => store.save(record).await)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        each!(self, store => store.load(id).await)
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        each!(self, store => store.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> Result<()> {
        each!(self, store => store.delete_expired().await)
    }
}
