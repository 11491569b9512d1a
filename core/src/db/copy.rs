//! `regatta migrate-db`: every row of a SQLite database copied into an empty PostgreSQL one —
//! users, audit, history, index, snapshots. The tables and columns are PostgreSQL's (its
//! migrations define them; `schema_parity` keeps both sets equal), read from SQLite by name,
//! parents before children so foreign keys hold, in one transaction: a failed copy leaves the
//! target as empty as it was. Ids are copied, then each identity sequence is moved past them.

use super::Db;
use anyhow::{bail, Context};
use futures_util::TryStreamExt;
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, PgPool, Row, SqlitePool};
use std::collections::{BTreeMap, BTreeSet};

/// Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement.
const MAX_PARAMETERS: usize = 60_000;

/// Copied tables with their row counts, in copy order.
#[derive(Debug, Default)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
    /// Tables of the source that the target's schema does not have (e.g. SQLite's full-text
    /// tables; the PostgreSQL schema indexes names with pg_trgm instead).
    pub skipped: Vec<String>,
}

/// The PostgreSQL column types the schema uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Integer,
    Boolean,
    Text,
    Bytes,
}

#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<(String, ColumnType)>,
}

/// Copies every row of `source` into `target`, which must hold no rows yet.
pub async fn sqlite_to_postgres(source: &Db, target: &Db) -> anyhow::Result<CopyReport> {
    let (Db::Sqlite(source), Db::Postgres(target)) = (source, target) else {
        bail!("migrate-db copies a SQLite database into a PostgreSQL one");
    };
    let tables = target_tables(target).await?;
    refuse_unless_empty(target, &tables).await?;
    let source_tables = source_tables(source).await?;
    let order = parents_first(source, &tables).await?;
    let mut report = CopyReport {
        skipped: source_tables
            .iter()
            .filter(|name| !tables.contains_key(*name))
            .cloned()
            .collect(),
        ..CopyReport::default()
    };
    let mut tx = target.begin().await?;
    for name in &order {
        let table = &tables[name];
        if !source_tables.contains(name) {
            continue;
        }
        // The target's own triggers would write rows the copy brings anyway (tag names, the
        // untagged-manifest ledger); the owner may switch them off, inside the transaction.
        sqlx::query(&format!("ALTER TABLE {name} DISABLE TRIGGER USER"))
            .execute(&mut *tx)
            .await?;
        let rows = copy_table(source, &mut tx, table)
            .await
            .with_context(|| format!("copying table {name}"))?;
        sqlx::query(&format!("ALTER TABLE {name} ENABLE TRIGGER USER"))
            .execute(&mut *tx)
            .await?;
        report.tables.push((name.clone(), rows));
    }
    move_sequences_past_copied_ids(&mut tx).await?;
    tx.commit().await?;
    Ok(report)
}

/// The target's tables and their columns with types (sqlx's migration table aside).
async fn target_tables(target: &PgPool) -> anyhow::Result<BTreeMap<String, Table>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx\\_%'
           AND table_name IN (SELECT table_name FROM information_schema.tables
                              WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(target)
    .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, column, data_type) in rows {
        let kind = match data_type.as_str() {
            "bigint" | "integer" | "smallint" => ColumnType::Integer,
            "boolean" => ColumnType::Boolean,
            "text" | "character varying" => ColumnType::Text,
            "bytea" => ColumnType::Bytes,
            other => bail!("{table}.{column} has type {other}, which migrate-db does not copy"),
        };
        tables
            .entry(table.clone())
            .or_insert_with(|| Table {
                name: table,
                columns: Vec::new(),
            })
            .columns
            .push((column, kind));
    }
    Ok(tables)
}

async fn refuse_unless_empty(
    target: &PgPool,
    tables: &BTreeMap<String, Table>,
) -> anyhow::Result<()> {
    for name in tables.keys() {
        let any: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {name})"))
            .fetch_one(target)
            .await?;
        if any {
            bail!(
                "the target database already holds rows (table {name}): migrate-db copies into an \
                 empty database only, so nothing of either side is overwritten"
            );
        }
    }
    Ok(())
}

/// The source's ordinary tables (FTS5 tables and their shadow tables included, to be skipped).
async fn source_tables(source: &SqlitePool) -> anyhow::Result<BTreeSet<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_sqlx\\_%' ESCAPE '\\'",
    )
    .fetch_all(source)
    .await?;
    Ok(names.into_iter().collect())
}

/// The target's tables ordered so every table comes after the tables its foreign keys name
/// (read from the source, whose migrations declare the same keys).
async fn parents_first(
    source: &SqlitePool,
    tables: &BTreeMap<String, Table>,
) -> anyhow::Result<Vec<String>> {
    let mut parents: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for name in tables.keys() {
        let named: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list(?)")
                .bind(name)
                .fetch_all(source)
                .await?;
        parents.insert(
            name,
            named.into_iter().filter(|parent| parent != name).collect(),
        );
    }
    let mut order: Vec<String> = Vec::new();
    while order.len() < tables.len() {
        let ready: Vec<&str> = parents
            .iter()
            .filter(|(name, of)| {
                !order.iter().any(|done| done == *name)
                    && of
                        .iter()
                        .all(|p| order.contains(p) || !tables.contains_key(p))
            })
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            bail!("the foreign keys between the tables form a cycle");
        }
        order.extend(ready.into_iter().map(str::to_string));
    }
    Ok(order)
}

/// Streams `table` out of SQLite and inserts it in batches; returns the row count.
async fn copy_table(
    source: &SqlitePool,
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &Table,
) -> anyhow::Result<u64> {
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
    // `rowid` is SQLite's implicit column where PostgreSQL declares one (tags).
    let select = format!(
        "SELECT {} FROM {}",
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", "),
        table.name
    );
    let per_batch = (MAX_PARAMETERS / names.len()).max(1);
    let mut rows = sqlx::query(&select).fetch(source);
    let mut batch = Vec::with_capacity(per_batch);
    let mut copied = 0;
    while let Some(row) = rows.try_next().await? {
        batch.push(row);
        if batch.len() == per_batch {
            copied += insert(tx, table, &names, &std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        copied += insert(tx, table, &names, &batch).await?;
    }
    Ok(copied)
}

async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    table: &Table,
    names: &[&str],
    rows: &[sqlx::sqlite::SqliteRow],
) -> anyhow::Result<u64> {
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.name,
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut arguments = PgArguments::default();
    let mut n = 0;
    for (r, row) in rows.iter().enumerate() {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for (c, (column, kind)) in table.columns.iter().enumerate() {
            n += 1;
            sql.push_str(&format!("{}${n}", if c == 0 { "" } else { ", " }));
            // Unchecked: SQLite's columns are typed by affinity, not by declaration.
            let added = match kind {
                ColumnType::Integer => arguments.add(row.try_get_unchecked::<Option<i64>, _>(c)?),
                ColumnType::Boolean => {
                    arguments.add(row.try_get_unchecked::<Option<i64>, _>(c)?.map(|v| v != 0))
                }
                ColumnType::Text => arguments.add(row.try_get_unchecked::<Option<String>, _>(c)?),
                ColumnType::Bytes => arguments.add(row.try_get_unchecked::<Option<Vec<u8>>, _>(c)?),
            };
            added.map_err(|e| anyhow::anyhow!("{}.{column}: {e}", table.name))?;
        }
        sql.push(')');
    }
    let done = sqlx::query_with(&sql, arguments).execute(&mut **tx).await?;
    Ok(done.rows_affected())
}

/// Every identity column's sequence set past the highest copied value, so the next insert
/// does not collide with a copied id.
async fn move_sequences_past_copied_ids(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
) -> anyhow::Result<()> {
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut **tx)
    .await?;
    for (table, column) in identities {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                           COALESCE((SELECT MAX(\"{column}\") FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
