use super::{SearchBox, ThemeToggle};
use crate::api::{who_am_i, Logout};
use leptos::prelude::*;

/// Brand, who is logged in (with role), and logout — on every page behind the login.
#[component]
pub fn HeaderBar() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(|| (), |_| who_am_i());
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Regatta"</a>
            <SearchBox />
            <a class="nav" href=crate::routes::promotions()>"Promotions"</a>
            <a class="nav" href=crate::routes::storage("", "")>"Storage"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    user.await.ok().map(|user| view! {
                        <span class="who">
                            <span class="username">{user.username}</span>
                            // Read aloud as "admin, role admin", not "adminadmin".
                            <span class="sr-only">", role "</span>
                            <span class="role">{user.role}</span>
                        </span>
                    })
                })}
            </Suspense>
            <ThemeToggle />
            <ActionForm action=logout>
                <button type="submit" class="link">"Log out"</button>
            </ActionForm>
        </header>
    }
}
