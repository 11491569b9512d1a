use crate::api::{load_retention, DeleteRetentionPolicy, PreviewRetention, SaveRetentionPolicy};
use crate::components::{HeaderBar, Moment};
use crate::dto::{PolicyItem, RetentionOverview, RunItem};
use crate::{format, routes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/retention`: the policies (those of regatta.toml read-only), Preview for each (the preview
/// is kept; its page has Run), the form to add or edit one (`?edit=NAME` fills it in), and the
/// latest previews and runs. Plain forms: they work without the WASM.
#[component]
pub fn RetentionPage() -> impl IntoView {
    let query = use_query_map();
    let overview = Resource::new(|| (), |_| load_retention());
    let notice = move || {
        let query = query.read();
        if let Some(reason) = query.get("failed") {
            return Some(view! { <p class="error" role="alert">{reason}</p> }.into_any());
        }
        let said = match (query.get("saved"), query.get("deleted")) {
            (Some(name), _) => format!("Policy `{name}` saved."),
            (_, Some(name)) => format!("Policy `{name}` deleted."),
            _ => return None,
        };
        Some(view! { <p class="notice ok" role="status">{said}</p> }.into_any())
    };
    let editing = move || query.read().get("edit");
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Retention"</h1>
            {notice}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <Overview overview editing=editing() /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Overview(overview: RetentionOverview, editing: Option<String>) -> impl IntoView {
    let RetentionOverview {
        policies,
        runs,
        may_edit,
    } = overview;
    let edited = editing.and_then(|name| policies.iter().find(|p| p.name == name).cloned());
    let rows = policies
        .into_iter()
        .map(|policy| view! { <PolicyRow policy may_edit /> })
        .collect_view();
    view! {
        <table class="history" aria-label="Retention policies">
            <thead><tr>
                <th>"Policy"</th><th>"Scope"</th><th>"Keeps"</th><th>"Schedule"</th><th></th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {may_edit.then(|| view! { <PolicyForm edited /> })}
        <h2>"Previews and runs"</h2>
        <RunsTable runs />
    }
}

#[component]
fn PolicyRow(policy: PolicyItem, may_edit: bool) -> impl IntoView {
    let preview = ServerAction::<PreviewRetention>::new();
    let delete = ServerAction::<DeleteRetentionPolicy>::new();
    let scope = {
        let mut scope = policy.registry.clone();
        if let Some(environment) = &policy.environment {
            scope += &format!(" · {environment}");
        }
        if !policy.repositories.is_empty() {
            scope += &format!(" · {}", policy.repositories.join(", "));
        }
        if !policy.exclude_repositories.is_empty() {
            scope += &format!(" · not {}", policy.exclude_repositories.join(", "));
        }
        scope
    };
    let name = policy.name.clone();
    let managed = policy.managed_by_config;
    let actions = may_edit.then(|| {
        let edit = (!managed).then(|| {
            let href = format!("{}?edit={}", routes::retention(), name);
            let (label, value) = (format!("Delete {name}"), name.clone());
            view! {
                <a href=href>"Edit"</a>
                <ActionForm action=delete attr:aria-label=label>
                    <input type="hidden" name="name" value=value />
                    <button type="submit" class="link">"Delete"</button>
                </ActionForm>
            }
        });
        let (label, value) = (format!("Preview {name}"), name.clone());
        view! {
            <ActionForm action=preview attr:aria-label=label>
                <input type="hidden" name="name" value=value />
                <button type="submit" class="secondary">"Preview"</button>
            </ActionForm>
            {edit}
        }
    });
    view! {
        <tr>
            <td class="mono">{policy.name.clone()}{managed.then_some(" (managed by config)")}</td>
            <td class="mono">{scope}</td>
            <td>{policy.keeps()}</td>
            <td>{policy.schedule.clone().unwrap_or_else(|| "by hand".into())}</td>
            <td class="actions">{actions}</td>
        </tr>
    }
}

/// A number field's value: empty for none.
fn number(n: Option<u32>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// Add a policy, or edit `edited` (same name: saved over it).
#[component]
fn PolicyForm(edited: Option<PolicyItem>) -> impl IntoView {
    let save = ServerAction::<SaveRetentionPolicy>::new();
    let p = edited.clone();
    let text = move |get: fn(&PolicyItem) -> String| p.as_ref().map(get).unwrap_or_default();
    let title = match &edited {
        Some(policy) => format!("Edit `{}`", policy.name),
        None => "New policy".to_string(),
    };
    let promoted = edited.as_ref().is_some_and(|p| p.promoted);
    view! {
        <h2>{title}</h2>
        <ActionForm action=save attr:class="card policy-form" attr:aria-label="Policy">
            <label>"Name " <input name="name" required value=text(|p| p.name.clone()) /></label>
            <label>"Registry " <input name="registry" required value=text(|p| p.registry.clone()) /></label>
            <label>"Environment " <input name="environment" value=text(|p| p.environment.clone().unwrap_or_default()) /></label>
            <label>"Repositories (globs, one per line; empty: all) " <textarea name="repositories">{text(|p| p.repositories.join("\n"))}</textarea></label>
            <label>"Except (globs, one per line) " <textarea name="exclude_repositories">{text(|p| p.exclude_repositories.join("\n"))}</textarea></label>
            <fieldset>
                <legend>"Keep (any rule keeps a tag)"</legend>
                <label>"Most recent images " <input name="most_recent" inputmode="numeric" value=text(|p| number(p.most_recent)) /></label>
                <label>"Pushed within (days) " <input name="pushed_within_days" inputmode="numeric" value=text(|p| number(p.pushed_within_days)) /></label>
                <label>"Pulled within (days) " <input name="pulled_within_days" inputmode="numeric" value=text(|p| number(p.pulled_within_days)) /></label>
                <label>"Tags matching (globs, one per line) " <textarea name="tags">{text(|p| p.tags.join("\n"))}</textarea></label>
                <label>"Tags matching (regular expressions, one per line) " <textarea name="tags_regex">{text(|p| p.tags_regex.join("\n"))}</textarea></label>
                <label><input type="checkbox" name="promoted" value="1" checked=promoted />" Promoted to a later environment"</label>
            </fieldset>
            <label>"Schedule (" <code>"daily 03:00"</code> " UTC, " <code>"every 6h"</code> ", or empty) " <input name="schedule" value=text(|p| p.schedule.clone().unwrap_or_default()) /></label>
            <button type="submit">"Save policy"</button>
        </ActionForm>
    }
}

#[component]
fn RunsTable(runs: Vec<RunItem>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p class="empty">"No preview yet."</p> }.into_any();
    }
    view! {
        <table class="history" aria-label="Retention runs">
            <thead><tr>
                <th>"#"</th><th>"Policy"</th><th>"When"</th><th>"By"</th><th>"Status"</th>
                <th>"Candidates"</th><th>"Deleted"</th><th>"Skipped"</th><th>"Failed"</th><th>"GC frees"</th>
            </tr></thead>
            <tbody>
                {runs.into_iter().map(|run| view! {
                    <tr>
                        <td><a href=routes::retention_run(run.id)>{format!("#{}", run.id)}</a></td>
                        <td class="mono">{run.policy}</td>
                        <td class="nowrap"><Moment when=run.previewed_at /></td>
                        <td>{format!("{} ({})", run.requested_by, run.trigger)}</td>
                        <td>{run.status}</td>
                        <td>{run.candidates}</td>
                        <td>{run.deleted}</td>
                        <td>{run.skipped}</td>
                        <td>{run.failed}</td>
                        <td>{format::human_size(run.bytes_freed)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
