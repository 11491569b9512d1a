use crate::api::list_tags;
use crate::components::{Crumbs, HeaderBar, TagTable};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// One repository's tags, from the index: `?filter=…&sort=…&tool=…&page=…` is the tag table's
/// state, so it works without the WASM and every state has a URL.
#[component]
pub fn RepositoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let registry = move || params.read().get("registry").unwrap_or_default();
    let repository = move || params.read().get("repository").unwrap_or_default();
    let asked = move || {
        let query = query.read();
        (query.get("filter"), query.get("sort"))
    };
    let tags = Resource::new(
        move || (registry(), repository(), asked(), super::page_number(query)),
        |(registry, repository, (filter, sort), page)| {
            list_tags(registry, repository, filter, sort, Some(page))
        },
    );
    let tool = move || query.read().get("tool").unwrap_or_else(|| "docker".into());
    let delete_repository = move || {
        may_delete(&registry(), &repository()).then(|| {
            let href = crate::routes::delete_tags(&registry(), &repository(), &[], true);
            view! { <p><a class="danger-link" href=href>"Delete this repository…"</a></p> }
        })
    };
    view! {
        <HeaderBar />
        <main>
            {move || view! { <Crumbs registry=registry() path=repository() /> }}
            {delete_repository}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tags.await {
                        Ok(listing) if listing.total == 0 => view! {
                            <p class="muted">"This repository has no tags (all were deleted). It stays in the catalog until the registry's storage is cleaned."</p>
                        }.into_any(),
                        Ok(listing) => view! { <TagTable listing tool=tool() may_delete=may_delete(&registry(), &repository()) /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// Whether to offer deletion: developers and up at this repository (the domain's rules decide
/// per environment; the confirmation page says why when they refuse). Pages render on the
/// server only.
#[cfg(feature = "ssr")]
fn may_delete(registry: &str, repository: &str) -> bool {
    use regatta_core::users::Role;
    let Ok(services) = crate::ssr::services() else {
        return false;
    };
    crate::ssr::gate_user().is_some_and(|user| {
        regatta_core::auth::role_at(&user, &services.settings, registry, repository)
            >= Role::Developer
    })
}

#[cfg(not(feature = "ssr"))]
fn may_delete(_registry: &str, _repository: &str) -> bool {
    false
}
