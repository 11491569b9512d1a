use crate::api::list_repositories;
use crate::components::{HeaderBar, IndexStatus};
use crate::dto::RepositoryListing;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// One registry: its index status and its repositories grouped by namespace, 100 per page.
#[component]
pub fn RegistryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let registry = move || params.read().get("registry").unwrap_or_default();
    let page = move || super::page_number(query);
    let listing = Resource::new(
        move || (registry(), page()),
        |(registry, page)| list_repositories(registry, page),
    );
    view! {
        <HeaderBar />
        <main>
            <nav class="crumbs"><a href="/">"Registries"</a> " / " {registry}</nav>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match listing.await {
                        Ok(listing) => view! { <RepositoryList listing /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn RepositoryList(listing: RepositoryListing) -> impl IntoView {
    let registry = listing.registry.name.clone();
    let pager = (listing.pages > 1).then(|| {
        let previous = (listing.page > 1).then(|| format!("?page={}", listing.page - 1));
        let next = (listing.page < listing.pages).then(|| format!("?page={}", listing.page + 1));
        view! {
            <nav class="pager" aria-label="Pages">
                {previous.map(|href| view! { <a href=href>"← previous"</a> })}
                <span>{format!("page {} of {}", listing.page, listing.pages)}</span>
                {next.map(|href| view! { <a href=href>"next →"</a> })}
            </nav>
        }
    });
    view! {
        <IndexStatus summary=listing.registry.clone() />
        <p class="muted">{listing.total} " repositories"</p>
        {listing.namespaces.into_iter().map(|group| {
            let registry = registry.clone();
            let label = format!("Namespace {}", group.namespace);
            view! {
                <section class="namespace" aria-label=label>
                    <h2>{group.namespace}</h2>
                    <table class="repos">
                        <thead><tr><th>"Repository"</th><th>"Tags"</th><th>"Last change"</th></tr></thead>
                        <tbody>
                            {group.repositories.into_iter().map(|repo| view! {
                                <tr>
                                    <td><a href=format!("/r/{}/{}", registry, repo.name)>{repo.name.clone()}</a></td>
                                    <td>{if repo.tags == 0 { "empty".to_string() } else { repo.tags.to_string() }}</td>
                                    <td>{repo.last_updated.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        }).collect_view()}
        {pager}
    }
}
