//! The audit page's figure: `audit_page` over 1,000,000 audit rows (written straight into
//! SQLite: 50 users, 12 actions, 2,000 targets, 2 % refused, one row every 30 s over a year),
//! p50 and max of 20 runs: the first page, a page deep in the trail, and filtered pages (a
//! user, an action family, a result, a target prefix, a time range).
//!
//! Run: `cargo bench -p regatta-core --bench audit` (filling takes a few seconds).

use regatta_core::audit::{audit_page, AuditFilter};
use regatta_core::config::parse_settings;
use regatta_core::users::{Role, User};
use regatta_core::Services;
use std::time::{Duration, Instant};
use time::macros::datetime;

const ROWS: i64 = 1_000_000;
const RUNS: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let text = format!("database = \"{}\"\n", dir.path().join("audit.db").display());
    let services = Services::start(parse_settings("bench.toml", &text, &[])?).await?;
    let filling = Instant::now();
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
    .bind(ROWS)
    .execute(&services.db)
    .await?;
    println!(
        "{ROWS} audit rows written in {:.1} s",
        filling.elapsed().as_secs_f64()
    );
    let admin = User::not_stored("bench", Role::Admin);
    let maintainer = User::not_stored("user7", Role::Maintainer);
    let deep: i64 = ROWS / 2;
    let cases: Vec<(&str, &User, AuditFilter, Option<i64>)> = vec![
        ("first page", &admin, AuditFilter::default(), None),
        (
            "page at row 500,000",
            &admin,
            AuditFilter::default(),
            Some(deep),
        ),
        (
            "first page, maintainer",
            &maintainer,
            AuditFilter::default(),
            None,
        ),
        (
            "user",
            &admin,
            AuditFilter {
                user: Some("user7".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "action family gc",
            &admin,
            AuditFilter {
                action: Some("gc".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "promotion refused",
            &admin,
            AuditFilter {
                action: Some("promotion".into()),
                result: Some("denied".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "target prefix",
            &admin,
            AuditFilter {
                target: Some("local/team3/app".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "one day in March",
            &admin,
            AuditFilter {
                from: Some(datetime!(2026-03-10 00:00 UTC)),
                until: Some(datetime!(2026-03-11 00:00 UTC)),
                ..Default::default()
            },
            None,
        ),
    ];
    for (name, user, filter, before) in cases {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            rows = audit_page(&services, user, &filter, before)
                .await?
                .rows
                .len();
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "{name:<26} p50 {:>6.2} ms  max {:>6.2} ms  ({rows} rows)",
            ms(times[RUNS / 2]),
            ms(times[RUNS - 1])
        );
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
