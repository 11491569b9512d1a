use crate::api::{preview_deletion, DeleteTags};
use crate::components::{Crumbs, HeaderBar};
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
            None => (target.clone(), query.get("tags").unwrap_or_default()),
        };
        (registry, repository, tags, query.get("repository"))
    };
    let preview = Resource::new(asked, |(registry, repository, tags, whole)| {
        preview_deletion(registry, repository, tags, whole)
    });
    let failed = move || query.read().get("failed");
    view! {
        <HeaderBar />
        <main>
            {move || {
                let (registry, repository, _, _) = asked();
                view! { <Crumbs registry path=repository /> }
            }}
            <h1 class="page-title">"Delete"</h1>
            {move || failed().map(|reason| view! { <p class="error" role="alert">{reason}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(preview) => view! { <Confirmation preview /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Confirmation(preview: DeletionPreview) -> impl IntoView {
    let delete = ServerAction::<DeleteTags>::new();
    let names: Vec<String> = preview
        .tags
        .iter()
        .map(|t| t.tag.clone())
        .chain(preview.unknown.iter().cloned())
        .collect();
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
            {confirmation}
            <div class="toolbar">
                <button type="submit" class="danger">{format!("Delete {count}")}</button>
                <a href=back>"Cancel"</a>
            </div>
        </ActionForm>
    }
}
