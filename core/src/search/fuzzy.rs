//! Typo tolerance: when a word matches nothing, the words of repository names within a small
//! edit distance stand in for it (`ngnix` → `nginx`). Trigrams alone cannot do this — `ngnix` and
//! `nginx` share none — so the words are kept in memory and compared with the optimal string
//! alignment distance, where swapping two neighbours counts as one edit.

use super::store;
use std::sync::{Arc, Mutex};

/// The distinct words of every repository name (split at `/ . _ -`), refreshed when the set of
/// repositories changes.
#[derive(Debug, Default)]
pub struct Vocabulary {
    cached: Mutex<Option<(Fingerprint, Arc<Vec<String>>)>>,
}

/// Row count and highest id: any insert or delete of a repository changes one of them.
type Fingerprint = (i64, i64);

/// At most this many stand-ins per word, closest first.
const MAX_CORRECTIONS: usize = 5;

impl Vocabulary {
    /// Words within reach of `word`, closest first; empty when it is too short to guess from.
    pub async fn corrections(&self, db: &crate::db::Db, word: &str) -> sqlx::Result<Vec<String>> {
        let Some(max_edits) = max_edits(word) else {
            return Ok(Vec::new());
        };
        let words = self.words(db).await?;
        let mut found: Vec<(usize, &String)> = words
            .iter()
            .filter(|w| w.len().abs_diff(word.len()) <= max_edits)
            .filter_map(|w| {
                let edits = strsim::osa_distance(word, w);
                (edits <= max_edits).then_some((edits, w))
            })
            .collect();
        found.sort();
        Ok(found
            .into_iter()
            .take(MAX_CORRECTIONS)
            .map(|(_, w)| w.clone())
            .collect())
    }

    /// Rebuilds the word list now if repositories changed, so the first typo after a crawl does
    /// not pay for it (20 ms for 20,000 repositories).
    pub async fn refresh(&self, db: &crate::db::Db) -> sqlx::Result<()> {
        self.words(db).await.map(drop)
    }

    async fn words(&self, db: &crate::db::Db) -> sqlx::Result<Arc<Vec<String>>> {
        let fingerprint: Fingerprint = store::repositories_fingerprint(db).await?;
        if let Some((seen, words)) = &*self.cached.lock().expect("vocabulary lock") {
            if *seen == fingerprint {
                return Ok(words.clone());
            }
        }
        let names = store::repository_names(db).await?;
        let words = Arc::new(words_of(names.iter().map(String::as_str)));
        *self.cached.lock().expect("vocabulary lock") = Some((fingerprint, words.clone()));
        Ok(words)
    }
}

/// How far a stand-in may be from `word`; `None` when it is too short to guess from.
pub(super) fn max_edits(word: &str) -> Option<usize> {
    match word.chars().count() {
        0..=3 => None,
        4..=7 => Some(1),
        _ => Some(2),
    }
}

fn words_of<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut words: Vec<String> = names
        .flat_map(|name| name.split(['/', '.', '_', '-']))
        .filter(|w| w.len() >= 3)
        .map(str::to_string)
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_and_unique() {
        let words = words_of(["dev/nginx-proxy", "prod/nginx", "a/b_c"].into_iter());
        assert_eq!(words, ["dev", "nginx", "prod", "proxy"]);
    }

    #[test]
    fn transpositions_are_one_edit() {
        assert_eq!(strsim::osa_distance("ngnix", "nginx"), 1);
    }
}
