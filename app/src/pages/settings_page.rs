use crate::api::{load_rights, load_tokens, ChangeOwnPassword, EndOwnOtherSessions};
use crate::components::{HeaderBar, RightsTable, SessionsTable, TokensTable};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/settings`: one's own account — change the password (the current one is asked; other
/// sessions end, this one stays), end every other session, and see one's rights (what the
/// global role and the grants allow where). Plain forms.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let query = use_query_map();
    let password = ServerAction::<ChangeOwnPassword>::new();
    let sessions = ServerAction::<EndOwnOtherSessions>::new();
    let rights = Resource::new(|| (), |_| load_rights(None));
    let tokens = Resource::new(|| (), |_| load_tokens());
    let notice = move || {
        let query = query.read();
        if let Some(reason) = query.get("failed") {
            return Some(view! { <p class="error" role="alert">{reason}</p> }.into_any());
        }
        let said = match query.get("changed").as_deref() {
            Some("password") => "Password changed. Your other sessions ended.",
            Some("sessions") => "Your other sessions ended.",
            Some("session") => "The session ended.",
            Some("token") => "Token made.",
            Some("revoked") => "Token revoked: it stops working at once.",
            _ => return None,
        };
        Some(view! { <p class="notice ok" role="status">{said}</p> }.into_any())
    };
    view! {
        <HeaderBar />
        <main class="narrow">
            <h1 class="page-title">"Settings"</h1>
            {notice}
            <h2>"Password"</h2>
            <ActionForm action=password attr:aria-label="Change your password" attr:class="login-form">
                <label>"Current password" <input type="password" name="current" autocomplete="current-password" required /></label>
                <label>"New password (at least 8 characters, not a common one)" <input type="password" name="new" autocomplete="new-password" required minlength="8" /></label>
                <label>"New password again" <input type="password" name="repeat" autocomplete="new-password" required minlength="8" /></label>
                <button type="submit">"Change password"</button>
            </ActionForm>
            <h2>"Sessions"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    rights.await.ok().map(|rights| view! { <SessionsTable sessions=rights.sessions owner=None /> })
                })}
            </Suspense>
            <ActionForm action=sessions attr:aria-label="End your other sessions">
                <p class="muted">"Logged in elsewhere (another browser, a lost laptop)? End every session but this one."</p>
                <button type="submit" class="secondary">"End my other sessions"</button>
            </ActionForm>
            <h2>"API tokens"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(view) => view! { <TokensTable view /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Your rights"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match rights.await {
                        Ok(rights) => view! { <RightsTable rights /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
