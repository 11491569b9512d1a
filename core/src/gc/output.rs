//! What CNCF distribution's `registry garbage-collect` prints, as counts and digests.
//! stdout: `blob eligible for deletion: sha256:…`, `manifest eligible for deletion: …` and the
//! summary `N blobs marked, M blobs and K manifests eligible for deletion`; a real run also
//! logs `Deleting blob: /docker/registry/v2/blobs/sha256/xx/<hex>` (on stderr).

use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectOutput {
    pub blobs_marked: Option<u64>,
    pub blobs_eligible: Option<u64>,
    pub manifests_eligible: Option<u64>,
    /// Digests the collector called eligible (dry run and real run alike).
    pub eligible: BTreeSet<String>,
    /// Digests whose data it deleted (a real run).
    pub deleted: BTreeSet<String>,
}

impl CollectOutput {
    /// Takes in one line of the collector's output.
    pub fn feed(&mut self, line: &str) {
        if let Some(rest) = after(line, "blob eligible for deletion: ") {
            self.eligible.insert(first_word(rest).to_string());
        } else if let Some(rest) = after(line, "Deleting blob: ") {
            // `/docker/registry/v2/blobs/sha256/ab/abcdef…`: algorithm and hex are the path's
            // third-last and last parts.
            let path = first_word(rest);
            let parts: Vec<&str> = path.trim_end_matches('/').rsplit('/').collect();
            if let [hex, _, algorithm, ..] = parts.as_slice() {
                self.deleted.insert(format!("{algorithm}:{hex}"));
            }
        } else if let Some(counts) = summary(line) {
            (
                self.blobs_marked,
                self.blobs_eligible,
                self.manifests_eligible,
            ) = (Some(counts.0), Some(counts.1), Some(counts.2));
        }
    }
}

fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|at| &line[at + marker.len()..])
}

fn first_word(text: &str) -> &str {
    text.split(|c: char| c.is_whitespace() || c == '"')
        .next()
        .unwrap_or_default()
}

/// `N blobs marked, M blobs and K manifests eligible for deletion`.
fn summary(line: &str) -> Option<(u64, u64, u64)> {
    let pattern = regex_summary();
    let found = pattern.captures(line)?;
    let number = |i: usize| found[i].parse().ok();
    Some((number(1)?, number(2)?, number(3)?))
}

fn regex_summary() -> &'static regex::Regex {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    PATTERN.get_or_init(|| {
        regex::Regex::new(
            r"(\d+) blobs marked, (\d+) blobs and (\d+) manifests eligible for deletion",
        )
        .expect("a valid pattern")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_eligible_blobs_and_deleted_paths_are_read() {
        let mut output = CollectOutput::default();
        for line in [
            "dev/app: marking manifest sha256:aaa",
            "dev/app: marking blob sha256:bbb",
            "blob eligible for deletion: sha256:ccc",
            "3 blobs marked, 1 blobs and 0 manifests eligible for deletion",
            "time=\"2026-12-05T03:00:00Z\" level=info msg=\"Deleting blob: /docker/registry/v2/blobs/sha256/cc/ccc\" go.version=go1.19",
        ] {
            output.feed(line);
        }
        assert_eq!(
            (
                output.blobs_marked,
                output.blobs_eligible,
                output.manifests_eligible
            ),
            (Some(3), Some(1), Some(0))
        );
        assert_eq!(output.eligible, BTreeSet::from(["sha256:ccc".to_string()]));
        assert_eq!(output.deleted, BTreeSet::from(["sha256:ccc".to_string()]));
    }

    #[test]
    fn other_lines_change_nothing() {
        let mut output = CollectOutput::default();
        output.feed("dev/app: marking manifest sha256:aaa");
        output.feed("blobs marked, eligible for deletion");
        assert_eq!(output, CollectOutput::default());
    }
}
