//! Day-one history: before the first snapshot there is no series, but the index knows when
//! each image was built. A blob has been stored since the earliest build date (config
//! `created`) of the tagged images that use it; where that date is missing or implausible (a
//! reproducible build says 1970), since its tag was first seen. Summed by day, that is an
//! *estimate* of the past — blobs deleted before Regatta came are not in it, and images may be
//! pushed long after they were built — so it is computed once, at a registry's first snapshot,
//! kept apart from the snapshots, and always drawn and labelled as estimated.

use super::graph::RegistryGraph;
use crate::clock::sortable_utc;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration, OffsetDateTime};

/// Days of estimate kept at most (what the longest chart range shows, and then some).
pub const ESTIMATED_DAYS: i64 = 730;

/// Build dates before this are placeholders, not dates (reproducible builds use the epoch).
const PLAUSIBLE_FROM: i32 = 2000;

/// Stored bytes at the end of each day before `first_snapshot` (sortable UTC at midnight,
/// oldest first), from `created` (manifest id → config `created`, RFC 3339).
pub fn estimate_past(
    graph: &RegistryGraph,
    created: &HashMap<i64, String>,
    first_snapshot: OffsetDateTime,
) -> Vec<(String, u64)> {
    let plausible = |text: &str| {
        let at =
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
        (at.year() >= PLAUSIBLE_FROM && at <= first_snapshot).then_some(at.date())
    };
    // The day each manifest appeared: its build date, else its tag's first sighting.
    let mut manifest_day: HashMap<i64, Date> = HashMap::new();
    for tag in &graph.tags {
        let seen = plausible(&tag.pushed_at).unwrap_or(first_snapshot.date());
        for id in graph.reachable(tag.manifest) {
            let built = created.get(&id).and_then(|c| plausible(c));
            let day = built.unwrap_or(seen);
            manifest_day
                .entry(id)
                .and_modify(|d| *d = (*d).min(day))
                .or_insert(day);
        }
    }
    let mut blob_day: HashMap<i64, Date> = HashMap::new();
    let mut added: BTreeMap<Date, u64> = BTreeMap::new();
    for (id, day) in &manifest_day {
        let Some(manifest) = graph.manifests.get(id) else {
            continue;
        };
        *added.entry(*day).or_default() += manifest.size;
        for blob in &manifest.blobs {
            blob_day
                .entry(*blob)
                .and_modify(|d| *d = (*d).min(*day))
                .or_insert(*day);
        }
    }
    for (blob, day) in blob_day {
        *added.entry(day).or_default() += graph.blob_sizes.get(&blob).copied().unwrap_or(0);
    }
    cumulative_by_day(&added, first_snapshot.date())
}

/// The running total at the end of each day from the first addition (or [`ESTIMATED_DAYS`]
/// back) up to the day before `until`.
fn cumulative_by_day(added: &BTreeMap<Date, u64>, until: Date) -> Vec<(String, u64)> {
    let Some(first) = added.keys().next().copied() else {
        return Vec::new();
    };
    let earliest = until - Duration::days(ESTIMATED_DAYS);
    let mut total: u64 = added.range(..earliest).map(|(_, bytes)| bytes).sum();
    let mut points = Vec::new();
    let mut day = first.max(earliest);
    while day < until {
        total += added.get(&day).copied().unwrap_or(0);
        points.push((sortable_utc(day.midnight().assume_utc()), total));
        day = day
            .next_day()
            .expect("a day before the snapshot has a next");
    }
    points
}

/// The registry's estimate; empty when none was made.
pub async fn load_estimate(
    db: impl crate::db::Executor<'_>,
    registry: &str,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let text: Option<String> =
        crate::db::query_scalar("SELECT points FROM storage_estimates WHERE registry = ?")
            .bind(registry)
            .fetch_optional(db)
            .await?;
    text.map(|text| serde_json::from_str(&text))
        .transpose()
        .map(Option::unwrap_or_default)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

pub(super) async fn has_estimate(
    db: impl crate::db::Executor<'_>,
    registry: &str,
) -> Result<bool, sqlx::Error> {
    crate::db::query_scalar("SELECT EXISTS (SELECT 1 FROM storage_estimates WHERE registry = ?)")
        .bind(registry)
        .fetch_one(db)
        .await
}

/// Keeps the first estimate made for `registry` (a later one would know less of the past).
pub(super) async fn save_estimate(
    db: impl crate::db::Executor<'_>,
    registry: &str,
    computed_at: &str,
    points: &[(String, u64)],
) -> Result<(), sqlx::Error> {
    crate::db::query(
        "INSERT INTO storage_estimates (registry, computed_at, points) VALUES (?, ?, ?)
         ON CONFLICT (registry) DO NOTHING",
    )
    .bind(registry)
    .bind(computed_at)
    .bind(serde_json::to_string(points).expect("points serialize"))
    .execute(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_running_total_covers_each_day_up_to_the_snapshot() {
        let added = BTreeMap::from([(date!(2026 - 03 - 01), 100), (date!(2026 - 03 - 03), 50)]);
        let points = cumulative_by_day(&added, date!(2026 - 03 - 05));
        let values: Vec<u64> = points.iter().map(|(_, v)| *v).collect();
        assert_eq!(values, [100, 100, 150, 150]);
        assert_eq!(points[0].0, "2026-03-01T00:00:00Z");
        assert_eq!(points[3].0, "2026-03-04T00:00:00Z");
    }

    #[test]
    fn older_additions_start_the_kept_window_and_nothing_is_after_the_snapshot() {
        let until = date!(2026 - 03 - 05);
        let long_ago = until - Duration::days(ESTIMATED_DAYS + 10);
        let added = BTreeMap::from([(long_ago, 7), (date!(2026 - 03 - 04), 3)]);
        let points = cumulative_by_day(&added, until);
        assert_eq!(points.len() as i64, ESTIMATED_DAYS);
        assert_eq!(
            points[0].1, 7,
            "what came before the window is its starting value"
        );
        assert_eq!(points.last().unwrap().1, 10);
        assert!(cumulative_by_day(&BTreeMap::new(), until).is_empty());
    }
}
