use super::Moment;
use crate::dto::RegistryIndexSummary;
use crate::format;
use leptos::prelude::*;

/// Counts, last crawl, a running crawl's progress, and — when the last crawl failed — a panel
/// saying so. What the index already holds stays browsable either way.
#[component]
pub fn IndexStatus(summary: RegistryIndexSummary) -> impl IntoView {
    let crawl = match (summary.last_crawl, summary.crawling) {
        (_, true) => format!(
            "Crawling: {} of {} repositories",
            summary.repositories_done, summary.repositories_total
        )
        .into_any(),
        (Some(last), false) => view! {
            "Last crawl " <Moment when=last.finished /> ", took " {format::duration_ms(last.took_ms)}
        }
        .into_any(),
        (None, false) => "Not crawled yet".into_any(),
    };
    let health = summary.health_level.map(|level| {
        view! { <p class=level.class() aria-label="Health at last crawl">{summary.health_summary.clone().unwrap_or_default()}</p> }
    });
    view! {
        {health}
        <p class="index-status">
            <span>{summary.repositories} " repositories · " {summary.tags} " tags · "</span>
            <span class="muted">{crawl}</span>
        </p>
        {summary.crawl_error.map(|error| view! {
            <div class="panel down" role="alert" aria-label=format!("Registry {} problem", summary.name)>
                <strong>"The last crawl of " {summary.name.clone()} " failed."</strong>
                <p>{error}</p>
                <p class="muted">"What is shown is what Regatta knew before. Check the registry's URL, that it runs, and its credentials in regatta.toml; use \"Check connection\" on the dashboard."</p>
            </div>
        })}
    }
    .into_any()
}
