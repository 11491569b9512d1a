//! A retention policy and what it keeps — pure: the facts of a repository's tags in, a verdict
//! per tag out. Keep rules are OR-ed, as Harbor's: a tag any rule keeps stays; the rest are
//! deletion candidates. A rule that cannot judge keeps (pull times unknown), and retention
//! never deletes in protected or immutable-tag environments.

use globset::{Glob, GlobMatcher};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use time::{Duration, OffsetDateTime};

/// A policy as written in `[[retention]]` or stored from the /retention page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    /// Lower-case letters, digits and dashes.
    pub name: String,
    pub registry: String,
    /// Only the repositories of this environment.
    #[serde(default)]
    pub environment: Option<String>,
    /// Repository globs (`*` within a path segment, `**` across); empty: every repository.
    #[serde(default)]
    pub repositories: Vec<String>,
    #[serde(default)]
    pub exclude_repositories: Vec<String>,
    #[serde(default)]
    pub keep: KeepRules,
    /// `daily HH:MM` (UTC) or `every Nh`; none: run by hand only.
    #[serde(default)]
    pub schedule: Option<String>,
}

/// What a policy keeps; at least one rule must be set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepRules {
    /// Every tag of the N most recent images of each repository (by build date, else push
    /// time): an image tagged `1.4` and `latest` counts once.
    #[serde(default)]
    pub most_recent: Option<u32>,
    #[serde(default)]
    pub pushed_within_days: Option<u32>,
    #[serde(default)]
    pub pulled_within_days: Option<u32>,
    /// Tag globs such as `v*.*.*` or `latest`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Tag regular expressions (matched anywhere unless anchored).
    #[serde(default)]
    pub tags_regex: Vec<String>,
    /// Tags whose digest is present in a later environment of the pipeline.
    #[serde(default)]
    pub promoted: bool,
}

/// Why a tag stays (the first rule that keeps it, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    Guarded,
    TagPattern,
    MostRecent,
    PushedRecently,
    PulledRecently,
    /// The pull rule cannot judge: pull times are unknown, or known for less than its window.
    PullsUnknown,
    Promoted,
}

impl Kept {
    pub fn describe(self) -> &'static str {
        match self {
            Kept::Guarded => "protected or immutable-tag environment",
            Kept::TagPattern => "tag matches a kept pattern",
            Kept::MostRecent => "among the most recent",
            Kept::PushedRecently => "pushed recently",
            Kept::PulledRecently => "pulled recently",
            Kept::PullsUnknown => "pull times not known for long enough",
            Kept::Promoted => "promoted to a later environment",
        }
    }
}

/// A policy with its patterns compiled; made once per preview.
pub struct CompiledPolicy {
    pub policy: RetentionPolicy,
    repositories: Vec<GlobMatcher>,
    exclude: Vec<GlobMatcher>,
    tag_globs: Vec<GlobMatcher>,
    tag_regexes: Vec<Regex>,
}

/// One tag of a repository, as the evaluation needs it.
#[derive(Debug, Clone)]
pub struct TagFacts<'a> {
    pub tag: &'a str,
    pub digest: &'a str,
    /// Sortable: the image's build date, else when the tag was pushed (RFC 3339).
    pub recency: &'a str,
    /// RFC 3339.
    pub pushed_at: &'a str,
    /// Sortable UTC (`YYYY-MM-DDTHH:MM:SSZ`).
    pub last_pull: Option<&'a str>,
}

/// What the evaluation knows beyond the tags.
pub struct Context<'a> {
    pub now: OffsetDateTime,
    /// Since when the registry's pull times are known (sortable UTC); `None`: never.
    pub pulls_known_since: Option<&'a str>,
    /// The repository is in a protected or immutable-tag environment.
    pub guarded: bool,
    /// Digests present in environments later in the pipeline than this repository's.
    pub later_digests: &'a HashSet<String>,
}

impl CompiledPolicy {
    pub fn new(policy: RetentionPolicy) -> Result<Self, String> {
        let globs = |patterns: &[String], what: &str| -> Result<Vec<GlobMatcher>, String> {
            patterns
                .iter()
                .map(|p| {
                    Glob::new(p)
                        .map(|g| g.compile_matcher())
                        .map_err(|e| format!("{what} `{p}` is not a glob: {e}"))
                })
                .collect()
        };
        let tag_regexes = policy
            .keep
            .tags_regex
            .iter()
            .map(|r| {
                regex::RegexBuilder::new(r)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| format!("`{r}` is not a regular expression: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            repositories: globs(&policy.repositories, "repository pattern")?,
            exclude: globs(&policy.exclude_repositories, "excluded repository pattern")?,
            tag_globs: globs(&policy.keep.tags, "tag pattern")?,
            tag_regexes,
            policy,
        })
    }

    /// Whether the policy covers `repository` (its environment is checked by the caller).
    pub fn covers(&self, repository: &str) -> bool {
        let included = self.repositories.is_empty()
            || self.repositories.iter().any(|g| g.is_match(repository));
        included && !self.exclude.iter().any(|g| g.is_match(repository))
    }

    /// A verdict per tag of one repository, in the order given: `None` is a deletion candidate.
    pub fn evaluate(&self, tags: &[TagFacts<'_>], context: &Context<'_>) -> Vec<Option<Kept>> {
        let keep = &self.policy.keep;
        let recent = most_recent(tags, keep.most_recent);
        let since =
            |days: u32| crate::clock::sortable_utc(context.now - Duration::days(days.into()));
        let pushed_since = keep.pushed_within_days.map(since);
        let pulled_since = keep.pulled_within_days.map(since);
        tags.iter()
            .enumerate()
            .map(|(i, tag)| {
                if context.guarded {
                    return Some(Kept::Guarded);
                }
                if self.tag_globs.iter().any(|g| g.is_match(tag.tag))
                    || self.tag_regexes.iter().any(|r| r.is_match(tag.tag))
                {
                    return Some(Kept::TagPattern);
                }
                if recent.contains(&i) {
                    return Some(Kept::MostRecent);
                }
                if pushed_since
                    .as_deref()
                    .is_some_and(|since| tag.pushed_at >= since)
                {
                    return Some(Kept::PushedRecently);
                }
                if let Some(since) = pulled_since.as_deref() {
                    match context.pulls_known_since {
                        Some(known) if known <= since => {
                            if tag.last_pull.is_some_and(|pulled| pulled >= since) {
                                return Some(Kept::PulledRecently);
                            }
                        }
                        _ => return Some(Kept::PullsUnknown),
                    }
                }
                if keep.promoted && context.later_digests.contains(tag.digest) {
                    return Some(Kept::Promoted);
                }
                None
            })
            .collect()
    }
}

/// Indexes of the tags on the `n` most recent images (ties by digest, so the choice is stable).
fn most_recent(tags: &[TagFacts<'_>], n: Option<u32>) -> HashSet<usize> {
    let Some(n) = n else {
        return HashSet::new();
    };
    let mut images: Vec<(&str, &str)> = tags.iter().map(|t| (t.recency, t.digest)).collect();
    images.sort_by(|a, b| b.0.cmp(a.0).then_with(|| a.1.cmp(b.1)));
    images.dedup_by_key(|image| image.1);
    let mut kept: HashSet<&str> = HashSet::new();
    for (_, digest) in images {
        if kept.len() == n as usize {
            break;
        }
        kept.insert(digest);
    }
    (0..tags.len())
        .filter(|i| kept.contains(tags[*i].digest))
        .collect()
}

pub use crate::schedule::Schedule;

/// Checks a policy's own fields (the registry and environment are checked against the
/// settings by the caller).
pub fn validate(policy: &RetentionPolicy) -> Result<(), String> {
    let name_ok = !policy.name.is_empty()
        && policy.name.len() <= 64
        && policy
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !name_ok {
        return Err(format!(
            "`{}` is not a policy name: lower-case letters, digits and dashes, at most 64",
            policy.name
        ));
    }
    let keep = &policy.keep;
    let any_rule = keep.most_recent.is_some()
        || keep.pushed_within_days.is_some()
        || keep.pulled_within_days.is_some()
        || !keep.tags.is_empty()
        || !keep.tags_regex.is_empty()
        || keep.promoted;
    if !any_rule {
        return Err(
            "A policy without a keep rule would delete every tag it covers: add one.".into(),
        );
    }
    if let Some(schedule) = &policy.schedule {
        Schedule::parse(schedule)?;
    }
    CompiledPolicy::new(policy.clone()).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn policy(keep: KeepRules) -> CompiledPolicy {
        CompiledPolicy::new(RetentionPolicy {
            name: "p".into(),
            registry: "r".into(),
            environment: None,
            repositories: vec![],
            exclude_repositories: vec![],
            keep,
            schedule: None,
        })
        .unwrap()
    }

    fn tag<'a>(tag: &'a str, recency: &'a str, last_pull: Option<&'a str>) -> TagFacts<'a> {
        TagFacts {
            tag,
            digest: tag,
            recency,
            pushed_at: "2026-01-01T00:00:00Z",
            last_pull,
        }
    }

    fn verdicts(
        p: &CompiledPolicy,
        tags: &[TagFacts<'_>],
        known: Option<&str>,
        later: &[&str],
    ) -> Vec<Option<Kept>> {
        let later: HashSet<String> = later.iter().map(|s| s.to_string()).collect();
        let context = Context {
            now: datetime!(2026-12-01 00:00 UTC),
            pulls_known_since: known,
            guarded: false,
            later_digests: &later,
        };
        p.evaluate(tags, &context)
    }

    #[test]
    fn each_rule_keeps_what_it_says_and_the_rest_are_candidates() {
        let tags = [
            tag("v1.0.0", "2026-01-01T00:00:00Z", None),
            tag("b-3", "2026-11-03T00:00:00Z", None),
            tag("b-2", "2026-11-02T00:00:00Z", Some("2026-11-28T00:00:00Z")),
            tag("b-1", "2026-11-01T00:00:00Z", None),
            tag("b-0", "2026-10-01T00:00:00Z", None),
        ];
        let p = policy(KeepRules {
            most_recent: Some(1),
            pulled_within_days: Some(7),
            tags: vec!["v*.*.*".into()],
            promoted: true,
            ..KeepRules::default()
        });
        let got = verdicts(&p, &tags, Some("2026-06-01T00:00:00Z"), &["b-1"]);
        assert_eq!(
            got,
            [
                Some(Kept::TagPattern),
                Some(Kept::MostRecent),
                Some(Kept::PulledRecently),
                Some(Kept::Promoted),
                None
            ]
        );
    }

    #[test]
    fn most_recent_counts_images_not_tags() {
        let mut tags = [
            tag("1.4", "2026-11-04T00:00:00Z", None),
            tag("latest", "2026-11-04T00:00:00Z", None),
            tag("1.3", "2026-11-03T00:00:00Z", None),
        ];
        tags[1].digest = "1.4";
        let p = policy(KeepRules {
            most_recent: Some(1),
            ..KeepRules::default()
        });
        let got = verdicts(&p, &tags, None, &[]);
        assert_eq!(got, [Some(Kept::MostRecent), Some(Kept::MostRecent), None]);
    }

    #[test]
    fn a_pull_rule_that_cannot_judge_keeps() {
        let tags = [tag("old", "2026-01-01T00:00:00Z", None)];
        let p = policy(KeepRules {
            pulled_within_days: Some(30),
            ..KeepRules::default()
        });
        assert_eq!(verdicts(&p, &tags, None, &[]), [Some(Kept::PullsUnknown)]);
        assert_eq!(
            verdicts(&p, &tags, Some("2026-11-20T00:00:00Z"), &[]),
            [Some(Kept::PullsUnknown)],
            "known for 11 of 30 days"
        );
        assert_eq!(
            verdicts(&p, &tags, Some("2026-10-01T00:00:00Z"), &[]),
            [None]
        );
    }

    #[test]
    fn globs_cover_repositories_and_schedules_parse() {
        let mut p = policy(KeepRules {
            most_recent: Some(1),
            ..KeepRules::default()
        })
        .policy;
        p.repositories = vec!["dev/**".into()];
        p.exclude_repositories = vec!["dev/keep-*".into()];
        let p = CompiledPolicy::new(p).unwrap();
        assert!(p.covers("dev/app") && p.covers("dev/team/app"));
        assert!(!p.covers("dev/keep-me") && !p.covers("prod/app"));
        assert_eq!(
            Schedule::parse("daily 03:30"),
            Ok(Schedule::Daily {
                hour: 3,
                minute: 30
            })
        );
        assert_eq!(Schedule::parse("every 6h"), Ok(Schedule::EveryHours(6)));
        assert!(Schedule::parse("daily 25:00").is_err() && Schedule::parse("hourly").is_err());
        let daily = Schedule::Daily { hour: 3, minute: 0 };
        let now = datetime!(2026-12-01 03:10 UTC);
        assert!(daily.is_due(Some(datetime!(2026-11-30 03:05 UTC)), now));
        assert!(!daily.is_due(Some(datetime!(2026-12-01 03:01 UTC)), now));
        assert!(!daily.is_due(None, datetime!(2026-12-01 02:59 UTC)));
    }

    #[test]
    fn a_policy_without_a_keep_rule_or_with_a_bad_pattern_is_refused() {
        let mut p = policy(KeepRules::default()).policy;
        assert!(validate(&p).unwrap_err().contains("keep rule"));
        p.keep.tags_regex = vec!["(".into()];
        assert!(validate(&p).unwrap_err().contains("regular expression"));
        p.keep.tags_regex = vec![];
        p.keep.most_recent = Some(3);
        p.name = "Nightly CI".into();
        assert!(validate(&p).unwrap_err().contains("policy name"));
    }
}
