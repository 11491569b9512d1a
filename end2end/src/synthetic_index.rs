//! A large index written straight into the database (SQLite or PostgreSQL), for search benchmarks: pushing 200,000 tags into
//! a registry would take hours and measure the registry, not search. The rows have the shape the
//! crawler writes (the same tables, triggers fire), with names drawn from common image words.
//!
//! Per registry: `repositories` repositories named `<env>/team-<n>/<word>-<word>`, each with
//! nine images (one in five arm64) tagged `1.<v>.<patch>`, or for every third repository a git
//! SHA for the newest, plus `latest`; each image has its own config and app layer on one of 40
//! shared base layers; one repository in a hundred has a cosign signature tag.

use crate::settings::{Environment, Registry};
use crate::SettingsFile;
use sqlx::{PgPool, SqlitePool};

/// The database to fill: the one a `Services` (or an app) opened.
#[derive(Clone, Copy)]
pub enum Database<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

impl<'a> Database<'a> {
    /// The one of the two that is open, as regatta-core's `Db::as_sqlite` / `as_postgres` give
    /// them (this crate does not depend on regatta-core).
    pub fn either(sqlite: Option<&'a SqlitePool>, postgres: Option<&'a PgPool>) -> Self {
        match (sqlite, postgres) {
            (Some(pool), _) => Database::Sqlite(pool),
            (None, Some(pool)) => Database::Postgres(pool),
            (None, None) => panic!("no database is open"),
        }
    }
}

impl<'a> From<&'a SqlitePool> for Database<'a> {
    fn from(pool: &'a SqlitePool) -> Self {
        Database::Sqlite(pool)
    }
}

impl<'a> From<&'a PgPool> for Database<'a> {
    fn from(pool: &'a PgPool) -> Self {
        Database::Postgres(pool)
    }
}

/// The settings the benches over this index use: registries `hub` and `mirror` (unreachable:
/// nothing crawls them), environments `dev/` and `prod/` in `hub`.
pub fn settings(database: &std::path::Path) -> SettingsFile {
    index_settings().database(database)
}

/// [`settings`] without a database.
pub fn index_settings() -> SettingsFile {
    SettingsFile::new()
        .registry(Registry::new("hub", "http://127.0.0.1:9"))
        .registry(Registry::new("mirror", "http://127.0.0.1:9"))
        .environment(Environment::new("dev", "hub").prefix("dev/"))
        .environment(Environment::new("prod", "hub").prefix("prod/"))
}

const WORDS: &[&str] = &[
    "nginx",
    "redis",
    "postgres",
    "alpine",
    "kafka",
    "gateway",
    "billing",
    "worker",
    "exporter",
    "api",
    "frontend",
    "backend",
    "auth",
    "search",
    "cache",
    "proxy",
    "metrics",
    "logger",
    "payments",
    "orders",
    "inventory",
    "shipping",
    "mailer",
    "scheduler",
    "ingest",
    "stream",
    "batch",
    "report",
    "admin",
    "portal",
    "catalog",
    "pricing",
    "checkout",
    "cart",
    "user",
    "profile",
    "notify",
    "webhook",
    "sync",
    "backup",
    "restore",
    "migrate",
    "vault",
    "consul",
    "envoy",
    "istio",
    "grafana",
    "loki",
    "tempo",
    "mimir",
    "jaeger",
    "zipkin",
    "fluentd",
    "vector",
    "traefik",
    "haproxy",
    "caddy",
    "memcached",
    "rabbitmq",
    "nats",
];

/// Fills the index of each registry in `registries` with `repositories` repositories × 10 tags.
/// The schema must exist (start the app or `Services` first).
pub async fn fill<'a>(
    db: impl Into<Database<'a>>,
    registries: &[&str],
    repositories: usize,
) -> anyhow::Result<()> {
    match db.into() {
        Database::Sqlite(pool) => fill_sqlite(pool, registries, repositories).await,
        Database::Postgres(pool) => fill_postgres(pool, registries, repositories).await,
    }
}

/// Runs the fill on one backend's transaction `$tx`: the words table, then per registry its row
/// and `$statements` (a macro, as the two backends' transactions are different types).
macro_rules! run_fill {
    ($tx:expr, $statements:expr, $registries:expr, $repositories:expr) => {{
        for sql in words_table() {
            sqlx::query(&sql).execute(&mut *$tx).await?;
        }
        let statements = $statements;
        for registry in $registries {
            let id: i64 = sqlx::query_scalar(&registry_row(registry))
                .fetch_one(&mut *$tx)
                .await?;
            for statement in &statements {
                sqlx::query(&splice(statement, id, $repositories))
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}

async fn fill_sqlite(
    db: &SqlitePool,
    registries: &[&str],
    repositories: usize,
) -> anyhow::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    run_fill!(tx, fill_statements(&SQLITE), registries, repositories);
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db)
        .await?;
    Ok(())
}

/// The same rows as [`fill_sqlite`], in PostgreSQL's dialect; then `VACUUM ANALYZE`, which
/// autovacuum runs shortly after a bulk load like this one anyway (inserts past its threshold):
/// statistics for the planner, and the visibility map that lets index-only scans skip the
/// table.
async fn fill_postgres(
    db: &PgPool,
    registries: &[&str],
    repositories: usize,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    run_fill!(tx, fill_statements(&POSTGRES), registries, repositories);
    tx.commit().await?;
    sqlx::query("VACUUM ANALYZE").execute(db).await?;
    Ok(())
}

/// The temporary `words(i, w)` table the repository names are drawn from, in both dialects.
fn words_table() -> [String; 3] {
    let rows: Vec<String> = WORDS
        .iter()
        .enumerate()
        .map(|(i, word)| format!("({i}, '{word}')"))
        .collect();
    [
        "CREATE TEMP TABLE IF NOT EXISTS words (i INTEGER PRIMARY KEY, w TEXT NOT NULL)".into(),
        "DELETE FROM words".into(),
        format!("INSERT INTO words (i, w) VALUES {}", rows.join(", ")),
    ]
}

/// Upserts registry `name`, returning its id.
fn registry_row(name: &str) -> String {
    format!(
        "INSERT INTO registries (name) VALUES ('{}') ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
        name.replace('\'', "''")
    )
}

/// Two integers of ours spliced in, so each statement needs no bind bookkeeping.
fn splice(statement: &str, registry_id: i64, repositories: usize) -> String {
    statement
        .replace("?1", &registry_id.to_string())
        .replace("?2", &repositories.to_string())
}

/// What the fill writes differently on each backend.
struct Dialect {
    /// Rows `<alias>.<column>` counting 0 to `last`, for a FROM clause.
    counter: fn(alias: &str, column: &str, last: &str) -> String,
    /// A random `sha256:` digest.
    random_digest: &'static str,
    /// A random integer from 0 to 39.
    random_below_40: &'static str,
    /// RFC 3339 text of 2026-01-01 plus `amount` `unit`s (`day`, `minute`).
    time_after: fn(amount: &str, unit: &str) -> String,
}

const SQLITE: Dialect = Dialect {
    counter: |alias, column, last| {
        format!("(WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < {last}) SELECT x AS {column} FROM c) AS {alias}")
    },
    random_digest: "'sha256:' || lower(hex(randomblob(32)))",
    random_below_40: "abs(random()) % 40",
    time_after: |amount, unit| {
        format!("strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || ({amount}) || ' {unit}s')")
    },
};

/// `generate_series` for the counters, a hashed random number for `randomblob`, interval
/// arithmetic for `strftime`.
const POSTGRES: Dialect = Dialect {
    counter: |alias, column, last| format!("generate_series(0, {last}) AS {alias}({column})"),
    random_digest: "'sha256:' || encode(sha256(random()::text::bytea), 'hex')",
    random_below_40: "floor(random() * 40)::bigint",
    time_after: |amount, unit| {
        format!("to_char(TIMESTAMP '2026-01-01' + ({amount}) * INTERVAL '1 {unit}', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
    },
};

/// The fill's statements in `dialect`; `?1` = registry id, `?2` = repository count. The
/// temporary tables go unqualified: both backends look in the temporary schema first.
fn fill_statements(dialect: &Dialect) -> Vec<String> {
    let Dialect {
        counter,
        random_digest: digest,
        random_below_40,
        time_after,
    } = dialect;
    // Tags carry their image's `created` and platforms (every image here is linux/amd64 or
    // linux/arm64, without a variant) and their repository's registry and name, as the
    // index's upsert_tags writes them.
    let tag_columns = "INSERT INTO tags (repository_id, name, manifest_id, updated_at, created, platforms, registry_id, repository_name)";
    let image_columns = "m.created, ';' || m.os || '/' || m.architecture || '/;', ?1, r.name";
    let image_of_plan = "FROM plan p JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         JOIN repositories r ON r.id = p.repository_id";
    vec![
        format!(
            "INSERT INTO repositories (registry_id, name)
         SELECT ?1, (CASE n.i % 3 WHEN 0 THEN 'dev' WHEN 1 THEN 'staging' ELSE 'prod' END)
                    || '/team-' || ((n.i / 3) % 20) || '/' || a.w || '-' || b.w
         FROM {} JOIN words a ON a.i = (n.i / 60) % 60 JOIN words b ON b.i = (n.i / 3600 + 17 * ((n.i / 60) % 60)) % 60",
            counter("n", "i", "?2 - 1")
        ),
        format!(
            "CREATE TEMP TABLE plan AS
         SELECT r.id AS repository_id, v.v AS v, {digest} AS digest, {digest} AS config,
                {digest} AS layer, {random_below_40} AS base
         FROM repositories r, {}
         WHERE r.registry_id = ?1",
            counter("v", "v", "8")
        ),
        format!(
            "INSERT INTO manifests (registry_id, digest, media_type, size, is_index, os, architecture, variant, created, total_size)
         SELECT ?1, digest, 'application/vnd.oci.image.manifest.v1+json', 1024, FALSE, 'linux',
                CASE WHEN (repository_id + v) % 5 = 0 THEN 'arm64' ELSE 'amd64' END, NULL,
                {},
                30000000 + (repository_id * 131 + v) % 9000000
         FROM plan",
            time_after("(repository_id * 7 + v * 13) % 330", "day")
        ),
        format!(
            "CREATE TEMP TABLE bases AS SELECT n.i AS i, {digest} AS digest FROM {}",
            counter("n", "i", "39")
        ),
        "INSERT INTO blobs (registry_id, digest, size, media_type)
         SELECT ?1, digest, 28000000 + i, 'application/vnd.oci.image.layer.v1.tar+gzip' FROM bases"
            .into(),
        "INSERT INTO blobs (registry_id, digest, size, media_type)
         SELECT ?1, config, 1500, 'application/vnd.oci.image.config.v1+json' FROM plan
         UNION ALL
         SELECT ?1, layer, 2000000 + repository_id % 7000, 'application/vnd.oci.image.layer.v1.tar+gzip' FROM plan"
            .into(),
        // One statement per position: a CASE in the join condition made SQLite scan `blobs`.
        "INSERT INTO manifest_blobs (manifest_id, position, blob_id)
         SELECT m.id, 0, b.id FROM plan p
         JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         JOIN blobs b ON b.registry_id = ?1 AND b.digest = p.config"
            .into(),
        "INSERT INTO manifest_blobs (manifest_id, position, blob_id)
         SELECT m.id, 1, b.id FROM plan p
         JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         JOIN bases base ON base.i = p.base
         JOIN blobs b ON b.registry_id = ?1 AND b.digest = base.digest"
            .into(),
        "INSERT INTO manifest_blobs (manifest_id, position, blob_id)
         SELECT m.id, 2, b.id FROM plan p
         JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         JOIN blobs b ON b.registry_id = ?1 AND b.digest = p.layer"
            .into(),
        format!(
            "{tag_columns}
         SELECT p.repository_id,
                CASE WHEN p.v = 8 AND p.repository_id % 3 = 0 THEN substr(p.digest, 8, 7)
                     ELSE '1.' || p.v || '.' || (p.repository_id % 13) END,
                m.id, {}, {image_columns}
         {image_of_plan}
         UNION ALL
         SELECT p.repository_id, 'latest', m.id, '2026-11-01T00:00:00Z', {image_columns}
         {image_of_plan} WHERE p.v = 8",
            time_after("(p.repository_id * 11 + p.v * 17) % 480000", "minute")
        ),
        format!(
            "{tag_columns}
         SELECT p.repository_id, 'sha256-' || substr(p.digest, 8) || '.sig', m.id, '2026-11-02T00:00:00Z', {image_columns}
         {image_of_plan}
         WHERE p.v = 8 AND p.repository_id % 100 = 0"
        ),
        "DROP TABLE plan".into(),
        "DROP TABLE bases".into(),
    ]
}
