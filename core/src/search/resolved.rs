//! A query with its names resolved (registries, environments, typo stand-ins), and which of
//! its parts leads the plan. Plain data: the SQL builders (`sets`, `sql`, `by_term`) read it.

use super::query::{DigestPrefix, PlatformFilter, SizeBound, TermScope};
use time::OffsetDateTime;

/// A query with names resolved against the configuration and typos replaced.
#[derive(Debug, Default)]
pub struct Resolved {
    pub terms: Vec<ResolvedTerm>,
    /// The registries searched: those the user may read, narrowed by `registry:`.
    pub registries: Vec<String>,
    /// (registry, repository prefix) of each `env:`; a tag must be in one of them.
    pub environments: Vec<(String, String)>,
    pub namespaces: Vec<String>,
    pub platforms: Vec<PlatformFilter>,
    pub pushed_after: Option<OffsetDateTime>,
    pub pushed_before: Option<OffsetDateTime>,
    pub signed: Option<bool>,
    pub digests: Vec<DigestPrefix>,
    pub layers: Vec<DigestPrefix>,
    pub sizes: Vec<SizeBound>,
    pub largest_first: bool,
}

impl Resolved {
    /// Anything beyond words and the registries searched.
    pub fn has_filters(&self) -> bool {
        !self.environments.is_empty()
            || !self.namespaces.is_empty()
            || !self.platforms.is_empty()
            || self.pushed_after.is_some()
            || self.pushed_before.is_some()
            || self.signed.is_some()
            || !self.digests.is_empty()
            || !self.layers.is_empty()
            || !self.sizes.is_empty()
    }
}

#[derive(Debug)]
pub struct ResolvedTerm {
    pub text: String,
    pub scope: TermScope,
    pub digest: Option<DigestPrefix>,
    /// Repository-name words standing in for a term that matched nothing.
    pub corrections: Vec<String>,
}

/// The part of a query its candidates are listed from: the one likely to match fewest tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Digest,
    Layer,
    Signed,
    Term(usize),
    Environments,
    Namespace,
    Platform,
    All,
}

pub fn driver(query: &Resolved) -> Driver {
    let longest_term = (0..query.terms.len()).max_by_key(|&i| query.terms[i].text.len());
    if !query.digests.is_empty() {
        Driver::Digest
    } else if !query.layers.is_empty() {
        Driver::Layer
    } else if query.signed == Some(true) {
        Driver::Signed
    } else if let Some(i) = longest_term {
        Driver::Term(i)
    } else if !query.environments.is_empty() {
        Driver::Environments
    } else if !query.namespaces.is_empty() {
        Driver::Namespace
    } else if !query.platforms.is_empty() {
        Driver::Platform
    } else {
        Driver::All
    }
}
