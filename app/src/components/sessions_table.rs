use crate::api::EndSession;
use crate::components::Moment;
use crate::dto::SessionItem;
use leptos::prelude::*;

/// Login sessions that count now — since when, last used, from where, which browser — each
/// with a button that ends it. `owner` is set on an admin's page of a user (the form returns
/// there); on one's own settings page the current session is marked and cannot be ended here
/// (logging out does that).
#[component]
pub fn SessionsTable(sessions: Vec<SessionItem>, owner: Option<String>) -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    if sessions.is_empty() {
        return view! { <p class="muted">"No sessions."</p> }.into_any();
    }
    let rows = sessions.into_iter().map(|session| {
        let label = format!("End session #{}", session.id);
        let owner = owner.clone();
        let action = match session.current {
            true => view! { <span class="muted">"this session"</span> }.into_any(),
            false => view! {
                <ActionForm action=end attr:aria-label=label attr:class="inline">
                    <input type="hidden" name="id" value=session.id />
                    {owner.map(|name| view! { <input type="hidden" name="back" value=name /> })}
                    <button type="submit" class="secondary small">"End"</button>
                </ActionForm>
            }
            .into_any(),
        };
        view! {
            <tr>
                <td class="nowrap"><Moment when=session.created_at /></td>
                <td class="nowrap"><Moment when=session.last_seen_at /></td>
                <td class="mono">{session.source}</td>
                <td class="muted">{session.agent.unwrap_or_default()}</td>
                <td class="actions">{action}</td>
            </tr>
        }
    });
    view! {
        <table class="history" aria-label="Sessions">
            <thead><tr>
                <th>"Since"</th><th>"Last used"</th><th>"From"</th><th>"Browser"</th><th></th>
            </tr></thead>
            <tbody>{rows.collect_view()}</tbody>
        </table>
    }
    .into_any()
}
