use crate::components::{IndexStatus, Moment, Pager};
use crate::dto::{NamespaceGroup, RepositoryListing};
use crate::{format, routes};
use leptos::prelude::*;

/// Repositories grouped by namespace (each heading links to the namespace's page), counts,
/// and a pager: the body of the registry and namespace pages.
#[component]
pub fn RepositoryList(listing: RepositoryListing) -> impl IntoView {
    let registry = listing.registry.name.clone();
    let status = listing
        .namespace
        .is_none()
        .then(|| view! { <IndexStatus summary=listing.registry.clone() /> });
    let counts = format!(
        "{} · {}",
        format::count(
            listing.repositories.max(0) as usize,
            "repository",
            "repositories"
        ),
        format::count(listing.tags.max(0) as usize, "tag", "tags")
    );
    let scope = listing.namespace.clone();
    view! {
        {status}
        <p class="muted" aria-label="Counts">{counts}</p>
        {listing.namespaces.into_iter().map(|group| {
            view! { <NamespaceSection registry=registry.clone() scope=scope.clone() group /> }
        }).collect_view()}
        <Pager page=listing.page pages=listing.pages link=|page| format!("?page={page}") />
    }
    // Erased: the page's view type otherwise grows past the compiler's depth limit (hydrate).
    .into_any()
}

#[component]
fn NamespaceSection(
    registry: String,
    scope: Option<String>,
    group: NamespaceGroup,
) -> impl IntoView {
    let heading = match (&group.namespace, &scope) {
        (Some(namespace), _) => view! {
            <a href=routes::namespace(&registry, namespace)>{format!("{namespace}/")}</a>
        }
        .into_any(),
        (None, Some(scope)) => format!("{scope}/").into_any(),
        (None, None) => "(top level)".into_any(),
    };
    let label = match (&group.namespace, &scope) {
        (Some(namespace), _) | (None, Some(namespace)) => format!("Namespace {namespace}/"),
        (None, None) => "Namespace (top level)".to_string(),
    };
    view! {
        <section class="namespace" aria-label=label>
            <h2>{heading}</h2>
            <table class="repos">
                <thead><tr><th>"Repository"</th><th>"Tags"</th><th>"Last change"</th></tr></thead>
                <tbody>
                    {group.repositories.into_iter().map(|repo| view! {
                        <tr>
                            <td><a href=routes::repository(&registry, &repo.name)>{repo.name.clone()}</a></td>
                            <td>{if repo.tags == 0 { "empty".to_string() } else { repo.tags.to_string() }}</td>
                            <td class="nowrap">{repo.last_updated.map(|when| view! { <Moment when /> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
