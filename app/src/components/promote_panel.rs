use crate::api::{pipeline_of, preview_promotion, promote, running_promotions};
use crate::dto::{PipelineStage, PromotionDone, PromotionPreview, RunningPromotion};
use crate::{format, routes};
use leptos::prelude::*;

/// Which environment, under which tag, with attachments or not: what the preview and the
/// promotion are asked for.
type Choice = (String, String, bool);

/// Which button was pressed last: only its answer is shown (one message, not two stacked).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asked {
    Nothing,
    Preview,
    Promote,
}

/// On a tag's page: where its digest already is along the pipeline (✓ dev, ✓ staging, – prod),
/// and promotion to another environment — preview first (what moves, what is overwritten),
/// then confirm. The server enforces who may promote where; this only asks.
#[island]
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
    let asked = RwSignal::new(Asked::Nothing);
    // Why the chosen environment is refused to this user, if it is: shown before any click.
    let refusal = RwSignal::new(None::<String>);
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
                            let refusals: Vec<(String, Option<String>)> = stages
                                .iter()
                                .map(|s| (s.environment.clone(), s.refusal.clone()))
                                .collect();
                            Effect::new(move |_| {
                                let chosen = environment.get();
                                let reason = refusals.iter().find(|(e, _)| *e == chosen).and_then(|(_, r)| r.clone());
                                refusal.set(reason);
                            });
                            view! { <StageStrip stages=stages.clone() /> <PromoteForm stages environment target_tag with_attachments /> }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {move || refusal.get().map(|reason| view! {
                <p class="notice" aria-label="Not allowed">{reason}</p>
            })}
            <div class="toolbar">
                <button type="button" class="secondary"
                    on:click=move |_| { asked.set(Asked::Preview); preview.dispatch(choice()); }>"Preview"</button>
                <button type="button" disabled=move || run.pending().get() || refusal.read().is_some()
                    on:click=move |_| { asked.set(Asked::Promote); run.dispatch(choice()); }>
                    {move || if run.pending().get() { "Promoting…" } else { "Promote" }}
                </button>
            </div>
            {move || (asked.get() == Asked::Preview).then(|| preview.value().get()).flatten().map(|result| match result {
                Ok(preview) => view! { <PreviewView preview /> }.into_any(),
                Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
            })}
            {move || progress.get().into_iter().map(|running| view! {
                <p class="progress" role="status" aria-label="Promotion progress">
                    <progress max="100" value=running.percent()></progress>
                    " " <span class="mono">{running.target.clone()}</span> " "
                    {format!(
                        "{} of {} · {} of {} blobs",
                        format::human_size(running.bytes_done),
                        format::human_size(running.bytes_total),
                        running.blobs_done,
                        running.blobs_total
                    )}
                </p>
            }).collect_view()}
            {move || (asked.get() == Asked::Promote).then(|| run.value().get()).flatten().map(|result| match result {
                Ok(done) => view! { <DoneView done /> }.into_any(),
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

/// The first environment after the one this repository is in that the user may promote into
/// (else simply the next one, which then shows why not).
fn next_stage(stages: &[PipelineStage]) -> Option<String> {
    let source = stages.iter().position(|s| s.is_source)?;
    let later = &stages[source + 1..];
    later
        .iter()
        .find(|s| s.refusal.is_none())
        .or(later.first())
        .map(|s| s.environment.clone())
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
                        let mut label = stage.environment.clone();
                        if stage.protected {
                            label.push_str(" (protected)");
                        }
                        if stage.refusal.is_some() {
                            label.push_str(" — not allowed for you");
                        }
                        view! { <option value=stage.environment.clone() selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"as tag "
                <input aria-label="Target tag" prop:value=move || target_tag.get()
                    on:input=move |ev| target_tag.set(event_target_value(&ev)) />
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || with_attachments.get()
                    on:change=move |ev| with_attachments.set(event_target_checked(&ev)) />
                "with signatures, attestations, SBOMs"
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
        let bytes = if preview.same_registry {
            "0 B (blobs are mounted)".to_string()
        } else {
            format::human_size(preview.bytes_to_move)
        };
        format!(
            "{manifests}; {} of {} blobs already there; {bytes} to move.",
            preview.blobs_present, preview.blobs_total
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

#[component]
fn DoneView(done: PromotionDone) -> impl IntoView {
    let target = format!(
        "{}/{}:{}",
        done.target_registry, done.target_repository, done.target_tag
    );
    let href = routes::tag(
        &done.target_registry,
        &done.target_repository,
        &done.target_tag,
    );
    let t = done.transfer;
    let summary = format!(
        "{} moved; {} blobs mounted, {} copied, {} already there; {}",
        format::human_size(t.bytes_moved),
        t.blobs_mounted,
        t.blobs_copied,
        t.blobs_present,
        format::duration_ms(done.duration_ms)
    );
    view! {
        <p class="notice ok" role="status">"Promoted to " <a href=href>{target}</a> ": " {summary}</p>
    }
}
