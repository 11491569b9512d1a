use crate::api::Login;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The login page. Its form is a real HTML form posting to the login server function, so it
/// works before (or without) the WASM; once hydrated, errors show without a page load.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.read().get("next").unwrap_or_else(|| "/".into());
    let refused = reason_from_query(
        query.read().get("failed").as_deref(),
        query.read().get("wait"),
    );
    view! {
        <main class="login">
            <h1 class="brand">"Regatta"</h1>
            <LoginForm next refused />
        </main>
    }
}

/// `refused`: why the last plain (pre-hydration) post was refused, shown until the next try.
#[island]
fn LoginForm(next: String, refused: Option<String>) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || match login.value().get() {
        Some(Err(error)) => Some(error.message),
        Some(Ok(())) => None,
        None => refused.clone(),
    };
    view! {
        <ActionForm action=login attr:class="card login-form" attr:aria-label="Log in">
            <label>"Username" <input type="text" name="username" autocomplete="username" required autofocus /></label>
            <label>"Password" <input type="password" name="password" autocomplete="current-password" required /></label>
            <input type="hidden" name="next" value=next />
            {move || error().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            <button type="submit" disabled=move || login.pending().get()>"Log in"</button>
        </ActionForm>
    }
}

/// The reason a plain (pre-hydration) form post was refused, carried in the redirect's query.
fn reason_from_query(failed: Option<&str>, wait: Option<String>) -> Option<String> {
    match failed? {
        "throttled" => Some(format!(
            "Too many failed logins. Try again in {} s.",
            wait.unwrap_or_else(|| "a few".into())
        )),
        _ => Some("Wrong username or password.".into()),
    }
}
