//! The orders of a repository's tag table.

use crate::DomainError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TagSort {
    /// Newest image first (the default).
    #[default]
    Created,
    /// Highest version first; tags that are not versions come after, by name.
    Semver,
}

impl TagSort {
    /// `created` or `semver`, as in the page's query string; empty is the default.
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        match value {
            "" | "created" => Ok(TagSort::Created),
            "semver" => Ok(TagSort::Semver),
            other => Err(DomainError::Invalid(format!(
                "Unknown tag order `{other}`: use `created` or `semver`."
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TagSort::Created => "created",
            TagSort::Semver => "semver",
        }
    }
}

fn version(tag: &str) -> Option<semver::Version> {
    semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

/// Highest version first (`v1.10.0` before `1.10.0-rc.1` before `1.9.0`); tags that are not
/// versions after them, by name.
pub(super) fn sort_by_version(names: &mut [String]) {
    names.sort_by_cached_key(|name| {
        let version = version(name);
        (version.is_none(), std::cmp::Reverse(version), name.clone())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_highest_first_and_names_last() {
        let mut names: Vec<String> = ["1.9.0", "latest", "v1.10.0", "1.10.0-rc.1", "edge"]
            .map(String::from)
            .to_vec();
        sort_by_version(&mut names);
        assert_eq!(names, ["v1.10.0", "1.10.0-rc.1", "1.9.0", "edge", "latest"]);
    }

    #[test]
    fn an_unknown_order_is_refused_by_name() {
        assert_eq!(TagSort::parse("").unwrap(), TagSort::Created);
        assert_eq!(TagSort::parse("semver").unwrap(), TagSort::Semver);
        let error = TagSort::parse("size").unwrap_err().to_string();
        assert!(error.contains("`size`"), "{error}");
    }
}
