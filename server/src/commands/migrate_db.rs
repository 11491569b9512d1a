//! `regatta migrate-db --from data/regatta.db --to postgres://user@host/db`: moves a SQLite
//! installation to PostgreSQL. The target must be empty (its schema is created here); the
//! password comes from the variable `database_password_env` names, else `PGPASSWORD`.

use super::cli_actor;
use clap::Args;
use regatta_core::audit::{self, AuditAction, AuditEvent};
use regatta_core::config::{DatabaseLocation, Settings};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MigrateDbArgs {
    /// The SQLite database to copy (stop the server first). Pending migrations are applied to it
    /// first, as a start of this version would; its rows are only read.
    #[arg(long)]
    pub from: PathBuf,
    /// The empty PostgreSQL database to copy into: postgres://user@host[:port]/database.
    #[arg(long)]
    pub to: String,
}

pub async fn migrate_db(settings: Settings, args: MigrateDbArgs) -> anyhow::Result<()> {
    let url = match DatabaseLocation::parse(&args.to).map_err(anyhow::Error::msg)? {
        DatabaseLocation::Postgres(url) => url,
        DatabaseLocation::Sqlite(_) => {
            anyhow::bail!("--to takes a postgres:// URL (the database to copy into)")
        }
    };
    if !args.from.is_file() {
        anyhow::bail!("{}: no such SQLite database", args.from.display());
    }
    let password = password(&settings);
    let source = regatta_core::db::connect_and_migrate(&args.from).await?;
    let target = regatta_core::db::connect_postgres(url.as_str(), password.as_deref()).await?;
    let report = regatta_core::db::copy::sqlite_to_postgres(&source, &target).await?;
    let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
    let detail = format!(
        "{rows} rows in {} tables from {}",
        report.tables.len(),
        args.from.display()
    );
    let actor = cli_actor();
    let event = AuditEvent::by(&actor, AuditAction::DatabaseMigrated).detail(&detail);
    audit::record(&target, time::OffsetDateTime::now_utc(), &event).await?;
    for (table, count) in &report.tables {
        println!("{table:<28} {count:>10}");
    }
    if !report.skipped.is_empty() {
        println!(
            "not copied (PostgreSQL indexes names with pg_trgm instead; sessions start anew): {}",
            report.skipped.join(", ")
        );
    }
    println!("copied {detail} to {url}");
    source.close().await;
    target.close().await;
    Ok(())
}

fn password(settings: &Settings) -> Option<String> {
    settings
        .database_password_env
        .as_deref()
        .and_then(|name| std::env::var(name).ok())
        .or_else(|| std::env::var("PGPASSWORD").ok())
}
