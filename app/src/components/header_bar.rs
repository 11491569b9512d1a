use crate::api::Logout;
use crate::dto::CurrentUser;
use leptos::prelude::*;

#[component]
pub fn HeaderBar(user: CurrentUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Regatta"</a>
            <span class="who">
                <span class="username">{user.username}</span>
                <span class="role">{user.role}</span>
            </span>
            <ActionForm action=logout>
                <button type="submit" class="link">"Log out"</button>
            </ActionForm>
        </header>
    }
}
