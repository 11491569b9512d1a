use leptos::prelude::*;

/// Switches between light and dark and remembers the choice (localStorage). Until the user
/// chooses, the system preference applies (CSS `prefers-color-scheme`).
#[island]
pub fn ThemeToggle() -> impl IntoView {
    view! {
        <button type="button" class="theme" title="Switch light/dark" aria-label="Switch light/dark theme" on:click=move |_| toggle_theme()>
            "◐"
        </button>
    }
}

/// The localStorage key, also read by [`APPLY_STORED_THEME`].
#[cfg(feature = "hydrate")]
const THEME_KEY: &str = "regatta-theme";

#[cfg(feature = "hydrate")]
fn toggle_theme() {
    let Some(root) = document().document_element() else {
        return;
    };
    let dark_now = match root.get_attribute("data-theme").as_deref() {
        Some("dark") => true,
        Some(_) => false,
        None => window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    };
    let next = if dark_now { "light" } else { "dark" };
    let _ = root.set_attribute("data-theme", next);
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(THEME_KEY, next);
    }
}

#[cfg(not(feature = "hydrate"))]
fn toggle_theme() {}

/// Applies a stored choice before first paint, so a dark-theme user never sees a light flash.
pub const APPLY_STORED_THEME: &str =
    "try{var t=localStorage.getItem('regatta-theme');if(t)document.documentElement.dataset.theme=t}catch(e){}";
