//! `database = …`: a SQLite file path (the default, `data/regatta.db`) or a `postgres://` URL.

use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    Sqlite(PathBuf),
    /// Without a password: that comes from `database_password_env`.
    Postgres(url::Url),
}

impl DatabaseLocation {
    pub fn parse(text: &str) -> Result<Self, String> {
        if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
            return Ok(DatabaseLocation::Sqlite(PathBuf::from(text)));
        }
        let url = url::Url::parse(text).map_err(|e| format!("not a valid PostgreSQL URL: {e}"))?;
        if url.password().is_some() {
            return Err(
                "the URL carries a password: name an environment variable holding it \
                 with `database_password_env` instead, so it stays out of the file and the logs"
                    .into(),
            );
        }
        Ok(DatabaseLocation::Postgres(url))
    }
}

impl fmt::Display for DatabaseLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseLocation::Sqlite(path) => write!(f, "{}", path.display()),
            DatabaseLocation::Postgres(url) => write!(f, "{url}"),
        }
    }
}

impl<'de> Deserialize<'de> for DatabaseLocation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DatabaseLocation::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Default for DatabaseLocation {
    fn default() -> Self {
        DatabaseLocation::Sqlite(PathBuf::from("data/regatta.db"))
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseLocation;

    #[test]
    fn a_path_is_sqlite_and_a_url_is_postgres() {
        assert_eq!(
            DatabaseLocation::parse("data/r.db").unwrap(),
            DatabaseLocation::Sqlite("data/r.db".into())
        );
        let pg = DatabaseLocation::parse("postgres://regatta@db.internal:5432/regatta").unwrap();
        assert!(matches!(pg, DatabaseLocation::Postgres(_)));
        assert_eq!(
            pg.to_string(),
            "postgres://regatta@db.internal:5432/regatta"
        );
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        let error = DatabaseLocation::parse("postgres://regatta:hunter2@db/regatta").unwrap_err();
        assert!(error.contains("database_password_env"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}
