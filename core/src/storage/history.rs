//! Storage over time, read back from the snapshots: what the storage page draws and the CSV
//! download holds. Per registry: its stored bytes over the last year, the same split by
//! environment or namespace (aligned on the snapshots' times, so the parts stack), the growth
//! rate, when the configured capacity would be reached, and the largest repositories now.

use super::accounting::{Grouping, ScopeUsage, Usage};
use super::snapshots::{format_taken_at, FULL_RESOLUTION_DAYS, TOP_REPOSITORIES};
use crate::auth::readable_registries;
use crate::users::User;
use crate::{DomainError, Services};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// The stacked chart shows this many parts; the rest are summed as one.
pub const MAX_PARTS: usize = 8;
/// The name of that sum.
pub const OTHER_PART: &str = "(other)";
/// Top growers listed.
const MAX_GROWERS: usize = 10;

/// A chart's time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Range {
    Day,
    Week,
    #[default]
    Month,
    Year,
}

impl Range {
    pub const ALL: [Range; 4] = [Range::Day, Range::Week, Range::Month, Range::Year];

    pub fn parse(text: &str) -> Result<Self, DomainError> {
        match text {
            "24h" => Ok(Self::Day),
            "7d" => Ok(Self::Week),
            "" | "30d" => Ok(Self::Month),
            "1y" => Ok(Self::Year),
            other => Err(DomainError::Invalid(format!(
                "Unknown range `{other}`: use 24h, 7d, 30d or 1y."
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "24h",
            Self::Week => "7d",
            Self::Month => "30d",
            Self::Year => "1y",
        }
    }

    pub fn days(self) -> i64 {
        match self {
            Self::Day => 1,
            Self::Week => 7,
            Self::Month => 30,
            Self::Year => 365,
        }
    }
}

/// One registry's storage history.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryHistory {
    pub registry: String,
    /// Snapshot times (`YYYY-MM-DDTHH:MM:SSZ`), oldest first, over the last year.
    pub times: Vec<String>,
    /// The registry's stored bytes at each of `times`.
    pub stored: Vec<i64>,
    /// Stored bytes per environment or namespace at each of `times` (0 where a snapshot has
    /// none), the largest now first, at most [`MAX_PARTS`] (the rest summed as [`OTHER_PART`]).
    pub parts: Vec<(String, Vec<i64>)>,
    /// The latest snapshot's figures for the whole registry.
    pub latest: Option<Usage>,
    /// Bytes a day, least-squares over the last 7 and 30 days (`None`: too few snapshots).
    pub growth_7d: Option<f64>,
    pub growth_30d: Option<f64>,
    pub capacity_bytes: Option<i64>,
    /// Days until `capacity_bytes` at the 30-day rate; `Some(0.0)` when already full, `None`
    /// without a capacity or without growth.
    pub full_in_days: Option<f64>,
    /// The latest snapshot's largest repositories (at most [`TOP_REPOSITORIES`]).
    pub largest: Vec<ScopeUsage>,
    /// Repositories whose stored bytes grew most over the last 7 days.
    pub growers: Vec<Grower>,
    /// The latest snapshot's unused share and biggest layers.
    pub details: Option<super::StorageDetails>,
    /// Stored bytes by day before the first snapshot, estimated (see `estimate.rs`).
    pub estimated: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grower {
    pub repository: String,
    pub stored_bytes: i64,
    pub grown_bytes: i64,
}

impl RegistryHistory {
    /// The estimated points (day, stored bytes) inside `range`: those before the first snapshot.
    pub fn estimated_in(&self, range: Range, now: OffsetDateTime) -> Vec<(String, i64)> {
        let from = format_taken_at(now - Duration::days(range.days()));
        let Some(first) = self.times.first() else {
            return Vec::new();
        };
        self.estimated
            .iter()
            .filter(|(day, _)| *day >= from && day < first)
            .cloned()
            .collect()
    }

    /// The indexes of `times` inside `range` (ending at the latest snapshot). Past the days kept
    /// in full, one point a day (the day's last) keeps a long chart readable.
    pub fn points_in(&self, range: Range, now: OffsetDateTime) -> Vec<usize> {
        let from = format_taken_at(now - Duration::days(range.days()));
        let daily = range.days() > FULL_RESOLUTION_DAYS;
        let mut points: Vec<usize> = Vec::new();
        for (i, time) in self.times.iter().enumerate() {
            if *time < from {
                continue;
            }
            let same_day = |j: &usize| self.times[*j][..10] == time[..10];
            if daily && points.last().is_some_and(same_day) {
                points.pop();
            }
            points.push(i);
        }
        points
    }
}

/// The storage history of every registry `user` may read, or of `registry` alone, split `by`
/// environment or namespace.
pub async fn storage_history(
    services: &Services,
    user: &User,
    registry: Option<&str>,
    by: Grouping,
) -> Result<Vec<RegistryHistory>, DomainError> {
    if !matches!(by, Grouping::Environment | Grouping::Namespace) {
        return Err(DomainError::Invalid(
            "Storage history is split by environment or namespace.".into(),
        ));
    }
    let readable = readable_registries(user, &services.settings);
    let names: Vec<&str> = match registry {
        Some(name) if readable.contains(&name) => vec![name],
        Some(name) => return Err(DomainError::NotFound(format!("Registry `{name}`"))),
        None => readable,
    };
    let now = services.clock.now();
    // Side by side: each registry's reads are a few SQLite queries on their own connections.
    futures_util::future::try_join_all(names.into_iter().map(|name| async move {
        let loaded = load(services, name, by, now).await?;
        let capacity = services
            .settings
            .registry(name)
            .and_then(|config| config.storage.capacity_bytes);
        Ok::<_, DomainError>(assemble(name, loaded, capacity, now))
    }))
    .await
}

/// Each registry's stored bytes over the last `days`, oldest first: the dashboard's sparklines.
/// One query for all registries (the dashboard is the most visited page), each registry's rows
/// one range of the series index.
pub async fn recent_stored_bytes(
    services: &Services,
    days: i64,
) -> Result<HashMap<String, Vec<i64>>, DomainError> {
    let since = format_taken_at(services.clock.now() - Duration::days(days));
    let names: Vec<&str> = services
        .settings
        .registries
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let rows: Vec<SeriesRow> = crate::db::query_as(
        "SELECT 'registry' AS kind, r.value AS scope,
                (SELECT json_group_array(json_array(s.taken_at, s.stored_bytes))
                 FROM storage_snapshots s
                 WHERE s.registry = r.value AND s.kind = 'registry' AND s.scope = r.value
                       AND s.taken_at >= ?2) AS points
         FROM json_each(?1) r",
    )
    .bind(serde_json::to_string(&names).expect("strings serialize"))
    .bind(since)
    .fetch_all(&services.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            row.points.sort_by(|a, b| a.0.cmp(&b.0));
            (row.scope, row.points.into_iter().map(|(_, v)| v).collect())
        })
        .collect())
}

/// A snapshot row's figures, as stored.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
struct StoredUsage {
    logical_bytes: i64,
    stored_bytes: i64,
    exclusive_bytes: i64,
    shared_bytes: i64,
    repositories: i64,
    tags: i64,
    manifests: i64,
    blobs: i64,
}

impl From<StoredUsage> for Usage {
    fn from(u: StoredUsage) -> Self {
        let n = |v: i64| v.max(0) as u64;
        Usage {
            logical_bytes: n(u.logical_bytes),
            stored_bytes: n(u.stored_bytes),
            exclusive_bytes: n(u.exclusive_bytes),
            shared_bytes: n(u.shared_bytes),
            repositories: n(u.repositories),
            tags: n(u.tags),
            manifests: n(u.manifests),
            blobs: n(u.blobs),
            // Not a series: the latest snapshot's details carry the untagged manifests.
            untagged_manifests: 0,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct ScopeRow {
    scope: String,
    #[sqlx(flatten)]
    usage: StoredUsage,
}

/// A scope's stored bytes over time, `[[taken_at, bytes], …]` (sorted after reading: SQLite
/// hands them over in index order, but an aggregate's order is not promised, and sorting
/// inside the aggregate costs a temporary b-tree per scope).
#[derive(Debug, Clone, sqlx::FromRow)]
struct SeriesRow {
    kind: String,
    scope: String,
    #[sqlx(try_from = "crate::db::JsonText<Vec<(String, i64)>>")]
    points: Vec<(String, i64)>,
}

const USAGE_COLUMNS: &str = "logical_bytes, stored_bytes, exclusive_bytes, shared_bytes, \
     repositories, tags, manifests, blobs";

/// What one registry's history is made of, read in four small queries: a year of daily rows
/// for 50 namespaces is ~20,000 rows, which come back as one JSON array per scope (sqlx hands
/// rows over one by one, at microseconds each).
struct Loaded {
    series: Vec<SeriesRow>,
    latest: Option<StoredUsage>,
    largest: Vec<ScopeRow>,
    week_ago: Vec<ScopeRow>,
    details: Option<super::StorageDetails>,
    estimated: Vec<(String, i64)>,
}

async fn load(
    services: &Services,
    registry: &str,
    by: Grouping,
    now: OffsetDateTime,
) -> Result<Loaded, DomainError> {
    let db = &services.db;
    let year_ago = format_taken_at(now - Duration::days(Range::Year.days()));
    let series = crate::db::query_as(
        "SELECT kind, scope,
                json_group_array(json_array(taken_at, stored_bytes)) AS points
         FROM storage_snapshots
         WHERE registry = ?1 AND kind IN ('registry', ?2) AND taken_at >= ?3
         GROUP BY kind, scope",
    )
    .bind(registry)
    .bind(by.as_str())
    .bind(year_ago)
    .fetch_all(db)
    .await?;
    let latest = crate::db::query_as(&format!(
        "SELECT {USAGE_COLUMNS} FROM storage_snapshots WHERE registry = ? AND kind = 'registry'
         ORDER BY taken_at DESC, id DESC LIMIT 1"
    ))
    .bind(registry)
    .fetch_optional(db)
    .await?;
    let repositories_at = |at: &'static str| {
        format!(
            "SELECT scope, {USAGE_COLUMNS} FROM storage_snapshots
             WHERE registry = ?1 AND kind = 'repository' AND taken_at = (
                 SELECT {at}(taken_at) FROM storage_snapshots
                 WHERE registry = ?1 AND kind = 'repository' AND taken_at >= ?2)"
        )
    };
    let week_ago_time = format_taken_at(now - Duration::days(7));
    let largest = crate::db::query_as(&repositories_at("MAX"))
        .bind(registry)
        .bind(&week_ago_time)
        .fetch_all(db)
        .await?;
    let week_ago = crate::db::query_as(&repositories_at("MIN"))
        .bind(registry)
        .bind(&week_ago_time)
        .fetch_all(db)
        .await?;
    let details = super::latest_details(db, registry).await?;
    let estimated = super::load_estimate(db, registry).await?;
    Ok(Loaded {
        series,
        latest,
        largest,
        week_ago,
        details,
        estimated,
    })
}

fn assemble(
    registry: &str,
    loaded: Loaded,
    capacity_bytes: Option<i64>,
    now: OffsetDateTime,
) -> RegistryHistory {
    let (mut times, mut stored) = (Vec::new(), Vec::new());
    let mut by_part: Vec<(String, Vec<(String, i64)>)> = Vec::new();
    for mut row in loaded.series {
        row.points.sort_by(|a, b| a.0.cmp(&b.0));
        match row.kind.as_str() {
            "registry" => (times, stored) = row.points.into_iter().unzip(),
            _ => by_part.push((row.scope, row.points)),
        }
    }
    let parts = stack_parts(&times, by_part);
    let largest = largest(loaded.largest);
    let growers = growers(&loaded.week_ago, &largest);
    let latest = loaded.latest.map(Usage::from);
    let series: Vec<(f64, f64)> = times
        .iter()
        .zip(&stored)
        .filter_map(|(time, bytes)| Some((days_before(now, time)?, *bytes as f64)))
        .collect();
    let growth_7d = growth_per_day(&series, 7.0);
    let growth_30d = growth_per_day(&series, 30.0);
    let full_in_days = match (capacity_bytes, &latest, growth_30d) {
        (Some(capacity), Some(latest), _) if latest.stored_bytes as i64 >= capacity => Some(0.0),
        (Some(capacity), Some(latest), Some(rate)) if rate > 0.0 => {
            Some((capacity - latest.stored_bytes as i64) as f64 / rate)
        }
        _ => None,
    };
    RegistryHistory {
        registry: registry.to_string(),
        times,
        stored,
        parts,
        latest,
        growth_7d,
        growth_30d,
        capacity_bytes,
        full_in_days,
        largest,
        growers,
        details: loaded.details,
        estimated: loaded.estimated,
    }
}

/// Each part's bytes at each of `times`, the largest (at the last time) first; past
/// [`MAX_PARTS`] the smaller ones are summed, so the stack still adds up to the registry.
fn stack_parts(
    times: &[String],
    by_part: Vec<(String, Vec<(String, i64)>)>,
) -> Vec<(String, Vec<i64>)> {
    let mut parts: Vec<(String, Vec<i64>)> = by_part
        .into_iter()
        .map(|(name, points)| (name, align(times, &points)))
        .collect();
    let last = |values: &Vec<i64>| values.last().copied().unwrap_or(0);
    parts.sort_by(|a, b| last(&b.1).cmp(&last(&a.1)).then_with(|| a.0.cmp(&b.0)));
    if parts.len() > MAX_PARTS {
        let rest = parts.split_off(MAX_PARTS - 1);
        let mut other = vec![0; times.len()];
        for (_, values) in rest {
            for (sum, value) in other.iter_mut().zip(values) {
                *sum += value;
            }
        }
        parts.push((OTHER_PART.to_string(), other));
    }
    parts
}

/// The values of `points` (sorted by time) at each of `times` (sorted), 0 where it has none:
/// one walk through both.
fn align(times: &[String], points: &[(String, i64)]) -> Vec<i64> {
    let mut next = points.iter().peekable();
    times
        .iter()
        .map(|time| {
            while next.next_if(|(at, _)| at < time).is_some() {}
            match next.next_if(|(at, _)| at == time) {
                Some((_, bytes)) => *bytes,
                None => 0,
            }
        })
        .collect()
}

fn largest(rows: Vec<ScopeRow>) -> Vec<ScopeUsage> {
    let mut largest: Vec<ScopeUsage> = rows
        .into_iter()
        .map(|row| ScopeUsage {
            scope: row.scope,
            usage: row.usage.into(),
        })
        .collect();
    largest.sort_by(|a, b| {
        (b.usage.stored_bytes.cmp(&a.usage.stored_bytes)).then_with(|| a.scope.cmp(&b.scope))
    });
    largest.truncate(TOP_REPOSITORIES);
    largest
}

/// Growth since the oldest snapshot of the last 7 days, for the repositories among the largest
/// both now and then (smaller ones are not written down).
fn growers(week_ago: &[ScopeRow], largest: &[ScopeUsage]) -> Vec<Grower> {
    let then: HashMap<&str, i64> = week_ago
        .iter()
        .map(|row| (row.scope.as_str(), row.usage.stored_bytes))
        .collect();
    let mut growers: Vec<Grower> = largest
        .iter()
        .filter_map(|now| {
            let then = *then.get(now.scope.as_str())?;
            let stored_bytes = now.usage.stored_bytes as i64;
            Some(Grower {
                repository: now.scope.clone(),
                stored_bytes,
                grown_bytes: stored_bytes - then,
            })
        })
        .filter(|grower| grower.grown_bytes > 0)
        .collect();
    growers.sort_by(|a, b| {
        b.grown_bytes
            .cmp(&a.grown_bytes)
            .then_with(|| a.repository.cmp(&b.repository))
    });
    growers.truncate(MAX_GROWERS);
    growers
}

/// How many days before `now` a snapshot time is.
fn days_before(now: OffsetDateTime, time: &str) -> Option<f64> {
    let format = time::format_description::well_known::Rfc3339;
    let at = OffsetDateTime::parse(time, &format).ok()?;
    Some((now - at).as_seconds_f64() / 86_400.0)
}

/// The least-squares slope (bytes a day) of the points at most `days` old, `(age in days,
/// bytes)`; `None` with fewer than two points or when they span less than an hour.
pub fn growth_per_day(series: &[(f64, f64)], days: f64) -> Option<f64> {
    let points: Vec<(f64, f64)> = series
        .iter()
        .filter(|(age, _)| *age <= days)
        .map(|(age, bytes)| (-age, *bytes))
        .collect();
    let n = points.len() as f64;
    let (oldest, newest) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (x, _)| {
            (lo.min(*x), hi.max(*x))
        });
    if points.len() < 2 || newest - oldest < 1.0 / 24.0 {
        return None;
    }
    let mean_x = points.iter().map(|(x, _)| x).sum::<f64>() / n;
    let mean_y = points.iter().map(|(_, y)| y).sum::<f64>() / n;
    let covariance: f64 = points
        .iter()
        .map(|(x, y)| (x - mean_x) * (y - mean_y))
        .sum();
    let variance: f64 = points.iter().map(|(x, _)| (x - mean_x).powi(2)).sum();
    Some(covariance / variance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_aligned_on_the_registrys_times_with_zero_where_it_has_none() {
        let times: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let points = [("a0", 9), ("b", 2), ("d", 4)].map(|(t, v)| (t.to_string(), v));
        assert_eq!(align(&times, &points), [0, 2, 0, 4]);
    }

    #[test]
    fn a_steady_gigabyte_a_day_is_measured_as_one() {
        let gib = 1024.0 * 1024.0 * 1024.0;
        let series: Vec<(f64, f64)> = (0..=60)
            .map(|age| (age as f64, (100 - age) as f64 * gib))
            .collect();
        let rate = growth_per_day(&series, 30.0).unwrap();
        assert!((rate - gib).abs() < 1.0, "{rate}");
        assert_eq!(growth_per_day(&series[..1], 30.0), None, "one point");
    }
}
