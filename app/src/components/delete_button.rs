use crate::api::running_deletions;
use crate::dto::RunningDeletion;
use leptos::prelude::*;

/// The confirmation form's submit button. The form posts as a plain form (it works without
/// the WASM); hydrated, a click also starts asking every half second how far the deletion is,
/// shown until the answer's page replaces this one (a bulk deletion takes seconds).
#[island]
pub fn DeleteButton(label: String) -> impl IntoView {
    let clicked = RwSignal::new(false);
    let progress = RwSignal::new(Vec::<RunningDeletion>::new());
    Effect::new(move |_| {
        if !clicked.get() {
            return;
        }
        let poll = move || {
            leptos::task::spawn_local(async move {
                if let Ok(running) = running_deletions().await {
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
    view! {
        <button type="submit" class="danger" on:click=move |_| clicked.set(true)>{label}</button>
        {move || progress.get().into_iter().map(|p| view! {
            <p class="progress" aria-label="Deletion progress">
                <progress max=p.tags_total value=p.tags_done></progress>
                {format!(" {} of {} tags of {}", p.tags_done, p.tags_total, p.target)}
            </p>
        }).collect_view()}
    }
}
