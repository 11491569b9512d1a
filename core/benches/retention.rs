//! The retention issue's figure: a policy's preview (evaluating every tag it covers, what GC
//! frees, the preview stored for its run) over the synthetic index — one registry of 200,000
//! tags and one of 10,000 — p50 and max of 5 runs each. The policy uses every kind of rule:
//! the 3 most recent images, `latest`, pulled within 30 days (pull times for every other tag,
//! known for two months), promoted to prod.
//!
//! Run: `cargo bench -p regatta-core --bench retention` (filling takes about a minute).

use regatta_core::audit::Actor;
use regatta_core::config::parse_settings;
use regatta_core::retention::{self, KeepRules, RetentionPolicy, Trigger};
use regatta_core::users::{Role, User};
use regatta_core::Services;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = end2end::synthetic_index::settings(&dir.path().join("retention.db"))
        .registry(end2end::settings::Registry::new(
            "small",
            "http://127.0.0.1:9",
        ))
        .to_toml();
    let services = Services::start(parse_settings("bench.toml", &settings, &[])?).await?;
    end2end::synthetic_index::fill(
        end2end::synthetic_index::Database::either(
            services.db.as_sqlite(),
            services.db.as_postgres(),
        ),
        &["hub"],
        20_000,
    )
    .await?;
    end2end::synthetic_index::fill(
        end2end::synthetic_index::Database::either(
            services.db.as_sqlite(),
            services.db.as_postgres(),
        ),
        &["small"],
        1_000,
    )
    .await?;
    regatta_core::db::query(
        "INSERT INTO image_pulls (repository_id, digest, pulled_at)
         SELECT t.repository_id, m.digest, '2026-11-20T00:00:00Z' FROM tags t
         JOIN manifests m ON m.id = t.manifest_id WHERE t.rowid % 2 = 0 ON CONFLICT DO NOTHING",
    )
    .execute(&services.db)
    .await?;
    regatta_core::db::query("UPDATE registries SET pulls_since = '2026-10-01T00:00:00Z'")
        .execute(&services.db)
        .await?;
    let actor = Actor::new(User::not_stored("bench", Role::Admin), "bench");
    for registry in ["hub", "small"] {
        let tags: i64 = regatta_core::db::query_scalar(
            "SELECT COUNT(*) FROM tags t JOIN repositories r ON r.id = t.repository_id
             JOIN registries g ON g.id = r.registry_id WHERE g.name = ?",
        )
        .bind(registry)
        .fetch_one(&services.db)
        .await?;
        let policy = RetentionPolicy {
            name: format!("{registry}-everything"),
            registry: registry.into(),
            environment: None,
            repositories: vec![],
            exclude_repositories: vec![],
            keep: KeepRules {
                most_recent: Some(3),
                pulled_within_days: Some(30),
                tags: vec!["latest".into()],
                promoted: true,
                ..KeepRules::default()
            },
            schedule: None,
        };
        retention::save_policy(&services, &actor, policy.clone()).await?;
        let mut times: Vec<Duration> = Vec::new();
        let mut last = None;
        for _ in 0..RUNS {
            let started = Instant::now();
            let (_, preview) =
                retention::preview(&services, &actor, &policy.name, Trigger::Cli).await?;
            times.push(started.elapsed());
            last = Some(preview);
        }
        times.sort();
        let preview = last.expect("ran");
        println!(
            "preview over {tags:>7} tags ({registry}): p50 {:>6.0} ms   max {:>6.0} ms   ({} candidates, {} kept, GC frees {} MB)",
            times[RUNS / 2].as_secs_f64() * 1000.0,
            times[RUNS - 1].as_secs_f64() * 1000.0,
            preview.candidates,
            preview.kept,
            preview.bytes_freed / 1_000_000
        );
    }
    Ok(())
}
