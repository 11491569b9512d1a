use crate::api::{preview_deletion, DeleteTags};
use crate::components::{Crumbs, DeleteButton, HeaderBar};
use crate::dto::DeletionPreview;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/delete/<registry>/<repository>:<tag>`, or `/delete/<registry>/<repository>?tags=a,b` or
/// `?repository=1`: what a deletion would do — per tag the sibling tags that stay and whether
/// the image goes, what garbage collection then frees — and the form that does it (with the
/// text to type in a protected environment). A plain form: it works before and without WASM.
#[component]
pub fn DeletePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let asked = move || {
        let registry = params.read().get("registry").unwrap_or_default();
        let target = params.read().get("target").unwrap_or_default();
        let query = query.read();
        let (repository, tags) = match target.rsplit_once(':') {
            Some((repository, tag)) => (repository.to_string(), tag.to_string()),
            // Checked rows of the tag table come as `tag=a&tag=b`, links as `tags=a,b`.
            None => {
                let mut tags = query.get_all("tag").unwrap_or_default();
                tags.extend(query.get("tags"));
                (target.clone(), tags.join(","))
            }
        };
        (
            registry,
            repository,
            tags,
            query.get("repository"),
            query.get("filter"),
        )
    };
    let preview = Resource::new(asked, |(registry, repository, tags, whole, filter)| {
        preview_deletion(registry, repository, tags, whole, filter)
    });
    let failed = move || query.read().get("failed");
    view! {
        <HeaderBar />
        <main>
            {move || {
                let (registry, repository, ..) = asked();
                view! { <Crumbs registry path=repository /> }
            }}
            <h1 class="page-title">"Delete"</h1>
            {move || failed().map(|reason| view! { <p class="error" role="alert">{reason}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(preview) => view! { <Confirmation preview filter=asked().4 /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Confirmation(preview: DeletionPreview, filter: Option<String>) -> impl IntoView {
    let delete = ServerAction::<DeleteTags>::new();
    // "All that match": the filter goes back, not thousands of names (the fingerprint makes
    // sure it still means the same tags).
    let filter = filter.filter(|f| !f.trim().is_empty());
    let names: Vec<String> = match filter {
        Some(_) => Vec::new(),
        None => preview
            .tags
            .iter()
            .map(|t| t.tag.clone())
            .chain(preview.unknown.iter().cloned())
            .collect(),
    };
    let back = match preview.tags.as_slice() {
        [one] if !preview.whole_repository => {
            routes::tag(&preview.registry, &preview.repository, &one.tag)
        }
        _ => routes::repository(&preview.registry, &preview.repository),
    };
    let count = format::count(preview.tags.len(), "tag", "tags");
    let rows = preview
        .tags
        .iter()
        .map(|tag| {
            let fate = match (tag.image_goes, tag.siblings_kept.as_slice()) {
                (true, _) if tag.platforms_going > 0 => format!(
                    "the image goes, with {}",
                    format::count(tag.platforms_going, "platform image", "platform images")
                ),
                (true, _) => "the image goes".to_string(),
                (false, []) => "the image stays (a tagged index holds it)".to_string(),
                (false, kept) => format!("the image stays with {}", kept.join(", ")),
            };
            view! {
                <tr>
                    <td class="mono">{tag.tag.clone()}</td>
                    <td class="mono" title=tag.digest.clone()>{format::short_digest(&tag.digest)}</td>
                    <td>{format::human_size(tag.size_bytes)}</td>
                    <td>{fate}</td>
                </tr>
            }
        })
        .collect_view();
    let unknown = (!preview.unknown.is_empty()).then(|| {
        view! {
            <p class="notice">"Not in the index (skipped): " <span class="mono">{preview.unknown.join(", ")}</span></p>
        }
    });
    let confirmation = preview.confirmation.clone().map(|text| {
        view! {
            <label class="confirm">
                "This environment is guarded: type " <code>{text}</code> " to confirm "
                <input type="text" name="confirmation" autocomplete="off" required aria-label="Confirmation" />
            </label>
        }
    });
    view! {
        <p>
            {format!("{count} of ")}<span class="mono">{format!("{}/{}", preview.registry, preview.repository)}</span>
            {if preview.whole_repository { " (the whole repository)" } else { "" }}
        </p>
        <table class="history" aria-label="What goes">
            <thead><tr><th>"Tag"</th><th>"Digest"</th><th>"Size"</th><th>"Then"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {unknown}
        <p aria-label="Freed">
            "Garbage collection then frees " <strong>{format::human_size(preview.bytes_freed)}</strong>
            ". Until it runs, the trash can put every tag back."
        </p>
        <ActionForm action=delete attr:class="card" attr:aria-label="Confirm deletion">
            <input type="hidden" name="registry" value=preview.registry.clone() />
            <input type="hidden" name="repository" value=preview.repository.clone() />
            <input type="hidden" name="tags" value=names.join(",") />
            <input type="hidden" name="whole_repository" value=if preview.whole_repository { "1" } else { "" } />
            <input type="hidden" name="matching" value=filter.unwrap_or_default() />
            // The run refuses if what it would delete differs from this preview.
            <input type="hidden" name="expected" value=preview.fingerprint.clone() />
            {confirmation}
            <div class="toolbar">
                <DeleteButton label=format!("Delete {count}") />
                <a href=back>"Cancel"</a>
            </div>
        </ActionForm>
    }
}
