//! The audit page's figure: `audit_page` over 1,000,000 audit rows (written straight into
//! SQLite by `end2end::synthetic_audit`), p50 and max of 20 runs: the first page, a page deep
//! in the trail, and filtered pages (a user, an action family, a result, a target prefix, a
//! time range).
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
    end2end::synthetic_audit::fill(services.db.as_sqlite().expect("SQLite"), ROWS).await?;
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
