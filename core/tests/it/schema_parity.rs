//! The two migration sets build the same schema: every table and column the SQLite migrations
//! create exists on PostgreSQL and no other, with the same NOT NULL constraints. A migration
//! added to one directory only fails here. Runs on a throw-away PostgreSQL cluster whichever
//! backend the rest of the suite uses.

use std::collections::BTreeSet;

/// (table, column, not null).
type Columns = BTreeSet<(String, String, bool)>;

/// The differences by design: PostgreSQL has no implicit rowid, so `tags` declares the one
/// search pages refer to; SQLite's FTS5 tables (and their shadow tables) are pg_trgm indexes.
fn by_design(table: &str, column: &str) -> bool {
    (table == "tags" && column == "rowid")
        || table.starts_with("repository_search")
        || table.starts_with("tag_name_search")
}

/// The columns `sql` lists on `db`, but those different by design.
async fn columns(db: regatta_core::db::Db, sql: &'static str) -> Columns {
    let rows: Vec<(String, String, bool)> = regatta_core::db::query_as(sql)
        .fetch_all(&db)
        .await
        .unwrap();
    db.close().await;
    rows.into_iter()
        .filter(|(table, column, _)| !by_design(table, column))
        .collect()
}

async fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().unwrap();
    let db = regatta_core::db::connect_and_migrate(&dir.path().join("parity.db"))
        .await
        .unwrap();
    columns(
        db,
        "SELECT m.name, c.name, c.\"notnull\" OR c.pk > 0 FROM sqlite_master m
         JOIN pragma_table_info(m.name) c
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'",
    )
    .await
}

async fn postgres_columns() -> Columns {
    let cluster = end2end::postgres::PgCluster::start().await.unwrap();
    let url = cluster.create_database("parity").await.unwrap();
    let db = regatta_core::db::connect_postgres(&url, None)
        .await
        .unwrap();
    columns(
        db,
        "SELECT table_name, column_name, is_nullable = 'NO' FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx\\_%'",
    )
    .await
}

#[tokio::test]
async fn both_migration_sets_build_the_same_tables_and_columns() {
    let sqlite = sqlite_columns().await;
    let postgres = postgres_columns().await;
    assert!(sqlite.len() > 100, "{} columns read", sqlite.len());
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "(table, column, not null) only in the SQLite schema: {only_sqlite:#?}\nonly in the PostgreSQL schema: {only_postgres:#?}"
    );
}
