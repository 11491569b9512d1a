use crate::api::search;
use crate::components::{HeaderBar, Moment, Pager};
use crate::dto::SearchPage as Results;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Hits per page here; the search box asks for fewer.
const PAGE_SIZE: i64 = 50;

/// `/search?q=…&registry=…&page=…`: a shareable results page. The form is a plain GET, so it
/// works before the WASM loads and every state has a URL.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let text = move || query.read().get("q").unwrap_or_default();
    let registry = move || query.read().get("registry").filter(|r| !r.is_empty());
    let page = move || super::page_number(query);
    let results = Resource::new(
        move || (text(), registry(), page()),
        |(text, registry, page)| search(text, registry, page, PAGE_SIZE),
    );
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Search"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(results) => view! { <SearchResults results /> }.into_any(),
                        Err(error) => view! {
                            <SearchForm text=text() registry=registry() registries=Vec::new() />
                            <p class="error" role="alert">{error.message}</p>
                            <SyntaxHelp />
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SearchForm(text: String, registry: Option<String>, registries: Vec<String>) -> impl IntoView {
    let picked = registry.unwrap_or_default();
    view! {
        <form class="toolbar search-form" method="get" action="/search" role="search">
            <input type="search" name="q" value=text aria-label="Search query"
                placeholder="nginx, 1.4.2, sha256:…, tag:1.4 env:prod arch:arm64" />
            <select name="registry" aria-label="Registry">
                <option value="">"All registries"</option>
                {registries.into_iter().map(|name| {
                    let selected = name == picked;
                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                }).collect_view()}
            </select>
            <button type="submit">"Search"</button>
        </form>
    }
}

#[component]
fn SearchResults(results: Results) -> impl IntoView {
    let Results {
        query,
        registry,
        understood,
        corrections,
        hits,
        total,
        capped,
        page,
        pages,
        registries,
        environments,
    } = results;
    if query.trim().is_empty() {
        return view! {
            <SearchForm text=query registry registries />
            <SyntaxHelp />
        }
        .into_any();
    }
    let add = |filter: String| {
        let href = routes::search(&format!("{query} {filter}"), registry.as_deref());
        view! { <a class="chip add" href=href>"+ " {filter.clone()}</a> }
    };
    let suggestions: Vec<String> = environments
        .iter()
        .map(|e| format!("env:{e}"))
        .chain(["arch:amd64", "arch:arm64", "signed:yes"].map(String::from))
        .filter(|f| !query.split_whitespace().any(|w| w.eq_ignore_ascii_case(f)))
        .collect();
    let count = match capped {
        true => format!("{total}+ tags"),
        false => format::count(total.max(0) as usize, "tag", "tags"),
    };
    let pager = {
        let (query, registry) = (query.clone(), registry.clone());
        let link = move |p: i64| routes::search_page(&query, registry.as_deref(), p);
        view! { <Pager page pages link /> }
    };
    view! {
        <SearchForm text=query.clone() registry=registry.clone() registries />
        <div class="chips" aria-label="Understood as">
            {understood.into_iter().map(|part| view! { <span class="chip">{part}</span> }).collect_view()}
            {suggestions.into_iter().map(add).collect_view()}
        </div>
        {corrections.into_iter().map(|c| view! {
            <p class="notice">{format!("Nothing contains “{}”; showing {}.", c.word, c.instead.join(", "))}</p>
        }).collect_view()}
        <p class="muted result-count">{count}</p>
        {if hits.is_empty() {
            view! { <p class="empty">"No tags match. Try fewer words, or a part of the name."</p> }.into_any()
        } else {
            view! { <HitTable hits /> }.into_any()
        }}
        {pager}
    }
    .into_any()
}

#[component]
fn HitTable(hits: Vec<crate::dto::SearchHitItem>) -> impl IntoView {
    view! {
        <table class="hits" aria-label="Search results">
            <thead><tr>
                <th>"Image"</th><th>"Digest"</th><th>"Platforms"</th><th>"Size"</th><th>"Pushed"</th>
            </tr></thead>
            <tbody>
                {hits.into_iter().map(|hit| {
                    let short = format::short_digest(&hit.digest);
                    let digest_search = routes::search(&hit.digest, None);
                    let href = routes::tag(&hit.registry, &hit.repository, &hit.tag);
                    view! {
                        <tr>
                            <td>
                                <span class="registry-badge">{hit.registry.clone()}</span>
                                <a class="mono" href=href>{format!("{}:{}", hit.repository, hit.tag)}</a>
                            </td>
                            <td class="mono"><a href=digest_search title=hit.digest>{short}</a></td>
                            <td>{hit.platforms.join(", ")}</td>
                            <td class="nowrap">{format::human_size(hit.size_bytes)}</td>
                            <td class="nowrap"><Moment when=hit.pushed /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SyntaxHelp() -> impl IntoView {
    view! {
        <section class="help" aria-label="Search syntax">
            <p>"Words match repository names, path segments and tags, exact matches first. Filters:"</p>
            <ul>
                <li><code>"tag:1.4"</code>" "<code>"repo:shop"</code>" "<code>"ns:dev"</code>" "<code>"env:prod"</code>" "<code>"registry:local"</code></li>
                <li><code>"arch:arm64"</code>" "<code>"os:linux"</code>" "<code>"platform:linux/arm64/v8"</code></li>
                <li><code>"after:2026-11-01"</code>" "<code>"before:7d"</code>" "<code>"signed:yes"</code></li>
                <li><code>"size:>100MB"</code>" "<code>"size:<=1GiB"</code>" (the image's config and layers; kB/MB/GB count in 1000s, KiB/MiB/GiB in 1024s); "<code>"sort:size"</code>" lists the largest first, e.g. "<code>"env:dev sort:size"</code></li>
                <li><code>"sha256:4f1c…"</code>" or the short hex from "<code>"docker images"</code>"; "<code>"layer:sha256:…"</code>" lists images built on that layer"</li>
                <li>"A pull reference such as "<code>"registry:5000/dev/app:1.2"</code>" works too."</li>
            </ul>
        </section>
    }
}
