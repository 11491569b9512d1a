use crate::dto::EnvironmentSummary;
use leptos::prelude::*;

/// dev → staging → prod, in configured order, protected stages marked.
#[component]
pub fn PipelineStrip(environments: Vec<EnvironmentSummary>) -> impl IntoView {
    if environments.is_empty() {
        return view! { <p class="muted">"No environments configured: add [[environment]] entries to regatta.toml."</p> }.into_any();
    }
    view! {
        <ol class="pipeline" aria-label="Promotion pipeline">
            {environments.into_iter().map(|env| view! {
                <li class:protected=env.protected>
                    <strong>{env.name}</strong>
                    <span class="muted">{format!("{}/{}", env.registry, env.prefix)}</span>
                    {env.protected.then(|| view! { <span class="badge">"protected"</span> })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}
