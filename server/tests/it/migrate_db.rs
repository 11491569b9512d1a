//! `regatta migrate-db --from regatta.db --to postgres://…` (issue #17): a SQLite installation
//! that crawled a real registry, promoted a tag and audited it all is copied into an empty
//! PostgreSQL database; every row of every table arrives unchanged, the server then runs on the
//! copy (new rows get fresh ids past the copied ones), and a second copy into the now non-empty
//! database is refused without touching it.

use end2end::app_fixture::{regatta_binary, seeded_app_with_pipeline};
use end2end::postgres::PgCluster;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

/// Every table's rows as text (booleans as 0/1, bytes as hex), sorted: the same rendering on
/// both backends, so equal sets mean equal rows.
type Dump = BTreeMap<String, Vec<Vec<Option<String>>>>;

/// (table, [(column, PostgreSQL data type)]) of the PostgreSQL schema.
async fn postgres_tables(db: &regatta_core::db::Db) -> BTreeMap<String, Vec<(String, String)>> {
    let rows: Vec<(String, String, String)> = regatta_core::db::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text
         FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.table_name NOT LIKE '\\_sqlx\\_%' AND c.table_name <> 'sessions'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (table, column, kind) in rows {
        tables.entry(table).or_default().push((column, kind));
    }
    tables
}

async fn dump(
    db: &regatta_core::db::Db,
    tables: &BTreeMap<String, Vec<(String, String)>>,
    postgres: bool,
) -> Dump {
    let mut dump = Dump::new();
    for (table, columns) in tables {
        let expressions: Vec<String> = columns
            .iter()
            .map(|(column, kind)| match (kind.as_str(), postgres) {
                ("boolean", true) => format!("CASE WHEN \"{column}\" THEN '1' ELSE '0' END"),
                ("bytea", true) => format!("encode(\"{column}\", 'hex')"),
                ("bytea", false) => format!("lower(hex(\"{column}\"))"),
                _ => format!("CAST(\"{column}\" AS TEXT)"),
            })
            .collect();
        let sql = format!("SELECT {} FROM {table}", expressions.join(", "));
        let rows = regatta_core::db::query(&sql).fetch_all(db).await.unwrap();
        let mut texts: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|row| {
                (0..columns.len())
                    .map(|i| row.try_get::<Option<String>, _>(i).unwrap())
                    .collect()
            })
            .collect();
        texts.sort();
        dump.insert(table.clone(), texts);
    }
    dump
}

fn regatta(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(regatta_binary())
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .expect("running regatta")
}

#[tokio::test]
async fn migrate_db_copies_every_row_and_the_server_runs_on_the_copy() {
    if end2end::postgres::tests_use_postgres() {
        // The source must be a SQLite file; the SQLite run of the suite covers this.
        return;
    }
    let (_registry, mut app) = seeded_app_with_pipeline().await;
    let started = Instant::now();
    let source = regatta_core::db::connect_and_migrate(&app.database)
        .await
        .unwrap();
    loop {
        let tags: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM tags")
            .fetch_one(&source)
            .await
            .unwrap();
        if tags > 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "never crawled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let promoted = app
        .command(
            &["promote", "local/dev/shop-api:1.2.0", "--to", "staging"],
            "",
        )
        .unwrap();
    assert!(promoted.contains("staging"), "{promoted}");
    app.add_user("dana", "developer", "a long enough password")
        .unwrap();
    app.terminate().unwrap();

    let cluster = PgCluster::start().await.unwrap();
    let url = cluster.create_database("migrated").await.unwrap();
    let from = app.database.to_str().unwrap();
    let output = regatta(
        &app.config_path(),
        &["migrate-db", "--from", from, "--to", &url],
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("copied "), "{said}");

    let target = regatta_core::db::connect_postgres(&url, None)
        .await
        .unwrap();
    let tables = postgres_tables(&target).await;
    let copied = dump(&target, &tables, true).await;
    let mut original = dump(&source, &tables, false).await;
    // The copy is audited in the target (its only row the source does not have).
    let audit = copied["audit_log"].len();
    assert_eq!(audit, original["audit_log"].len() + 1);
    let migrated: Vec<_> = copied["audit_log"]
        .iter()
        .filter(|row| {
            row.iter()
                .any(|c| c.as_deref() == Some("database.migrated"))
        })
        .collect();
    assert_eq!(migrated.len(), 1, "{migrated:?}");
    original
        .get_mut("audit_log")
        .unwrap()
        .push(migrated[0].clone());
    original.get_mut("audit_log").unwrap().sort();
    for (table, rows) in &original {
        assert_eq!(&copied[table], rows, "table {table}");
    }
    for table in ["users", "tags", "manifests", "promotions", "audit_log"] {
        assert!(!original[table].is_empty(), "{table} had rows to copy");
    }

    // The server runs on the copy; a new user's audit row gets an id past the copied ones.
    let config = app.dir.path().join("postgres.toml");
    let text = std::fs::read_to_string(app.config_path()).unwrap();
    let text: String = text
        .lines()
        .map(|line| match line.starts_with("database = ") {
            true => format!("database = \"{url}\""),
            false => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&config, text).unwrap();
    let mut add = Command::new(regatta_binary())
        .args(["user", "add", "erin", "--role", "viewer", "--config"])
        .arg(&config)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        writeln!(add.stdin.take().unwrap(), "another long password").unwrap();
    }
    let added = add.wait_with_output().unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let users: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&target)
        .await
        .unwrap();
    assert_eq!(users as usize, original["users"].len() + 1);

    let again = regatta(
        &app.config_path(),
        &["migrate-db", "--from", from, "--to", &url],
    );
    assert!(!again.status.success());
    let refused = String::from_utf8_lossy(&again.stderr);
    assert!(refused.contains("already holds rows"), "{refused}");
    let after: i64 = regatta_core::db::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&target)
        .await
        .unwrap();
    assert_eq!(after, users, "nothing written");
}
