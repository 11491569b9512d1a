//! Search across every registry in the index: repository names, path segments and tags, ranked
//! exact > prefix > substring > typo; filters; digest and base-layer lookup. Reads only SQLite.

mod by_term;
mod fuzzy;
pub mod query;
mod sets;
mod sql;

pub use fuzzy::Vocabulary;
pub use query::{SearchQuery, FILTER_KEYS};
pub use sql::COUNT_CAP;

use crate::auth::{readable_registries, require_role};
use crate::users::{Role, User};
use crate::{DomainError, Services};
use query::{TermScope, TimeBound};
use sql::{Resolved, ResolvedTerm};
use time::OffsetDateTime;

/// Hits per page of the results page; the search box asks for fewer.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// The registry picked in the UI, on top of any `registry:` in the text.
    pub registry: Option<String>,
    /// From 1.
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchHit {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    pub is_index: bool,
    pub total_size: i64,
    pub pushed_at: OffsetDateTime,
    pub created: Option<String>,
    pub platforms: Option<String>,
    /// Sum over the words: 0 exact, 1 prefix, 2 substring, 3 typo; lower is better.
    pub rank: i64,
    /// How many tags match in all (the same on every hit of a page), or -1 when the query
    /// counts separately (see `sql::push_total`).
    pub total: i64,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    /// How the text was understood, for chips above the results.
    pub understood: Vec<String>,
    /// Words that matched nothing, and what was searched for instead.
    pub corrections: Vec<(String, Vec<String>)>,
    pub hits: Vec<SearchHit>,
    /// Matching tags: exact for filtered queries, else counted up to [`COUNT_CAP`] + 1
    /// (shown as "10000+").
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

pub async fn search(
    services: &Services,
    user: &User,
    request: &SearchRequest,
) -> Result<SearchResults, DomainError> {
    require_role(user, Role::Viewer)?;
    let parsed = query::parse(&request.text).map_err(|e| DomainError::Invalid(e.0))?;
    let page = request.page.max(1);
    let page_size = request.page_size.clamp(1, 100);
    let mut results = SearchResults {
        understood: parsed.describe(),
        page,
        page_size,
        ..SearchResults::default()
    };
    if parsed.is_empty() {
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
    results.total = match results.hits.first() {
        Some(hit) if hit.total >= 0 => hit.total,
        None if page == 1 => 0,
        _ => {
            sql::count(&resolved)
                .build_query_scalar()
                .fetch_one(&services.db)
                .await?
        }
    };
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
    })
}

async fn page_of_hits(
    services: &Services,
    resolved: &Resolved,
    limit: i64,
    offset: i64,
) -> Result<Vec<SearchHit>, sqlx::Error> {
    if let Some(term) = by_term::single_word(resolved) {
        let names_match: bool = by_term::tag_names_match(&resolved.terms[term])
            .build_query_scalar()
            .fetch_one(&services.db)
            .await?;
        if !names_match {
            let hits: Vec<SearchHit> =
                by_term::first_repositories_page(resolved, term, limit, offset)
                    .build_query_as()
                    .fetch_all(&services.db)
                    .await?;
            if hits.len() as i64 == limit {
                return Ok(hits);
            }
        }
    }
    sql::hits(resolved, limit, offset)
        .build_query_as()
        .fetch_all(&services.db)
        .await
}

/// Stand-ins for a word no repository or tag name contains; empty when something does.
async fn typo_corrections(services: &Services, word: &str) -> Result<Vec<String>, DomainError> {
    if fuzzy::max_edits(word).is_none() {
        return Ok(Vec::new());
    }
    let phrase = sets::phrase(word);
    let found: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM repository_search WHERE repository_search MATCH ?1)
             OR EXISTS (SELECT 1 FROM tag_name_search WHERE tag_name_search MATCH ?1)",
    )
    .bind(phrase)
    .fetch_one(&services.db)
    .await?;
    if found {
        return Ok(Vec::new());
    }
    Ok(services
        .search_vocabulary
        .corrections(&services.db, word)
        .await?)
}
