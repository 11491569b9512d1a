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
    let (sso, password_login) = sign_in_options();
    let sso_link = sso.map(|label| {
        let href = format!(
            "/auth/oidc/start?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        view! {
            <p class="card sso">
                <a class="button" href=href>{format!("Log in with {label}")}</a>
            </p>
        }
    });
    let sso_refused = (query.read().get("failed").as_deref() == Some("sso")).then(|| {
        view! {
            <p class="error" role="alert">
                "Single sign-on did not log you in. Try again; if it keeps failing, an admin finds the reason in the audit log."
            </p>
        }
    });
    view! {
        <main class="login">
            <h1 class="brand">"Regatta"</h1>
            {sso_refused}
            {sso_link}
            {password_login.then(|| view! { <LoginForm next refused /> })}
        </main>
    }
}

/// The single sign-on button's label (when `[oidc]` is set) and whether the password form
/// shows. Read on the server, where this page renders.
#[cfg(feature = "ssr")]
fn sign_in_options() -> (Option<String>, bool) {
    let Ok(services) = crate::ssr::services() else {
        return (None, true);
    };
    match &services.settings.oidc {
        Some(oidc) => (Some(oidc.label.clone()), oidc.local_login),
        None => (None, true),
    }
}

#[cfg(not(feature = "ssr"))]
fn sign_in_options() -> (Option<String>, bool) {
    (None, true)
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
        "sso" => None, // said above the forms
        "password-off" => Some("Password login is off here: log in with single sign-on.".into()),
        _ => Some("Wrong username or password.".into()),
    }
}
