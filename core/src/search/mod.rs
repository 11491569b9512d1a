//! Search across every registry in the index: repository names, path segments and tags, ranked
//! exact > prefix > substring > typo; filters; digest and base-layer lookup. Reads only SQLite.

mod by_term;
mod fuzzy;
pub mod query;
mod resolved;
mod sets;
mod sql;
mod store;
mod walk;

pub use fuzzy::Vocabulary;
pub use query::{SearchQuery, FILTER_KEYS};
pub use sql::COUNT_CAP;
pub use store::SearchHit;

use crate::auth::readable_registries;
use crate::db::QueryBuilder;
use crate::users::User;
use crate::{DomainError, Services};
use query::{TermScope, TimeBound};
use resolved::{Resolved, ResolvedTerm};

/// Hits per page of the results page; the search box asks for fewer.
pub const PAGE_SIZE: i64 = 50;

/// Deeper pages are answered as this one (people refine a search long before page 1,000; an
/// unbounded page overflowed `(page - 1) * page_size`).
const MAX_PAGE: i64 = 1_000;

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// The registry picked in the UI, on top of any `registry:` in the text.
    pub registry: Option<String>,
    /// From 1.
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// How the text was understood, for chips above the results.
    pub understood: Vec<String>,
    /// Words that matched nothing, and what was searched for instead.
    pub corrections: Vec<(String, Vec<String>)>,
    pub hits: Vec<SearchHit>,
    /// Matching tags, counted up to [`COUNT_CAP`] + 1 (shown as "10000+"); below that, exact.
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

pub async fn search(
    services: &Services,
    user: &User,
    request: &SearchRequest,
) -> Result<SearchResults, DomainError> {
    let parsed = query::parse(&request.text).map_err(|e| DomainError::Invalid(e.0))?;
    let page = request.page.clamp(1, MAX_PAGE);
    let page_size = request.page_size.clamp(1, 100);
    let mut results = SearchResults {
        understood: parsed.describe(),
        page,
        page_size,
        ..SearchResults::default()
    };
    // Nobody sees hits from a registry they may not read; with none readable there is nothing.
    if parsed.is_empty() || readable_registries(user, &services.settings).is_empty() {
        return Ok(results);
    }
    let resolved = resolve(services, user, parsed, request.registry.as_deref()).await?;
    results.corrections = resolved
        .terms
        .iter()
        .filter(|t| !t.corrections.is_empty())
        .map(|t| (t.text.clone(), t.corrections.clone()))
        .collect();
    results.hits = page_of_hits(services, &resolved, page_size, (page - 1) * page_size).await?;
    let total = match results.hits.first() {
        Some(hit) if hit.total >= 0 => hit.total,
        None if page == 1 => 0,
        _ => store::scalar(&services.db, count_query(&resolved)).await?,
    };
    // One query's pages agree on its total: a page walked by name order counts up to the
    // cap, a page listed by the full query counts every match.
    results.total = total.min(COUNT_CAP + 1);
    Ok(results)
}

async fn resolve(
    services: &Services,
    user: &User,
    parsed: SearchQuery,
    picked_registry: Option<&str>,
) -> Result<Resolved, DomainError> {
    let settings = &services.settings;
    let readable = readable_registries(user, settings);
    let mut wanted = parsed.registries.clone();
    wanted.extend(
        picked_registry
            .filter(|r| !r.is_empty())
            .map(str::to_string),
    );
    for name in &wanted {
        if !readable.contains(&name.as_str()) {
            return Err(DomainError::Invalid(format!(
                "Unknown registry `{name}`; registries are {}.",
                readable.join(", ")
            )));
        }
    }
    let registries = readable
        .iter()
        .filter(|r| wanted.is_empty() || wanted.iter().any(|w| w == *r))
        .map(|r| r.to_string())
        .collect();
    let mut environments = Vec::new();
    for name in &parsed.environments {
        let env = settings
            .environments
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = settings
                    .environments
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect();
                DomainError::Invalid(format!(
                    "Unknown environment `{name}`; environments are {}.",
                    if known.is_empty() {
                        "not configured".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
        environments.push((env.registry.clone(), env.prefix.clone()));
    }
    let now = services.clock.now();
    let instant = |bound: TimeBound| match bound {
        TimeBound::Date(date) => date.midnight().assume_utc(),
        TimeBound::Ago(ago) => now - ago,
    };
    let mut terms = Vec::new();
    for term in parsed.terms {
        let corrections = if term.scope != TermScope::Tag && term.digest.is_none() {
            typo_corrections(services, &term.text).await?
        } else {
            Vec::new()
        };
        terms.push(ResolvedTerm {
            text: term.text,
            scope: term.scope,
            digest: term.digest,
            corrections,
        });
    }
    Ok(Resolved {
        terms,
        registries,
        environments,
        namespaces: parsed.namespaces,
        platforms: parsed.platforms,
        pushed_after: parsed.pushed_after.map(instant),
        pushed_before: parsed.pushed_before.map(instant),
        signed: parsed.signed,
        digests: parsed.digests,
        layers: parsed.layers,
        sizes: parsed.sizes,
        largest_first: parsed.largest_first,
    })
}

/// One page of hits. The plan: a query led by a word goes by that word's matches
/// (`by_term`), and a single unfiltered word first tries the page of its first repositories;
/// filters alone first try the page from the first tags in page order (`walk`);
/// anything else is listed from its most selective part (`sql`).
async fn page_of_hits(
    services: &Services,
    resolved: &Resolved,
    limit: i64,
    offset: i64,
) -> Result<Vec<SearchHit>, sqlx::Error> {
    let db = &services.db;
    if let Some(term) = by_term::single_word(resolved) {
        let names_match: bool =
            store::scalar(db, by_term::tag_names_match(&resolved.terms[term])).await?;
        if !names_match {
            let first = by_term::first_repositories_page(resolved, term, limit, offset);
            let hits = store::hits(db, first).await?;
            if hits.len() as i64 == limit {
                return Ok(hits);
            }
        }
    }
    if let Some(walk) = walk::hits(resolved, limit, offset) {
        let hits = store::hits(db, walk).await?;
        if hits.len() as i64 == limit {
            return Ok(hits);
        }
    }
    let query = match by_term::driving_term(resolved) {
        Some(term) => by_term::hits(resolved, term, limit, offset),
        None => sql::hits(resolved, limit, offset),
    };
    store::hits(db, query).await
}

/// How many tags match, up to [`COUNT_CAP`] + 1, by the same plan as the hits.
fn count_query(resolved: &Resolved) -> QueryBuilder {
    if let Some(walked) = walk::count(resolved) {
        return walked;
    }
    match by_term::driving_term(resolved) {
        Some(term) => by_term::count(resolved, term),
        None => sql::count(resolved),
    }
}

/// Stand-ins for a word no repository or tag name contains; empty when something does.
async fn typo_corrections(services: &Services, word: &str) -> Result<Vec<String>, DomainError> {
    if fuzzy::max_edits(word).is_none() {
        return Ok(Vec::new());
    }
    if store::any_name_contains(&services.db, word).await? {
        return Ok(Vec::new());
    }
    Ok(services
        .search_vocabulary
        .corrections(&services.db, word)
        .await?)
}
