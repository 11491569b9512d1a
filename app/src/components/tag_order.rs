//! Ordering and filtering tags in the tag table (runs in the browser too).

use crate::dto::TagItem;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSort {
    /// Newest image first (the default).
    Created,
    /// Highest version first; tags that are not versions come after, by name.
    Semver,
}

impl TagSort {
    pub fn parse(value: &str) -> Self {
        if value == "semver" {
            TagSort::Semver
        } else {
            TagSort::Created
        }
    }
}

fn version(tag: &str) -> Option<semver::Version> {
    semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

/// The tags matching `filter` (case-insensitive substring of the tag), in `sort` order.
pub fn visible_tags(tags: &[TagItem], filter: &str, sort: TagSort) -> Vec<TagItem> {
    let needle = filter.trim().to_lowercase();
    let mut visible: Vec<TagItem> = tags
        .iter()
        .filter(|t| t.tag.to_lowercase().contains(&needle))
        .cloned()
        .collect();
    match sort {
        TagSort::Created => {
            visible.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.tag.cmp(&b.tag)))
        }
        TagSort::Semver => visible.sort_by(|a, b| match (version(&a.tag), version(&b.tag)) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.tag.cmp(&b.tag),
        }),
    }
    visible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(name: &str, created: i64) -> TagItem {
        TagItem {
            tag: name.into(),
            digest: String::new(),
            size_bytes: 0,
            platforms: vec![],
            created: Some(crate::dto::When {
                unix_seconds: created,
            }),
            same_digest_as: vec![],
            is_index: false,
        }
    }

    #[test]
    fn semver_order_puts_highest_versions_first_and_names_last() {
        let tags = [
            tag("1.9.0", 2),
            tag("latest", 3),
            tag("v1.10.0", 1),
            tag("1.10.0-rc.1", 4),
        ];
        let names: Vec<_> = visible_tags(&tags, "", TagSort::Semver)
            .into_iter()
            .map(|t| t.tag)
            .collect();
        assert_eq!(names, ["v1.10.0", "1.10.0-rc.1", "1.9.0", "latest"]);
    }

    #[test]
    fn created_order_is_newest_first_and_filter_is_case_insensitive() {
        let tags = [
            tag("a-old", 1_767_225_600),
            tag("B-new", 1_780_272_000),
            tag("c", 1_772_323_200),
        ];
        let names: Vec<_> = visible_tags(&tags, "", TagSort::Created)
            .into_iter()
            .map(|t| t.tag)
            .collect();
        assert_eq!(names, ["B-new", "c", "a-old"]);
        let filtered: Vec<_> = visible_tags(&tags, "b", TagSort::Created)
            .into_iter()
            .map(|t| t.tag)
            .collect();
        assert_eq!(filtered, ["B-new"]);
    }
}
