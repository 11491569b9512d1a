use crate::api::{CreateToken, RevokeToken};
use crate::components::Moment;
use crate::dto::TokensView;
use leptos::prelude::*;

/// One's personal access tokens for the JSON API (`/api/v1`, `Authorization: Bearer …`): the
/// list with a revoke button each, a token just made (shown once), and the form to make one.
#[component]
pub fn TokensTable(view: TokensView) -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let fresh = view.new_token.map(|token| {
        view! {
            <p class="notice warn" role="status" aria-label="New API token">
                "Your new token is " <code class="mono">{token}</code>
                ". It is shown only now: store it where your scripts read secrets."
            </p>
        }
    });
    let rows = view.tokens.into_iter().map(|token| {
        let label = format!("Revoke token {}", token.name);
        view! {
            <tr>
                <td>{token.name}</td>
                <td>{token.scope}</td>
                <td class="nowrap"><Moment when=token.created_at /></td>
                <td class="nowrap">{match token.expires_at {
                    Some(when) => view! { <Moment when /> }.into_any(),
                    None => "never".into_any(),
                }}</td>
                <td class="nowrap">{match token.last_used_at {
                    Some(when) => view! { <Moment when /> }.into_any(),
                    None => "never".into_any(),
                }}</td>
                <td class="actions">
                    <ActionForm action=revoke attr:aria-label=label attr:class="inline">
                        <input type="hidden" name="id" value=token.id />
                        <button type="submit" class="secondary small">"Revoke"</button>
                    </ActionForm>
                </td>
            </tr>
        }
    });
    view! {
        {fresh}
        <table class="history" aria-label="API tokens">
            <thead><tr>
                <th>"Name"</th><th>"Scope"</th><th>"Made"</th><th>"Expires"</th><th>"Last used"</th><th></th>
            </tr></thead>
            <tbody>{rows.collect_view()}</tbody>
        </table>
        <ActionForm action=create attr:aria-label="Make an API token">
            <label>"Name " <input name="name" required maxlength="64" placeholder="ci-deploy" /></label>
            <label>" Scope "
                <select name="scope">
                    <option value="read" selected>"read"</option>
                    <option value="write">"write"</option>
                    <option value="admin">"admin"</option>
                </select>
            </label>
            <label>" Expires in days " <input name="expires_in_days" value="90" size="4" /></label>
            <button type="submit">"Make token"</button>
            <span class="muted">" Read browses and searches; write also promotes and deletes as you may; admin is everything you may."</span>
        </ActionForm>
    }
}
