//! Reads Regatta's audit table straight from its database, as an auditor would: the SQLite file,
//! or the PostgreSQL database standing for it when the tests run on PostgreSQL.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub actor: Option<String>,
    pub action: String,
    pub source: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

/// Every audit row, oldest first.
pub async fn rows(database: &Path) -> Vec<AuditRow> {
    const SQL: &str = "SELECT actor, action, source, outcome, detail FROM audit_log ORDER BY id";
    if let Some(url) = crate::postgres::test_database_for(database) {
        let pool = sqlx::PgPool::connect(&url)
            .await
            .expect("opening the audit database");
        let rows = sqlx::query_as(SQL)
            .fetch_all(&pool)
            .await
            .expect("reading audit_log");
        pool.close().await;
        return rows;
    }
    let url = format!("sqlite://{}", database.display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("opening the audit database");
    let rows =
        sqlx::query_as("SELECT actor, action, source, outcome, detail FROM audit_log ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("reading audit_log");
    pool.close().await;
    rows
}
