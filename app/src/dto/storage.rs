use super::When;
use serde::{Deserialize, Serialize};

/// The storage page: every readable registry's usage now and over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorageOverview {
    /// `environment` or `namespace`: what the stacked charts split by.
    pub by: String,
    /// The chart shown first: `24h`, `7d`, `30d` or `1y`.
    pub range: String,
    pub registries: Vec<RegistryStorage>,
    /// Thresholds crossed now, for the banner.
    pub active_alerts: Vec<AlertItem>,
}

/// A storage threshold crossed, or recovered from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertItem {
    pub registry: String,
    /// `capacity` or `growth`.
    pub kind: String,
    pub crossed: bool,
    /// Stored bytes, or bytes a day.
    pub value: u64,
    pub threshold: u64,
    pub at: Option<When>,
}

impl AlertItem {
    /// One sentence, as the banner and the alert list say it.
    pub fn sentence(&self) -> String {
        let (value, threshold) = (
            crate::format::human_size(self.value),
            crate::format::human_size(self.threshold),
        );
        match (self.kind.as_str(), self.crossed) {
            ("capacity", true) => format!(
                "{}: {value} stored, past the warning level of {threshold}",
                self.registry
            ),
            ("capacity", false) => format!(
                "{}: {value} stored, back under the warning level of {threshold}",
                self.registry
            ),
            (_, true) => format!(
                "{}: growing {value}/day, faster than the limit of {threshold}/day",
                self.registry
            ),
            (_, false) => format!(
                "{}: growing {value}/day, back within the limit of {threshold}/day",
                self.registry
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryStorage {
    pub name: String,
    /// The latest snapshot; `None` before the first one.
    pub latest: Option<UsageFigures>,
    /// Bytes a day over the last 7 and 30 days.
    pub growth_7d: Option<f64>,
    pub growth_30d: Option<f64>,
    pub capacity_bytes: Option<u64>,
    /// Days until full at the 30-day rate (0: full now).
    pub full_in_days: Option<f64>,
    /// One chart per range, in the order of the range switch.
    pub charts: Vec<StorageChartData>,
    pub largest: Vec<ScopeFigures>,
    pub growers: Vec<GrowerItem>,
    /// The latest threshold crossings and recoveries, newest first.
    pub alerts: Vec<AlertItem>,
    /// When the unused share and the biggest layers were counted (the latest snapshot).
    pub details_at: Option<When>,
    /// `None` with `details_at` set: unknown, the registry sends no pull notifications.
    pub unused: Option<UnusedFigures>,
    pub biggest_layers: Vec<BigLayerItem>,
    pub untagged: Option<UntaggedFigures>,
}

/// Untagged manifests the registry holds, and what deleting them would free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UntaggedFigures {
    pub manifests: u64,
    pub exclusive_bytes: u64,
    /// (repository, digest, untagged since, size), the largest first.
    pub largest: Vec<(String, String, Option<When>, u64)>,
}

/// Tags neither pulled nor pushed for `after_days` (or since pull times are known, when that
/// is later: `complete` false), and what deleting them would free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedFigures {
    pub after_days: u32,
    pub since: Option<When>,
    pub complete: bool,
    pub tags: u64,
    pub logical_bytes: u64,
    pub exclusive_bytes: u64,
    pub largest: Vec<UnusedTagItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedTagItem {
    pub repository: String,
    pub tag: String,
    pub size_bytes: u64,
    pub last_pulled: Option<When>,
    pub pushed_at: Option<When>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BigLayerItem {
    pub digest: String,
    pub size_bytes: u64,
    pub images: u64,
    pub repositories: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UsageFigures {
    pub logical_bytes: u64,
    pub stored_bytes: u64,
    pub exclusive_bytes: u64,
    pub shared_bytes: u64,
    pub repositories: u64,
    pub tags: u64,
    pub manifests: u64,
    pub blobs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeFigures {
    pub scope: String,
    pub usage: UsageFigures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrowerItem {
    pub repository: String,
    pub stored_bytes: u64,
    pub grown_bytes: u64,
}

/// A stacked chart's data: the registry's stored bytes at each moment, and the parts (by
/// environment or namespace) that stack up to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageChartData {
    /// `24h`, `7d`, `30d`, `1y`.
    pub range: String,
    pub times: Vec<When>,
    pub total: Vec<u64>,
    pub parts: Vec<ChartPart>,
    /// Stored bytes by day before the first snapshot, estimated from image build dates: drawn
    /// dashed and labelled so.
    pub estimated: Vec<(When, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartPart {
    pub name: String,
    pub values: Vec<u64>,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::storage::{
        Grower, LayerUse, Range, RegistryHistory, ScopeUsage, StorageAlert, UnusedShare, UnusedTag,
        Usage,
    };

    impl From<UnusedShare> for UnusedFigures {
        fn from(u: UnusedShare) -> Self {
            Self {
                after_days: u.after_days,
                since: When::parse_rfc3339(&u.since),
                complete: u.complete,
                tags: u.tags,
                logical_bytes: u.logical_bytes,
                exclusive_bytes: u.exclusive_bytes,
                largest: u.largest.into_iter().map(Into::into).collect(),
            }
        }
    }

    impl From<UnusedTag> for UnusedTagItem {
        fn from(t: UnusedTag) -> Self {
            Self {
                last_pulled: t.last_pulled.as_deref().and_then(When::parse_rfc3339),
                pushed_at: When::parse_rfc3339(&t.pushed_at),
                repository: t.repository,
                tag: t.tag,
                size_bytes: t.size_bytes,
            }
        }
    }

    impl From<LayerUse> for BigLayerItem {
        fn from(l: LayerUse) -> Self {
            Self {
                digest: l.digest,
                size_bytes: l.size_bytes,
                images: l.images,
                repositories: l.repositories,
            }
        }
    }

    impl From<StorageAlert> for AlertItem {
        fn from(a: StorageAlert) -> Self {
            Self {
                at: When::parse_rfc3339(&a.at),
                crossed: a.state == "crossed",
                registry: a.registry,
                kind: a.kind,
                value: a.value.max(0) as u64,
                threshold: a.threshold.max(0) as u64,
            }
        }
    }

    impl From<Usage> for UsageFigures {
        fn from(u: Usage) -> Self {
            Self {
                logical_bytes: u.logical_bytes,
                stored_bytes: u.stored_bytes,
                exclusive_bytes: u.exclusive_bytes,
                shared_bytes: u.shared_bytes,
                repositories: u.repositories,
                tags: u.tags,
                manifests: u.manifests,
                blobs: u.blobs,
            }
        }
    }

    impl From<ScopeUsage> for ScopeFigures {
        fn from(s: ScopeUsage) -> Self {
            Self {
                scope: s.scope,
                usage: s.usage.into(),
            }
        }
    }

    impl From<Grower> for GrowerItem {
        fn from(g: Grower) -> Self {
            Self {
                repository: g.repository,
                stored_bytes: g.stored_bytes.max(0) as u64,
                grown_bytes: g.grown_bytes.max(0) as u64,
            }
        }
    }

    impl RegistryStorage {
        pub fn new(
            history: RegistryHistory,
            alerts: Vec<StorageAlert>,
            now: time::OffsetDateTime,
        ) -> Self {
            let charts = Range::ALL
                .iter()
                .map(|range| chart(&history, *range, now))
                .collect();
            Self {
                name: history.registry,
                latest: history.latest.map(Into::into),
                growth_7d: history.growth_7d,
                growth_30d: history.growth_30d,
                capacity_bytes: history.capacity_bytes.map(|b| b.max(0) as u64),
                full_in_days: history.full_in_days,
                charts,
                largest: history.largest.into_iter().map(Into::into).collect(),
                growers: history.growers.into_iter().map(Into::into).collect(),
                alerts: alerts.into_iter().map(Into::into).collect(),
                details_at: history
                    .details
                    .as_ref()
                    .and_then(|d| When::parse_rfc3339(&d.taken_at)),
                unused: history
                    .details
                    .as_ref()
                    .and_then(|d| d.unused.clone())
                    .map(Into::into),
                untagged: history.details.as_ref().map(|d| UntaggedFigures {
                    manifests: d.untagged.manifests,
                    exclusive_bytes: d.untagged.exclusive_bytes,
                    largest: d
                        .untagged
                        .largest
                        .iter()
                        .map(|m| {
                            let since = When::parse_rfc3339(&m.since);
                            (m.repository.clone(), m.digest.clone(), since, m.size_bytes)
                        })
                        .collect(),
                }),
                biggest_layers: history
                    .details
                    .map(|d| d.biggest_layers.into_iter().map(Into::into).collect())
                    .unwrap_or_default(),
            }
        }
    }

    fn chart(
        history: &RegistryHistory,
        range: Range,
        now: time::OffsetDateTime,
    ) -> StorageChartData {
        let points = history.points_in(range, now);
        let pick = |values: &[i64]| points.iter().map(|&i| values[i].max(0) as u64).collect();
        StorageChartData {
            range: range.as_str().to_string(),
            times: points
                .iter()
                .filter_map(|&i| When::parse_rfc3339(&history.times[i]))
                .collect(),
            total: pick(&history.stored),
            parts: history
                .parts
                .iter()
                .map(|(name, values)| ChartPart {
                    name: name.clone(),
                    values: pick(values),
                })
                .collect(),
            estimated: history
                .estimated_in(range, now)
                .into_iter()
                .filter_map(|(day, bytes)| Some((When::parse_rfc3339(&day)?, bytes.max(0) as u64)))
                .collect(),
        }
    }
}
