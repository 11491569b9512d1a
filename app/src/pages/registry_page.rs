use super::repository_list::RepositoryList;
use crate::api::list_repositories;
use crate::components::{Crumbs, HeaderBar};
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
        |(registry, page)| list_repositories(registry, None, page),
    );
    view! {
        <HeaderBar />
        <main>
            {move || view! { <Crumbs registry=registry() /> }}
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
