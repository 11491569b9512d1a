use crate::api::load_rights;
use crate::components::{HeaderBar, RightsTable, SessionsTable};
use crate::pages::users_page::{GrantForm, Grants};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/admin/users/:name` (admins): one user's grants (give, change, revoke), what they may do
/// where as a result, and their sessions (each can be ended).
#[component]
pub fn UserRightsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let rights = Resource::new(name, |name| load_rights(Some(name)));
    let notice = move || {
        let query = query.read();
        if let Some(reason) = query.get("failed") {
            return Some(view! { <p class="error" role="alert">{reason}</p> }.into_any());
        }
        query
            .get("changed")
            .map(|_| view! { <p class="notice ok" role="status">"Changed."</p> }.into_any())
    };
    view! {
        <HeaderBar />
        <main>
            <p><a href="/admin/users">"← Users"</a></p>
            <h1 class="page-title">"Rights of " <span class="mono">{name}</span></h1>
            {notice}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rights.await {
                        Ok(rights) => {
                            let username = rights.username.clone();
                            let username_for_sessions = username.clone();
                            let grants = rights.grants.clone();
                            let places = rights.places.clone();
                            let sessions = rights.sessions.clone();
                            view! {
                                <h2>"Grants"</h2>
                                {grants.is_empty().then(|| view! { <p class="muted">"No grants: the global role counts everywhere."</p> })}
                                <Grants username=username.clone() grants back="user" />
                                <GrantForm usernames=vec![username] places back="user" />
                                <h2>"Effective rights"</h2>
                                <RightsTable rights />
                                <h2>"Sessions"</h2>
                                <SessionsTable sessions owner=Some(username_for_sessions) />
                            }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
