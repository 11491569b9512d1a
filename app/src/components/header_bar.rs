use super::{SearchBox, ThemeToggle};
use crate::api::Logout;
use crate::dto::CurrentUser;
use leptos::prelude::*;

/// Brand, who is logged in (with role), and logout — on every page behind the login.
#[component]
pub fn HeaderBar() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let user = page_user();
    let is_admin = user.as_ref().is_some_and(|u| u.role == "admin");
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Regatta"</a>
            <SearchBox />
            <a class="nav" href=crate::routes::promotions()>"Promotions"</a>
            <a class="nav" href=crate::routes::storage("", "")>"Storage"</a>
            <a class="nav" href=crate::routes::retention()>"Retention"</a>
            <a class="nav" href=crate::routes::trash(&[])>"Trash"</a>
            <a class="nav" href=crate::routes::gc()>"GC"</a>
            <a class="nav" href="/audit">"Audit"</a>
            <a class="nav" href="/api-docs">"API"</a>
            {is_admin.then(|| view! { <a class="nav" href="/admin/users">"Users"</a> })}
            {user.map(|user| view! {
                <span class="who">
                    <a class="username" href="/settings" title="Your settings">{user.username}</a>
                    // Read aloud as "admin, role admin", not "adminadmin".
                    <span class="sr-only">", role "</span>
                    <span class="role">{user.role}</span>
                </span>
            })}
            <ThemeToggle />
            <ActionForm action=logout>
                <button type="submit" class="link">"Log out"</button>
            </ActionForm>
        </header>
    }
}

/// Who is logged in, as the login gate found it (the header is rendered on the server only).
#[cfg(feature = "ssr")]
fn page_user() -> Option<CurrentUser> {
    crate::ssr::gate_user().map(|user| (&user).into())
}

#[cfg(not(feature = "ssr"))]
fn page_user() -> Option<CurrentUser> {
    None
}
