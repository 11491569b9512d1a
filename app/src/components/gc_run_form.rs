use crate::api::{running_gc, RunGc};
use crate::dto::GcProgressItem;
use leptos::prelude::*;

/// An admin's Run form for one registry. Before hydration it posts as a plain form (the
/// answer redirects to the run's page); hydrated, it runs the collection in the background,
/// shows every half second which step it is at, then opens the run's page.
#[island]
pub fn GcRunForm(registry: String) -> impl IntoView {
    let run = ServerAction::<RunGc>::new();
    let progress = RwSignal::new(Vec::<GcProgressItem>::new());
    let pending = run.pending();
    Effect::new(move |_| {
        if !pending.get() {
            return;
        }
        let poll = move || {
            leptos::task::spawn_local(async move {
                if let Ok(running) = running_gc().await {
                    progress.set(running);
                }
            })
        };
        let interval = set_interval_with_handle(poll, std::time::Duration::from_millis(500)).ok();
        on_cleanup(move || {
            if let Some(interval) = interval {
                interval.clear();
            }
        });
    });
    Effect::new(move |_| {
        if let Some(Ok(done)) = run.value().get() {
            let _ = window()
                .location()
                .set_href(&crate::routes::gc_run(done.id));
        }
    });
    let refused = move || match run.value().get() {
        Some(Err(error)) => Some(view! { <p class="error" role="alert">{error.message}</p> }),
        _ => None,
    };
    let label = format!("Run garbage collection of {registry}");
    let field = registry.clone();
    let shown = move || {
        let registry = registry.clone();
        progress
            .get()
            .into_iter()
            .filter(|p| p.registry == registry)
            .map(|p| {
                let run = p
                    .run_id
                    .map(|id| format!(" (run #{id})"))
                    .unwrap_or_default();
                view! {
                    <p class="progress" aria-label="Garbage collection progress">
                        {format!("{}: {}{run}", p.registry, p.stage)}
                    </p>
                }
            })
            .collect_view()
    };
    view! {
        <ActionForm action=run attr:aria-label=label>
            <input type="hidden" name="registry" value=field />
            <label><input type="checkbox" name="dry_run" value="on" />" Dry run (the registry counts, deletes nothing)"</label>
            <label><input type="checkbox" name="untagged" value="on" />" Untagged cleanup first"</label>
            <button type="submit" class="danger" disabled=pending>"Run garbage collection"</button>
        </ActionForm>
        {refused}
        {shown}
    }
}
