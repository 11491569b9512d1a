//! A synthetic audit trail for benches, written straight into SQLite: `rows` rows, one every
//! 30 s from 2025-12-01, by 50 users, over 12 actions and 2,000 targets, 2 % refused.

pub async fn fill(db: &sqlx::SqlitePool, rows: i64) -> anyhow::Result<()> {
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO audit_log (at, actor, action, target, source, outcome, detail)
         SELECT strftime('%Y-%m-%dT%H:%M:%SZ', '2025-12-01', '+' || (i * 30) || ' seconds'),
                'user' || (i % 50),
                CASE i % 12 WHEN 0 THEN 'promotion' WHEN 1 THEN 'tag.delete' WHEN 2 THEN 'login.success'
                    WHEN 3 THEN 'login.failure' WHEN 4 THEN 'gc.run' WHEN 5 THEN 'retention.run'
                    WHEN 6 THEN 'tag.restore' WHEN 7 THEN 'logout' WHEN 8 THEN 'user.add'
                    WHEN 9 THEN 'gc.schedule.save' WHEN 10 THEN 'retention.policy.save' ELSE 'promotion' END,
                'local/team' || (i % 40) || '/app' || (i % 50) || ':' || (i % 97),
                '10.0.' || (i % 200) || '.1',
                CASE WHEN i % 50 = 0 THEN 'denied' ELSE 'ok' END,
                'detail of row ' || i
         FROM n",
    )
    .bind(rows)
    .execute(db)
    .await?;
    Ok(())
}
