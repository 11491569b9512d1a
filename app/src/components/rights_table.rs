use crate::dto::RightsView;
use leptos::prelude::*;

/// What a user may do in each registry and environment, which role gives it (global or a
/// grant), and what it does not allow with the role that would: "why can I not promote to
/// prod?" answered in one table.
#[component]
pub fn RightsTable(rights: RightsView) -> impl IntoView {
    let rows = rights.registries.into_iter().map(|registry| {
        let environments = registry.environments.into_iter().map(|environment| {
            view! {
                <tr>
                    <td class="indent">"environment " <strong>{environment.name}</strong></td>
                    <td>{environment.role}</td>
                    <td class="muted">{environment.from}</td>
                    <td>{list(environment.may)}</td>
                    <td class="muted">{list(environment.may_not)}</td>
                </tr>
            }
        });
        view! {
            <tr>
                <td>"registry " <strong>{registry.name}</strong></td>
                <td>{registry.role}</td>
                <td class="muted">{registry.from}</td>
                <td>{list(registry.may)}</td>
                <td></td>
            </tr>
            {environments.collect_view()}
        }
    });
    view! {
        <p>"Global role: " <strong>{rights.global}</strong></p>
        <table class="history" aria-label="Effective rights">
            <thead><tr>
                <th>"Place"</th><th>"Role"</th><th>"From"</th><th>"May"</th><th>"May not"</th>
            </tr></thead>
            <tbody>{rows.collect_view()}</tbody>
        </table>
        {(!rights.idle_grants.is_empty()).then(|| view! {
            <p class="muted">"Grants on places no longer configured (they give nothing): "
                {rights.idle_grants.join(", ")}</p>
        })}
    }
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "—".into()
    } else {
        items.join("; ")
    }
}
