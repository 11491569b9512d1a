use crate::api::list_tags;
use crate::components::{Crumbs, HeaderBar, TagTable};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// One repository's tags, from the index.
#[component]
pub fn RepositoryPage() -> impl IntoView {
    let params = use_params_map();
    let registry = move || params.read().get("registry").unwrap_or_default();
    let repository = move || params.read().get("repository").unwrap_or_default();
    let tags = Resource::new(
        move || (registry(), repository()),
        |(registry, repository)| list_tags(registry, repository),
    );
    view! {
        <HeaderBar />
        <main>
            {move || view! { <Crumbs registry=registry() path=repository() /> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tags.await {
                        Ok(listing) if listing.tags.is_empty() => view! {
                            <p class="muted">"This repository has no tags (all were deleted). It stays in the catalog until the registry's storage is cleaned."</p>
                        }.into_any(),
                        Ok(listing) => view! { <TagTable listing /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
