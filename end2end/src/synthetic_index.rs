//! A large index written straight into SQLite, for search benchmarks: pushing 200,000 tags into
//! a registry would take hours and measure the registry, not search. The rows have the shape the
//! crawler writes (the same tables, triggers fire), with names drawn from common image words.
//!
//! Per registry: `repositories` repositories named `<env>/team-<n>/<word>-<word>`, each with
//! nine images (one in five arm64) tagged `1.<v>.<patch>`, or for every third repository a git
//! SHA for the newest, plus `latest`; each image has its own config and app layer on one of 40
//! shared base layers; one repository in a hundred has a cosign signature tag.

use crate::settings::{Environment, Registry};
use crate::SettingsFile;
use sqlx::SqlitePool;

/// The settings the benches over this index use: registries `hub` and `mirror` (unreachable:
/// nothing crawls them), environments `dev/` and `prod/` in `hub`.
pub fn settings(database: &std::path::Path) -> SettingsFile {
    SettingsFile::new()
        .database(database)
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
pub async fn fill(db: &SqlitePool, registries: &[&str], repositories: usize) -> anyhow::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS words (i INTEGER PRIMARY KEY, w TEXT NOT NULL)")
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM temp.words")
        .execute(&mut *tx)
        .await?;
    for (i, word) in WORDS.iter().enumerate() {
        sqlx::query("INSERT INTO temp.words (i, w) VALUES (?, ?)")
            .bind(i as i64)
            .bind(word)
            .execute(&mut *tx)
            .await?;
    }
    for registry in registries {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO registries (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
        )
        .bind(registry)
        .fetch_one(&mut *tx)
        .await?;
        for statement in fill_statements() {
            // Two integers of ours: spliced, so each statement needs no bind bookkeeping.
            let sql = statement
                .replace("?1", &id.to_string())
                .replace("?2", &repositories.to_string());
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(db)
        .await?;
    Ok(())
}

/// `?1` = registry id, `?2` = repository count.
fn fill_statements() -> [&'static str; 13] {
    [
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?2 - 1)
         INSERT INTO repositories (registry_id, name)
         SELECT ?1, (CASE n.i % 3 WHEN 0 THEN 'dev' WHEN 1 THEN 'staging' ELSE 'prod' END)
                    || '/team-' || ((n.i / 3) % 20) || '/' || a.w || '-' || b.w
         FROM n JOIN temp.words a ON a.i = (n.i / 60) % 60 JOIN temp.words b ON b.i = (n.i / 3600 + 17 * ((n.i / 60) % 60)) % 60",
        "CREATE TEMP TABLE plan AS
         SELECT r.id AS repository_id, v.v AS v,
                'sha256:' || lower(hex(randomblob(32))) AS digest,
                'sha256:' || lower(hex(randomblob(32))) AS config,
                'sha256:' || lower(hex(randomblob(32))) AS layer,
                abs(random()) % 40 AS base
         FROM repositories r,
              (WITH RECURSIVE v(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM v WHERE v < 8) SELECT v FROM v) v
         WHERE r.registry_id = ?1",
        "INSERT INTO manifests (registry_id, digest, media_type, size, is_index, os, architecture, variant, created, total_size)
         SELECT ?1, digest, 'application/vnd.oci.image.manifest.v1+json', 1024, 0, 'linux',
                CASE WHEN (repository_id + v) % 5 = 0 THEN 'arm64' ELSE 'amd64' END, NULL,
                strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || ((repository_id * 7 + v * 13) % 330) || ' days'),
                30000000 + (repository_id * 131 + v) % 9000000
         FROM temp.plan",
        "CREATE TEMP TABLE bases AS
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39)
         SELECT i, 'sha256:' || lower(hex(randomblob(32))) AS digest FROM n",
        "INSERT INTO blobs (registry_id, digest, size, media_type)
         SELECT ?1, digest, 28000000 + i, 'application/vnd.oci.image.layer.v1.tar+gzip' FROM temp.bases",
        "INSERT INTO blobs (registry_id, digest, size, media_type)
         SELECT ?1, config, 1500, 'application/vnd.oci.image.config.v1+json' FROM temp.plan
         UNION ALL
         SELECT ?1, layer, 2000000 + repository_id % 7000, 'application/vnd.oci.image.layer.v1.tar+gzip' FROM temp.plan",
        // One statement per position: a CASE in the join condition made SQLite scan `blobs`.
        "INSERT INTO manifest_blobs (manifest_id, position, blob_id)
         SELECT m.id, 0, b.id FROM temp.plan p
         JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         JOIN blobs b ON b.registry_id = ?1 AND b.digest = p.config",
        "INSERT INTO manifest_blobs (manifest_id, position, blob_id)
         SELECT m.id, 1, b.id FROM temp.plan p
         JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         JOIN temp.bases base ON base.i = p.base
         JOIN blobs b ON b.registry_id = ?1 AND b.digest = base.digest",
        "INSERT INTO manifest_blobs (manifest_id, position, blob_id)
         SELECT m.id, 2, b.id FROM temp.plan p
         JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         JOIN blobs b ON b.registry_id = ?1 AND b.digest = p.layer",
        // Tags carry their image's `created`, as the index's upsert_tag writes it.
        "INSERT INTO tags (repository_id, name, manifest_id, updated_at, created)
         SELECT p.repository_id,
                CASE WHEN p.v = 8 AND p.repository_id % 3 = 0 THEN substr(p.digest, 8, 7)
                     ELSE '1.' || p.v || '.' || (p.repository_id % 13) END,
                m.id,
                strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || ((p.repository_id * 11 + p.v * 17) % 480000) || ' minutes'),
                m.created
         FROM temp.plan p JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         UNION ALL
         SELECT p.repository_id, 'latest', m.id, '2026-11-01T00:00:00Z', m.created
         FROM temp.plan p JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest WHERE p.v = 8",
        "INSERT INTO tags (repository_id, name, manifest_id, updated_at, created)
         SELECT p.repository_id, 'sha256-' || substr(p.digest, 8) || '.sig', m.id, '2026-11-02T00:00:00Z', m.created
         FROM temp.plan p JOIN manifests m ON m.registry_id = ?1 AND m.digest = p.digest
         WHERE p.v = 8 AND p.repository_id % 100 = 0",
        "DROP TABLE temp.plan",
        "DROP TABLE temp.bases",
    ]
}
