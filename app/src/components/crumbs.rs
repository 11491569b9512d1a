use crate::routes;
use leptos::prelude::*;

/// Registries / registry / each namespace / repository / reference: every part but the page
/// itself is a link (namespaces to their own page).
#[component]
pub fn Crumbs(
    registry: String,
    /// A repository or namespace path, `dev/team/app`.
    #[prop(optional)]
    path: String,
    /// A tag or digest, on an image's page.
    #[prop(optional)]
    reference: Option<String>,
) -> impl IntoView {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let last = segments.len().saturating_sub(1);
    let parts = segments
        .iter()
        .enumerate()
        .map(|(i, segment)| {
            let prefix = segments[..=i].join("/");
            let href = match (i == last, &reference) {
                (false, _) => Some(routes::namespace(&registry, &prefix)),
                (true, Some(_)) => Some(routes::repository(&registry, &prefix)),
                (true, None) => None,
            };
            let segment = segment.to_string();
            view! {
                " / "
                {match href {
                    Some(href) => view! { <a href=href>{segment}</a> }.into_any(),
                    None => view! { <span aria-current="page">{segment}</span> }.into_any(),
                }}
            }
        })
        .collect_view();
    let registry_part = if segments.is_empty() {
        view! { <span aria-current="page">{registry.clone()}</span> }.into_any()
    } else {
        view! { <a href=routes::registry(&registry)>{registry.clone()}</a> }.into_any()
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumbs">
            <a href=routes::dashboard()>"Registries"</a> " / " {registry_part}
            {parts}
            {reference.map(|r| view! { " : " <span aria-current="page" class="mono">{r}</span> })}
        </nav>
    }
}
