use super::{IndexStatus, Sparkline};
use crate::api::CheckRegistry;
use crate::dto::{RegistryIndexSummary, RegistrySummary};
use crate::routes;
use leptos::prelude::*;

/// One registry, with a button that checks it live (the first thing to try when browsing fails).
#[component]
pub fn RegistryCard(
    registry: RegistrySummary,
    index: RegistryIndexSummary,
    /// Stored bytes over the last 7 days, for the sparkline.
    trend: Vec<u64>,
) -> impl IntoView {
    view! {
        <article class="card registry" aria-label=format!("Registry {}", registry.name)>
            <h3><a href=routes::registry(&registry.name)>{registry.name.clone()}</a></h3>
            <p class="muted mono">{registry.url}</p>
            <p class="muted">"Access: " {registry.auth}</p>
            <IndexStatus summary=index />
            <Sparkline registry=registry.name.clone() values=trend />
            <CheckConnection name=registry.name.clone() />
        </article>
    }
}

/// The live check and its answer, in place.
#[island]
fn CheckConnection(name: String) -> impl IntoView {
    let check = ServerAction::<CheckRegistry>::new();
    let result = move || {
        check.value().get().map(|outcome| match outcome {
            Ok(report) => {
                view! { <p class=report.level.class() role="status">{report.summary}</p> }
                    .into_any()
            }
            Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
        })
    };
    view! {
        <button
            type="button"
            on:click=move |_| { check.dispatch(CheckRegistry { name: name.clone() }); }
            disabled=move || check.pending().get()
        >
            {move || if check.pending().get() { "Checking…" } else { "Check connection" }}
        </button>
        {result}
    }
}
