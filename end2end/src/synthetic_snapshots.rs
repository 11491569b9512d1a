//! A year of storage snapshots written straight into SQLite, shaped as Regatta keeps them: hourly
//! for the last 7 days, then one a day (the downsampled rows) back to a year. Per registry: the
//! registry row, `namespaces` namespaces (`ns-01/`, …), environments `dev` and `prod`, and the
//! 50 largest repositories. Every scope grows steadily, so charts and growth rates have a shape.
//! For benches of the storage page and of the snapshot table's size.

use sqlx::SqlitePool;

/// Writes the year ending at `now` (`YYYY-MM-DDTHH:MM:SSZ`); returns the rows written.
pub async fn fill_year(
    db: &SqlitePool,
    registries: &[&str],
    namespaces: usize,
    now: &str,
) -> anyhow::Result<u64> {
    let mut rows = 0;
    for registry in registries {
        let mut scopes: Vec<(&str, String, i64)> = vec![("registry", registry.to_string(), 0)];
        scopes.extend((1..=namespaces).map(|n| ("namespace", format!("ns-{n:02}"), n as i64)));
        scopes.extend([
            ("environment", "dev".into(), 1),
            ("environment", "prod".into(), 2),
        ]);
        scopes.extend((1..=50).map(|n| ("repository", format!("ns-01/app-{n:02}"), n as i64)));
        let mut tx = db.begin().await?;
        for (kind, scope, seed) in &scopes {
            // Each scope starts at its own size and grows by its own amount a day.
            let (start, per_day) = match *kind {
                "registry" => (50_000_000_000_i64, 200_000_000_i64),
                _ => (200_000_000 + seed * 10_000_000, 1_000_000 + seed * 100_000),
            };
            rows += sqlx::query(
                "WITH RECURSIVE
                     hours(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM hours WHERE h < 167),
                     days(d) AS (SELECT 8 UNION ALL SELECT d + 1 FROM days WHERE d < 365),
                     ages(hours_ago, resolution) AS (
                         SELECT h, 'full' FROM hours UNION ALL SELECT d * 24, 'day' FROM days)
                 INSERT INTO storage_snapshots (taken_at, registry, kind, scope, resolution,
                     logical_bytes, stored_bytes, exclusive_bytes, shared_bytes,
                     repositories, tags, manifests, blobs)
                 SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1, '-' || hours_ago || ' hours'), ?2, ?3, ?4,
                        resolution, v * 3, v, v / 2, v / 2, 50, 1000, 1200, 5000
                 FROM (SELECT hours_ago, resolution, ?5 + ?6 * (8760 - hours_ago) / 24 AS v FROM ages)",
            )
            .bind(now)
            .bind(registry)
            .bind(kind)
            .bind(scope)
            .bind(start)
            .bind(per_day)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
    }
    Ok(rows)
}
