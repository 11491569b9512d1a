use crate::api::{pipeline_of, preview_promotion, promote, running_promotions};
use crate::dto::{PipelineStage, PromotionPreview, RunningPromotion};
use leptos::prelude::*;

/// Which environment, under which tag, with attachments or not: what the preview and the
/// promotion are asked for.
type Choice = (String, String, bool);

/// On a tag's page: where its digest already is along the pipeline (✓ dev, ✓ staging, – prod),
/// and promotion to another environment — preview first (what moves, what is overwritten),
/// then confirm. The server enforces who may promote where; this only asks.
#[component]
pub fn PromotePanel(
    registry: String,
    repository: String,
    tag: String,
    digest: String,
) -> impl IntoView {
    let stages = Resource::new(
        {
            let (registry, repository, digest) =
                (registry.clone(), repository.clone(), digest.clone());
            move || (registry.clone(), repository.clone(), digest.clone())
        },
        |(registry, repository, digest)| pipeline_of(registry, repository, digest),
    );
    let source = StoredValue::new((registry, repository, tag.clone()));
    let environment = RwSignal::new(String::new());
    let target_tag = RwSignal::new(tag);
    let with_attachments = RwSignal::new(true);
    let preview = Action::new(move |choice: &Choice| {
        let (registry, repository, tag) = source.get_value();
        let (to, target, attachments) = choice.clone();
        async move {
            preview_promotion(
                registry,
                repository,
                tag,
                to,
                Some(target),
                Some(attachments),
            )
            .await
        }
    });
    let run = Action::new(move |choice: &Choice| {
        let (registry, repository, tag) = source.get_value();
        let (to, target, attachments) = choice.clone();
        async move {
            promote(
                registry,
                repository,
                tag,
                to,
                Some(target),
                Some(attachments),
            )
            .await
        }
    });
    let choice = move || (environment.get(), target_tag.get(), with_attachments.get());
    let progress = poll_progress_while(run.pending());
    view! {
        <section class="promote" aria-label="Promotion">
            <h2>"Pipeline"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match stages.await {
                        Ok(stages) => {
                            if environment.get_untracked().is_empty() {
                                if let Some(next) = next_stage(&stages) {
                                    environment.set(next);
                                }
                            }
                            view! { <StageStrip stages=stages.clone() /> <PromoteForm stages environment target_tag with_attachments /> }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <div class="toolbar">
                <button type="button" class="secondary" on:click=move |_| { preview.dispatch(choice()); }>"Preview"</button>
                <button type="button" disabled=move || run.pending().get()
                    on:click=move |_| { run.dispatch(choice()); }>
                    {move || if run.pending().get() { "Promoting…" } else { "Promote" }}
                </button>
            </div>
            {move || preview.value().get().map(|result| match result {
                Ok(preview) => view! { <PreviewView preview /> }.into_any(),
                Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
            })}
            {move || progress.get().into_iter().map(|running| view! {
                <p class="progress" role="status" aria-label="Promotion progress">
                    <progress max="100" value=running.percent></progress>
                    " " <span class="mono">{running.target}</span> " " {running.done}
                </p>
            }).collect_view()}
            {move || run.value().get().map(|result| match result {
                Ok(done) => view! {
                    <p class="notice ok" role="status">"Promoted to " <a href=done.href>{done.target}</a> ": " {done.summary}</p>
                }.into_any(),
                Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
            })}
        </section>
    }
    .into_any()
}

/// While `pending`, asks every half second how far running promotions are (a 1 GiB layer takes
/// a while across registries); empty otherwise.
fn poll_progress_while(pending: Memo<bool>) -> RwSignal<Vec<RunningPromotion>> {
    let progress = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if !pending.get() {
            progress.set(Vec::new());
            return;
        }
        let poll = move || {
            leptos::task::spawn_local(async move {
                if let Ok(running) = running_promotions().await {
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
    progress
}

/// The first environment after the one this repository is in.
fn next_stage(stages: &[PipelineStage]) -> Option<String> {
    let source = stages.iter().position(|s| s.is_source)?;
    stages.get(source + 1).map(|s| s.environment.clone())
}

#[component]
fn StageStrip(stages: Vec<PipelineStage>) -> impl IntoView {
    view! {
        <ol class="pipeline presence" aria-label="Where this digest is">
            {stages.into_iter().map(|stage| {
                let here = !stage.tags.is_empty();
                let mark = if here { "✓" } else { "–" };
                let detail = if here {
                    format!("{} : {}", stage.repository, stage.tags.join(", "))
                } else {
                    format!("not in {}", stage.repository)
                };
                view! {
                    <li class:here=here class:protected=stage.protected>
                        <strong>{mark} " " {stage.environment.clone()}</strong>
                        <span class="muted mono">{detail}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn PromoteForm(
    stages: Vec<PipelineStage>,
    environment: RwSignal<String>,
    target_tag: RwSignal<String>,
    with_attachments: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="toolbar promote-form">
            <label>"Promote to "
                <select aria-label="Target environment"
                    on:change=move |ev| environment.set(event_target_value(&ev))>
                    {stages.into_iter().filter(|s| !s.is_source).map(|stage| {
                        let name = stage.environment.clone();
                        let selected = move || environment.get() == name;
                        let label = if stage.protected { format!("{} (protected)", stage.environment) } else { stage.environment.clone() };
                        view! { <option value=stage.environment.clone() selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"as tag "
                <input aria-label="Target tag" prop:value=move || target_tag.get()
                    on:input=move |ev| target_tag.set(event_target_value(&ev)) />
            </label>
            <label>
                <input type="checkbox" prop:checked=move || with_attachments.get()
                    on:change=move |ev| with_attachments.set(event_target_checked(&ev)) />
                " with signatures, attestations, SBOMs"
            </label>
        </div>
    }
}

#[component]
fn PreviewView(preview: PromotionPreview) -> impl IntoView {
    let moves = if preview.already_there {
        "Already there: promoting again changes nothing.".to_string()
    } else {
        let manifests = match preview.manifests {
            1 => "1 manifest".to_string(),
            n => format!("{n} manifests (an index and its platforms)"),
        };
        format!(
            "{manifests}; {} of {} blobs already there; {} to move.",
            preview.blobs_present, preview.blobs_total, preview.bytes_to_move
        )
    };
    view! {
        <div class="panel" aria-label="Promotion preview">
            <p><span class="mono">{preview.source}</span> " → " <span class="mono">{preview.target}</span></p>
            <p>{moves}</p>
            {(!preview.attachments.is_empty()).then(|| view! {
                <p>"Carried along: " <span class="mono">{preview.attachments.join(", ")}</span></p>
            })}
            {preview.overwrites.map(|old| view! {
                <p class="warning">"The target tag now points at " <span class="mono">{old}</span> "; promoting moves it."</p>
            })}
        </div>
    }
}
