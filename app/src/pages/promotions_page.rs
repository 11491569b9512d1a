use crate::api::promotion_history;
use crate::components::{HeaderBar, Moment};
use crate::dto::PromotionRow;
use crate::{format, routes};
use leptos::prelude::*;

/// Every promotion, newest first: who, what digest, from, to, when, result, duration, bytes.
#[component]
pub fn PromotionsPage() -> impl IntoView {
    let history = Resource::new(|| (), |_| promotion_history());
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Promotions"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="empty">"No promotions yet. Open a tag and promote it from its page."</p>
                        }.into_any(),
                        Ok(rows) => view! { <HistoryTable rows /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn HistoryTable(rows: Vec<PromotionRow>) -> impl IntoView {
    view! {
        <table class="history" aria-label="Promotion history">
            <thead><tr>
                <th>"When"</th><th>"Who"</th><th>"From → to"</th><th>"Digest"</th>
                <th>"Result"</th><th>"Took"</th><th>"Moved"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! { <HistoryRow row /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn HistoryRow(row: PromotionRow) -> impl IntoView {
    let status = row.status.as_str();
    let target = format!(
        "{}/{}:{}",
        row.target_registry, row.target_repository, row.target_tag
    );
    let href = routes::tag(
        &row.target_registry,
        &row.target_repository,
        &row.target_tag,
    );
    let environments = format!(
        "{} → {}",
        row.from_environment.as_deref().unwrap_or("(none)"),
        row.to_environment
    );
    let t = row.transfer;
    let moved = format!(
        "{} ({} mounted, {} copied, {} there)",
        format::human_size(t.bytes_moved),
        t.blobs_mounted,
        t.blobs_copied,
        t.blobs_present
    );
    let webhooks = (!row.webhooks.is_empty()).then(|| {
        let states: Vec<String> = row
            .webhooks
            .iter()
            .map(|w| match &w.last_error {
                Some(error) => format!("{}: {} ({error})", w.webhook, w.status),
                None => format!("{}: {}", w.webhook, w.status),
            })
            .collect();
        view! { <br /><span class="muted webhooks">"webhooks: " {states.join("; ")}</span> }
    });
    view! {
        <tr class=status>
            <td class="nowrap"><Moment when=row.started /></td>
            <td>{row.actor}</td>
            <td>
                <span class="muted">{environments}</span><br />
                <span class="mono">{row.source}</span> " → "
                <a class="mono" href=href>{target}</a>
            </td>
            <td class="mono" title=row.digest.clone()>{format::short_digest(&row.digest)}</td>
            <td>
                {status} {row.error.map(|e| view! { <br /><span class="error">{e}</span> })}
                {webhooks}
            </td>
            <td class="nowrap">{row.duration_ms.map(format::duration_ms)}</td>
            <td>{moved}</td>
        </tr>
    }
}
