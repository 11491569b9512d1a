use crate::api::{load_gc, SaveGcSchedule};
use crate::components::{GcRunForm, HeaderBar, Moment};
use crate::dto::{GcPredictionItem, GcRegistry, GcRunItem, HarborJobItem};
use crate::{format, routes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/gc`: per registry, whether Regatta collects it (and why not), its maintenance window,
/// what a collection would free (from the index, before running it), a Run form for admins;
/// then the history of runs. `?failed=` carries a refused run.
#[component]
pub fn GcPage() -> impl IntoView {
    let query = use_query_map();
    let overview = Resource::new(|| (), |_| load_gc());
    let failed = move || query.read().get("failed");
    let saved = move || query.read().get("saved").is_some();
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Garbage collection"</h1>
            {move || failed().map(|reason| view! { <p class="error" role="alert">{reason}</p> })}
            {move || saved().then(|| view! { <p class="notice ok" role="status">"Schedule saved."</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            view! {
                                {overview.registries.into_iter().map(|registry| view! {
                                    <RegistrySection registry />
                                }).collect_view()}
                                <h2>"Runs"</h2>
                                <RunTable runs=overview.runs />
                            }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn RegistrySection(registry: GcRegistry) -> impl IntoView {
    let GcRegistry {
        name,
        not_run_because,
        maintenance_since,
        running,
        prediction,
        schedule,
        harbor_jobs,
        may_run,
    } = registry;
    let harbor = harbor_jobs.map(|jobs| view! { <HarborJobs jobs /> });
    let banner = maintenance_since.map(|since| {
        view! {
            <p class="notice warn" role="status" aria-label="Maintenance">
                "Read-only for garbage collection since " <Moment when=since />
                ". Regatta's promotions, deletions and restores wait until it ends."
            </p>
        }
    });
    let running = running.map(|p| {
        view! {
            <p class="progress" aria-label="Garbage collection progress">
                {format!("Running: {}", p.stage)} " since " <Moment when=p.started_at />
            </p>
        }
    });
    let body = match (not_run_because, prediction) {
        (Some(reason), _) => {
            view! { <p class="muted" aria-label="Not run">{reason}</p> }.into_any()
        }
        (None, Some(prediction)) => view! {
            <Prediction prediction=prediction.clone() />
            <ScheduleLine registry=name.clone() schedule may_run />
            {may_run.then(|| view! { <GcRunForm registry=name.clone() /> })}
        }
        .into_any(),
        (None, None) => ().into_any(),
    };
    view! {
        <section class="card" aria-label=format!("Registry {name}")>
            <h2>{name.clone()}</h2>
            {banner}
            {running}
            {body}
            {harbor}
        </section>
    }
}

#[component]
fn Prediction(prediction: GcPredictionItem) -> impl IntoView {
    let size = format::human_size;
    let released = format!(
        "A collection frees {} in {} blobs released by deletions.",
        size(prediction.released_bytes),
        prediction.released_blobs
    );
    let untagged = format!(
        "With the untagged cleanup, {} more from {}.",
        size(prediction.untagged_bytes),
        format::count(
            prediction.untagged_manifests as usize,
            "untagged manifest",
            "untagged manifests"
        )
    );
    let repositories = (!prediction.repositories.is_empty()).then(|| {
        view! {
            <table class="history" aria-label="Freed per repository">
                <thead><tr><th>"Repository"</th><th>"Blobs"</th><th>"Frees"</th></tr></thead>
                <tbody>
                    {prediction.repositories.into_iter().map(|(repository, blobs, bytes)| view! {
                        <tr>
                            <td class="mono">{repository.unwrap_or_else(|| "(found unreferenced by a crawl)".into())}</td>
                            <td>{blobs}</td>
                            <td>{size(bytes)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    let lost = (!prediction.trash_lost.is_empty()).then(|| {
        view! {
            <p>"Afterwards these trash entries can no longer be restored:"</p>
            <ul aria-label="Trash made unrestorable">
                {prediction.trash_lost.into_iter().map(|(id, reference)| view! {
                    <li class="mono">{format!("#{id} {reference}")}</li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <p aria-label="Prediction">{released} " " {untagged}</p>
        {repositories}
        {lost}
    }
}

/// Harbor's own list of GC jobs, those Regatta did not start included.
#[component]
fn HarborJobs(jobs: Result<Vec<HarborJobItem>, String>) -> impl IntoView {
    match jobs {
        Err(error) => view! { <p class="error" aria-label="Harbor's runs">{error}</p> }.into_any(),
        Ok(jobs) if jobs.is_empty() => view! { <p class="muted">"Harbor lists no GC runs yet."</p> }.into_any(),
        Ok(jobs) => view! {
            <table class="history" aria-label="Harbor's runs">
                <thead><tr><th>"Harbor job"</th><th>"Kind"</th><th>"Created"</th><th>"Status"</th><th>"Freed"</th></tr></thead>
                <tbody>
                    {jobs.into_iter().map(|job| view! {
                        <tr>
                            <td>{job.id}</td>
                            <td>{job.kind}</td>
                            <td class="nowrap">{job.created.map(|when| view! { <Moment when /> })}</td>
                            <td>{job.status}</td>
                            <td>{job.freed_bytes.map_or("—".into(), format::human_size)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    }
}

/// The registry's schedule; for an admin, a form to set it (unless the settings file does).
#[component]
fn ScheduleLine(
    registry: String,
    schedule: Option<(String, bool, bool)>,
    may_run: bool,
) -> impl IntoView {
    let said = match &schedule {
        Some((when, untagged, by_config)) => format!(
            "Runs by itself: {when} UTC{}{}.",
            if *untagged {
                ", with the untagged cleanup"
            } else {
                ""
            },
            if *by_config {
                " (set in the settings file)"
            } else {
                ""
            }
        ),
        None => "No schedule: runs only when started here or with `regatta gc`.".into(),
    };
    let editable = may_run
        && !schedule
            .as_ref()
            .is_some_and(|(_, _, by_config)| *by_config);
    let (current, untagged) = schedule
        .map(|(when, untagged, _)| (when, untagged))
        .unwrap_or_default();
    let save = ServerAction::<SaveGcSchedule>::new();
    let label = format!("Schedule of {registry}");
    view! {
        <p aria-label="Schedule">{said}</p>
        {editable.then(|| view! {
            <ActionForm action=save attr:aria-label=label>
                <input type="hidden" name="registry" value=registry />
                <label>"Schedule (" <code>"sun 03:00"</code> ", " <code>"daily 03:00"</code> " UTC, "
                    <code>"every 6h"</code> ", or empty) " <input name="schedule" value=current /></label>
                <label><input type="checkbox" name="untagged" value="on" checked=untagged />" with the untagged cleanup"</label>
                <button type="submit" class="secondary">"Save schedule"</button>
            </ActionForm>
        })}
    }
}

#[component]
fn RunTable(runs: Vec<GcRunItem>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p class="empty">"No garbage collection has run yet."</p> }.into_any();
    }
    view! {
        <table class="history" aria-label="Garbage collection runs">
            <thead><tr>
                <th>"Run"</th><th>"Registry"</th><th>"Kind"</th><th>"Started"</th><th>"By"</th>
                <th>"Took"</th><th>"Read-only"</th><th>"Predicted"</th><th>"Freed"</th><th>"Status"</th>
            </tr></thead>
            <tbody>
                {runs.into_iter().map(|run| view! { <RunRow run /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn RunRow(run: GcRunItem) -> impl IntoView {
    let kind = match (run.dry_run, run.untagged_cleanup) {
        (true, _) => "dry run".to_string(),
        (false, true) => format!("untagged cleanup ({}) + collect", run.untagged_deleted),
        (false, false) => "collect".to_string(),
    };
    let took = run
        .duration_ms
        .map(|ms| format::duration_ms(ms.max(0) as u64));
    let read_only = run
        .read_only_ms
        .map(|ms| format::duration_ms(ms.max(0) as u64));
    let freed = match (run.bytes_freed, run.blobs_deleted) {
        (Some(bytes), Some(blobs)) => format!(
            "{} in {blobs} blobs",
            format::human_size(bytes.max(0) as u64)
        ),
        _ => "—".into(),
    };
    view! {
        <tr>
            <td><a href=routes::gc_run(run.id)>{format!("#{}", run.id)}</a></td>
            <td>{run.registry}</td>
            <td>{kind}</td>
            <td class="nowrap"><Moment when=run.started_at /></td>
            <td>{run.trigger}</td>
            <td>{took.unwrap_or_default()}</td>
            <td>{read_only.unwrap_or_else(|| "—".into())}</td>
            <td>{format!("{} in {} blobs", format::human_size(run.predicted_bytes.max(0) as u64), run.predicted_blobs)}</td>
            <td>{freed}</td>
            <td title=run.error.clone().unwrap_or_default()>{run.status}</td>
        </tr>
    }
}
