//! The Search issue's figures: an index of 200,000 tags in 20,000 repositories (two registries,
//! written straight into SQLite by `end2end::synthetic_index`), 20 varied queries, server-side
//! latency of `search::search` (hits + total, as the results page asks) p50/p99 over 50 runs
//! each, the database size (total and the search indexes' share) and this process's memory.
//!
//! The same index and queries on SQLite, then on PostgreSQL (a throw-away cluster with the
//! server's default durability), side by side in one run.
//!
//! Run: `cargo bench -p regatta-core --bench search` (filling takes about a minute per backend).
//! While tuning: `REGATTA_BENCH_BACKENDS=postgres` skips SQLite, a database of yours given by
//! `REGATTA_BENCH_POSTGRES_URL` that holds the index already is searched as it is (filled
//! once), and so is a SQLite file named by `REGATTA_BENCH_SQLITE_PATH` (kept, to read its
//! plans); `REGATTA_BENCH_QUERY=word` times only the queries containing `word`.

use regatta_core::config::parse_settings;
use regatta_core::search::{search, SearchRequest};
use regatta_core::users::{Role, User};
use regatta_core::Services;
use std::time::{Duration, Instant};

const REPOSITORIES_PER_REGISTRY: usize = 10_000;
const RUNS: usize = 50;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = std::env::var_os("REGATTA_BENCH_SQLITE_PATH")
        .map_or_else(|| dir.path().join("search.db"), std::path::PathBuf::from);
    let backends = std::env::var("REGATTA_BENCH_BACKENDS").unwrap_or_default();
    if backends.is_empty() || backends.contains("sqlite") {
        println!("== SQLite");
        let sqlite = run(end2end::synthetic_index::settings(&file)).await?;
        report_sqlite_size(&sqlite, &file).await?;
        println!("this process: {}", memory());
        drop(sqlite);
    }
    if !backends.is_empty() && !backends.contains("postgres") {
        return Ok(());
    }

    // Started after the SQLite half, so its memory is not in the figure above. Or an empty
    // database of yours: REGATTA_BENCH_POSTGRES_URL (to read its plans, say).
    let (_cluster, url) = match std::env::var("REGATTA_BENCH_POSTGRES_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let cluster = end2end::postgres::PgCluster::start_durable().await?;
            let url = cluster.create_database("search").await?;
            (Some(cluster), url)
        }
    };
    println!("\n== PostgreSQL (pg_trgm; the server's own defaults: fsync, synchronous commit)");
    let postgres = run(end2end::synthetic_index::settings(&file).database_url(&url)).await?;
    report_postgres_size(&postgres).await?;
    Ok(())
}

/// Fills the index through `settings`' database and times the queries; returns the services
/// for the size report.
async fn run(settings: end2end::SettingsFile) -> anyhow::Result<Services> {
    let services = Services::start(parse_settings("bench.toml", &settings.to_toml(), &[])?).await?;
    let filling = Instant::now();
    let filled_before: bool = regatta_core::db::query_scalar("SELECT EXISTS (SELECT 1 FROM tags)")
        .fetch_one(&services.db)
        .await?;
    if !filled_before {
        end2end::synthetic_index::fill(
            end2end::synthetic_index::Database::either(
                services.db.as_sqlite(),
                services.db.as_postgres(),
            ),
            &["hub", "mirror"],
            REPOSITORIES_PER_REGISTRY,
        )
        .await?;
    }
    let (tags, repositories): (i64, i64) = regatta_core::db::query_as(
        "SELECT (SELECT COUNT(*) FROM tags), (SELECT COUNT(*) FROM repositories)",
    )
    .fetch_one(&services.db)
    .await?;
    println!(
        "filled {tags} tags in {repositories} repositories in {:.1} s",
        filling.elapsed().as_secs_f64()
    );
    // What the crawler does after each crawl (no ANALYZE on SQLite: the server never runs one
    // either; PostgreSQL's autovacuum would, and the fill runs it).
    services.search_vocabulary.refresh(&services.db).await?;

    let only = std::env::var("REGATTA_BENCH_QUERY").unwrap_or_default();
    let mut queries = queries(&services).await?;
    queries.retain(|q| q.contains(&only));
    time_queries(&services, "all", &queries).await?;
    // Not among the 20: filters alone that match a large share of the index (clicking
    // a platform or an environment chip), which list a page without ranking anything.
    let mut broad = broad_filters();
    broad.retain(|q| q.contains(&only));
    println!();
    time_queries(&services, "broad filters", &broad).await?;
    Ok(services)
}

/// Times each query (page 1 of 50 hits, with its total) `RUNS` times; prints p50/p99 per query
/// and over all of them.
async fn time_queries(services: &Services, label: &str, queries: &[String]) -> anyhow::Result<()> {
    if queries.is_empty() {
        return Ok(());
    }
    let user = User::not_stored("bench", Role::Viewer);
    let mut all = Vec::new();
    println!(
        "{:<52} {:>7} {:>9} {:>9}",
        "query", "total", "p50 ms", "p99 ms"
    );
    for text in queries {
        let request = SearchRequest {
            text: text.clone(),
            page: 1,
            page_size: 50,
            ..SearchRequest::default()
        };
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            total = search(services, &user, &request).await?.total;
            times.push(started.elapsed());
        }
        all.extend(&times);
        let shown: String = text.chars().take(50).collect();
        println!(
            "{shown:<52} {total:>7} {:>9.2} {:>9.2}",
            ms(percentile(&mut times, 50)),
            ms(percentile(&mut times, 99))
        );
    }
    println!(
        "{label} {} searches: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all.len(),
        ms(percentile(&mut all, 50)),
        ms(percentile(&mut all, 99)),
        ms(percentile(&mut all, 100))
    );
    Ok(())
}

async fn report_sqlite_size(services: &Services, file: &std::path::Path) -> anyhow::Result<()> {
    regatta_core::db::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&services.db)
        .await?;
    let file = std::fs::metadata(file)?.len();
    let search_bytes: i64 = regatta_core::db::query_scalar(
        "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat
         WHERE name LIKE 'repository_search%' OR name LIKE 'tag_name%' OR name IN ('tags_name', 'manifests_digest', 'blobs_digest')",
    )
    .fetch_one(&services.db)
    .await?;
    println!(
        "database file: {:.1} MiB, of which search indexes (FTS, tag names, name/digest indexes): {:.1} MiB",
        mib(file as i64),
        mib(search_bytes)
    );
    Ok(())
}

async fn report_postgres_size(services: &Services) -> anyhow::Result<()> {
    let (total, search_bytes): (i64, i64) = regatta_core::db::query_as(
        "SELECT pg_database_size(current_database()),
                CAST((SELECT COALESCE(SUM(pg_total_relation_size(CAST(c.oid AS regclass))), 0) FROM pg_class c
                 WHERE c.relname IN ('repositories_name_trigrams', 'tag_names', 'tags_name', 'manifests_digest', 'blobs_digest')) AS BIGINT)",
    )
    .fetch_one(&services.db)
    .await?;
    println!(
        "database: {:.1} MiB, of which search indexes (trigram GIN, tag names, name/digest indexes): {:.1} MiB",
        mib(total),
        mib(search_bytes)
    );
    Ok(())
}

/// 20 queries of the kinds people type: names, typos, versions, filters, digests, a layer.
async fn queries(services: &Services) -> anyhow::Result<Vec<String>> {
    let digest: String = regatta_core::db::query_scalar(
        "SELECT m.digest FROM tags t JOIN manifests m ON m.id = t.manifest_id WHERE t.name = 'latest' LIMIT 1 OFFSET 777",
    )
    .fetch_one(&services.db)
    .await?;
    let base: String =
        regatta_core::db::query_scalar("SELECT digest FROM blobs WHERE size = 28000007 LIMIT 1")
            .fetch_one(&services.db)
            .await?;
    Ok(vec![
        "nginx".into(),
        "ngnix".into(),
        "1.4.2".into(),
        "latest".into(),
        "redis 1.2".into(),
        "tag:1.4 env:prod arch:arm64".into(),
        "prod/team-3".into(),
        "postgres-exporter".into(),
        "gatewy".into(),
        digest.clone(),
        digest["sha256:".len().."sha256:".len() + 12].to_string(),
        format!("layer:{base}"),
        "ns:staging gateway".into(),
        "signed:yes".into(),
        "arch:arm64 env:dev".into(),
        "nginx after:2026-06-01 before:2026-07-01".into(),
        "team-1".into(),
        "v2".into(),
        "registry:mirror kafka 1.3".into(),
        "nothing-matches-this".into(),
    ])
}

/// Filters alone, from every tag (`os:linux`) to a few percent of them.
fn broad_filters() -> Vec<String> {
    [
        "os:linux",
        "arch:arm64",
        "platform:linux/amd64 ns:prod",
        "env:dev",
        "registry:hub",
        "before:2026-06-01",
        "signed:no",
        "env:prod arch:arm64",
        "platform:linux/s390x",
    ]
    .map(String::from)
    .to_vec()
}

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    let index = ((times.len() * p).div_ceil(100)).clamp(1, times.len()) - 1;
    times[index]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: i64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Resident and peak memory of this process (the server would hold the same SQLite caches).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l[name.len()..].trim().to_string())
            .unwrap_or_default()
    };
    format!(
        "RSS {} (anonymous {}, file-backed {} — SQLite's memory-mapped database pages, shared with the OS page cache), peak {}",
        field("VmRSS:"),
        field("RssAnon:"),
        field("RssFile:"),
        field("VmHWM:")
    )
}
