use crate::api::promotion_history;
use crate::components::HeaderBar;
use crate::dto::PromotionRow;
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
                {rows.into_iter().map(|row| {
                    let status = row.status.clone();
                    view! {
                    <tr class=status>
                        <td class="nowrap">{row.when}</td>
                        <td>{row.actor}</td>
                        <td>
                            <span class="muted">{row.environments}</span><br />
                            <span class="mono">{row.source}</span> " → "
                            <a class="mono" href=row.target_href>{row.target}</a>
                        </td>
                        <td class="mono" title=row.digest.clone()>{row.digest.chars().take(19).collect::<String>()}</td>
                        <td>
                            {row.status} {row.error.map(|e| view! { <br /><span class="error">{e}</span> })}
                            {row.webhooks.map(|w| view! { <br /><span class="muted webhooks">"webhooks: " {w}</span> })}
                        </td>
                        <td class="nowrap">{row.duration}</td>
                        <td>{row.moved}</td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
