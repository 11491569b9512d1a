//! A catalog that suddenly lacks most of a registry's repositories is more often a broken
//! answer (a proxy's error page served with 200, a truncated page, a token that sees less) than
//! a registry emptied on purpose. Removing that many from the index waits until a second crawl
//! sees the same catalog; a smaller shrink is applied at once.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct RemovalGuard {
    /// Per registry, the removal a crawl held back, waiting for the next crawl to confirm it.
    held: Mutex<HashMap<String, Vec<String>>>,
}

/// What a crawl may do with the repositories the catalog no longer lists.
#[derive(Debug, PartialEq, Eq)]
pub enum Removal {
    Apply,
    /// Held back; the sentence says why, for the registry's crawl error.
    Hold(String),
}

impl RemovalGuard {
    pub fn check(
        &self,
        registry: &str,
        indexed: usize,
        missing: &[String],
        max_percent: u32,
    ) -> Removal {
        let mut held = self.held.lock().expect("removal guard lock");
        if missing.len() * 100 <= indexed * max_percent as usize {
            held.remove(registry);
            return Removal::Apply;
        }
        if held.get(registry).map(Vec::as_slice) == Some(missing) {
            held.remove(registry);
            return Removal::Apply;
        }
        held.insert(registry.to_string(), missing.to_vec());
        Removal::Hold(format!(
            "the catalog no longer lists {} of the {indexed} indexed repositories; they stay in \
             the index until the next crawl sees the same catalog (more than {max_percent}% in \
             one crawl looks like a broken answer)",
            missing.len()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("repo-{i}")).collect()
    }

    #[test]
    fn a_small_shrink_applies_a_large_one_waits_for_a_second_identical_catalog() {
        let guard = RemovalGuard::default();
        assert_eq!(guard.check("r", 10, &names(5), 50), Removal::Apply);
        assert!(matches!(
            guard.check("r", 10, &names(8), 50),
            Removal::Hold(_)
        ));
        // A different answer next time is not a confirmation.
        assert!(matches!(
            guard.check("r", 10, &names(9), 50),
            Removal::Hold(_)
        ));
        assert_eq!(guard.check("r", 10, &names(9), 50), Removal::Apply);
        assert!(matches!(
            guard.check("r", 10, &names(9), 50),
            Removal::Hold(_)
        ));
        assert!(matches!(
            guard.check("other", 3, &names(3), 50),
            Removal::Hold(_)
        ));
    }
}
