use crate::api::load_gc_run;
use crate::components::{HeaderBar, Moment};
use crate::dto::GcRunDetails;
use crate::{format, routes};
use leptos::prelude::*;

/// `/gc/run/<id>`: one collection — the prediction beside the registry's own counts and what
/// it freed, the read-only window, the error if any — and its full log (also as a download).
#[component]
pub fn GcRunPage() -> impl IntoView {
    let id = super::id_param();
    let details = Resource::new(id, load_gc_run);
    view! {
        <HeaderBar />
        <main>
            <p><a href=routes::gc()>"← Garbage collection"</a></p>
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
fn Details(details: GcRunDetails) -> impl IntoView {
    let GcRunDetails { run, log } = details;
    let size =
        |bytes: Option<i64>| bytes.map_or("—".into(), |b| format::human_size(b.max(0) as u64));
    let number = |n: Option<i64>| n.map_or("—".into(), |n| n.to_string());
    let kind = if run.dry_run { "Dry run" } else { "Run" };
    let status = match &run.error {
        Some(error) => format!("{}: {error}", run.status),
        None => run.status.clone(),
    };
    let facts = vec![
        ("Registry", run.registry.clone()),
        ("Triggered by", run.trigger.clone()),
        (
            "Untagged cleanup",
            match run.untagged_cleanup {
                true => format!("yes: {} manifests deleted", run.untagged_deleted),
                false => "no".into(),
            },
        ),
        (
            "Took",
            run.duration_ms
                .map_or("—".into(), |ms| format::duration_ms(ms.max(0) as u64)),
        ),
        (
            "Read-only window",
            run.read_only_ms
                .map_or("—".into(), |ms| format::duration_ms(ms.max(0) as u64)),
        ),
        (
            "Predicted",
            format!(
                "{} in {} blobs",
                format::human_size(run.predicted_bytes.max(0) as u64),
                run.predicted_blobs
            ),
        ),
        (
            "Registry's count",
            format!(
                "{} blobs marked, {} blobs and {} manifests eligible",
                number(run.blobs_marked),
                number(run.blobs_eligible),
                number(run.manifests_eligible)
            ),
        ),
        (
            "Deleted",
            format!(
                "{} blobs, {}",
                number(run.blobs_deleted),
                size(run.bytes_freed)
            ),
        ),
        ("Blob store shrank by", size(run.storage_freed)),
    ];
    view! {
        <h1 class="page-title">{format!("{kind} #{} of {}", run.id, run.registry)}</h1>
        <p role="status">{status} " · started " <Moment when=run.started_at /></p>
        <dl class="pairs" aria-label="Run">
            {facts.into_iter().map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
        <h2>"Log " <a href=routes::gc_run_log(run.id) download="">"download"</a></h2>
        <pre class="log" aria-label="Log">{log}</pre>
    }
}
