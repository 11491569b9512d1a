use crate::api::{retention_run_details, RunRetention};
use crate::components::{HeaderBar, Moment};
use crate::dto::RunDetails;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/retention/run/<id>`: a preview — what each rule kept, every candidate with its size, what
/// GC then frees — with Run while it has not run; once run, what became of each candidate.
#[component]
pub fn RetentionRunPage() -> impl IntoView {
    let query = use_query_map();
    let id = super::id_param();
    let details = Resource::new(id, retention_run_details);
    let failed = move || query.read().get("failed");
    view! {
        <HeaderBar />
        <main>
            <p><a href=routes::retention()>"← Retention"</a></p>
            {move || failed().map(|reason| view! { <p class="error" role="alert">{reason}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(details) => view! { <Details details /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Details(details: RunDetails) -> impl IntoView {
    let run_action = ServerAction::<RunRetention>::new();
    let RunDetails {
        run,
        kept_by,
        repositories_covered,
        candidates,
        outcomes,
        may_run,
    } = details;
    let summary = format!(
        "{} candidates in {} covered repositories; garbage collection then frees {}.",
        run.candidates,
        repositories_covered,
        format::human_size(run.bytes_freed)
    );
    let kept = kept_by
        .into_iter()
        .map(|(rule, n)| view! { <li>{format!("{n} kept: {rule}")}</li> })
        .collect_view();
    let run_form = may_run.then(|| {
        view! {
            <ActionForm action=run_action attr:aria-label="Run this preview">
                <input type="hidden" name="id" value=run.id />
                <button type="submit" class="danger">{format!("Run: delete these {} tags", run.candidates)}</button>
            </ActionForm>
        }
    });
    let result = (!outcomes.is_empty()).then(|| {
        view! {
            <p role="status">{format!(
                "{}: {} deleted, {} skipped, {} failed in {} ms.",
                run.status, run.deleted, run.skipped, run.failed, run.duration_ms.unwrap_or(0)
            )}</p>
            <table class="history" aria-label="Outcomes">
                <thead><tr><th>"Tag"</th><th>"Outcome"</th></tr></thead>
                <tbody>
                    {outcomes.into_iter().map(|(repository, tag, said)| view! {
                        <tr><td class="mono">{format!("{repository}:{tag}")}</td><td>{said}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <h1 class="page-title">{format!("Retention #{}: {}", run.id, run.policy)}</h1>
        <p class="muted">
            {format!("{} · previewed by {} ({}) ", run.registry, run.requested_by, run.trigger)}
            <Moment when=run.previewed_at />
        </p>
        <p aria-label="Summary">{summary}</p>
        <ul aria-label="Kept">{kept}</ul>
        {run_form}
        {result}
        <h2>"Candidates"</h2>
        <table class="history" aria-label="Candidates">
            <thead><tr><th>"Tag"</th><th>"Digest"</th><th>"Size"</th></tr></thead>
            <tbody>
                {candidates.into_iter().map(|(repository, tag, digest, size)| view! {
                    <tr>
                        <td class="mono"><a href=routes::tag(&run.registry, &repository, &tag)>{format!("{repository}:{tag}")}</a></td>
                        <td class="mono" title=digest.clone()>{format::short_digest(&digest)}</td>
                        <td>{format::human_size(size)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
