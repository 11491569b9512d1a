use crate::api::load_audit;
use crate::components::{HeaderBar, Moment};
use crate::dto::{AuditItem, AuditListing};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The filter fields, as they are in the page's query string.
const FIELDS: [&str; 6] = ["user", "action", "target", "result", "from", "until"];

/// `/audit` (maintainers and admins): who did what, when, from where, with what result —
/// every state change and login, refusals included; newest first, filtered by the form (a
/// plain GET: the filters are in the address, so a view can be shared), 50 a page with an
/// Older link, and the same rows as CSV or JSON. Rows cannot be changed or deleted here.
#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let field = move |name: &str| query.read().get(name).filter(|v| !v.is_empty());
    let listing = Resource::new(
        move || {
            let fields: Vec<Option<String>> = FIELDS.iter().map(|f| field(f)).collect();
            let before = field("before").and_then(|b| b.parse::<i64>().ok());
            (fields, before)
        },
        |(fields, before)| {
            let [user, action, target, result, from, until]: [Option<String>; 6] =
                fields.try_into().unwrap_or_default();
            load_audit(user, action, target, result, from, until, before)
        },
    );
    // The filters again, for the export links and the next page.
    let filters = move || {
        let pairs: Vec<(&str, String)> = FIELDS
            .iter()
            .filter_map(|name| field(name).map(|v| (*name, v)))
            .collect();
        pairs
    };
    let link = move |path: &str, extra: Option<(&str, String)>| {
        let mut pairs = filters();
        pairs.extend(extra);
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        match query.is_empty() {
            true => path.to_string(),
            false => format!("{path}?{query}"),
        }
    };
    let value = move |name: &'static str| move || field(name).unwrap_or_default();
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Audit log"</h1>
            <form method="get" action="/audit" class="filters" aria-label="Filter the audit log">
                <label>"User " <input name="user" value=value("user") /></label>
                <label>"Action " <input name="action" placeholder="promotion, gc, login" value=value("action") /></label>
                <label>"Target starts with " <input name="target" value=value("target") /></label>
                <label>"Result "
                    <select name="result">
                        {["", "ok", "denied", "error"].into_iter().map(|r| view! {
                            <option value=r selected=move || field("result").as_deref() == Some(r)>
                                {if r.is_empty() { "any" } else { r }}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"From " <input name="from" type="datetime-local" value=value("from") /></label>
                <label>"Until " <input name="until" type="datetime-local" value=value("until") /></label>
                <button type="submit" class="secondary">"Filter"</button>
                <a href="/audit">"Clear"</a>
            </form>
            <p class="muted">
                "Times are UTC. Export what the filters match: "
                <a href=move || link("/audit.csv", None) download="">"CSV"</a> " · "
                <a href=move || link("/audit.json", None) download="">"JSON"</a>
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match listing.await {
                        Ok(AuditListing { rows, .. }) if rows.is_empty() => {
                            view! { <p class="empty">"No audit rows match."</p> }.into_any()
                        }
                        Ok(AuditListing { rows, older }) => view! {
                            <AuditTable rows />
                            {older.map(|cursor| view! {
                                <p><a href=link("/audit", Some(("before", cursor.to_string())))>"Older →"</a></p>
                            })}
                        }
                        .into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn AuditTable(rows: Vec<AuditItem>) -> impl IntoView {
    view! {
        <table class="history" aria-label="Audit log">
            <thead><tr>
                <th>"When"</th><th>"User"</th><th>"Action"</th><th>"Target"</th><th>"Result"</th>
                <th>"From"</th><th>"Detail"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td class="nowrap"><Moment when=row.at /></td>
                        <td>{row.user.unwrap_or_else(|| "—".into())}</td>
                        <td class="mono">{row.action}</td>
                        <td class="mono">{row.target.unwrap_or_default()}</td>
                        <td class=format!("result {}", row.result)>{row.result.clone()}</td>
                        <td class="mono">{row.source.unwrap_or_default()}</td>
                        <td>{row.detail.unwrap_or_default()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
