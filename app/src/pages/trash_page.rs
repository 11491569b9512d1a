use crate::api::{list_trash, RestoreFromTrash};
use crate::components::{HeaderBar, Moment};
use crate::dto::TrashItem;
use crate::{format, routes};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/trash`: deleted tags, newest first — who deleted them, when, from where, how big — each
/// restorable (byte for byte, the same digest) until it expires or garbage collection removes
/// its blobs. `?deleted=`, `?restored=` and `?failed=` carry the outcome of the last form.
#[component]
pub fn TrashPage() -> impl IntoView {
    let query = use_query_map();
    let items = Resource::new(|| (), |_| list_trash());
    let notice = move || {
        let query = query.read();
        if let Some(reason) = query.get("failed") {
            return Some(view! { <p class="error" role="alert">{reason}</p> }.into_any());
        }
        let said = match (query.get("deleted"), query.get("restored")) {
            (Some(_), _) => {
                "Deleted. The tags are in the trash until garbage collection removes their blobs."
            }
            (_, Some(_)) => "Restored: the tag is back at its digest.",
            _ => return None,
        };
        Some(view! { <p class="notice ok" role="status">{said}</p> }.into_any())
    };
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"Trash"</h1>
            {notice}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(items) if items.is_empty() => view! {
                            <p class="empty">"The trash is empty. Deleted tags show here, restorable until garbage collection."</p>
                        }.into_any(),
                        Ok(items) => view! { <TrashTable items /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn TrashTable(items: Vec<TrashItem>) -> impl IntoView {
    view! {
        <table class="history" aria-label="Trash">
            <thead><tr>
                <th>"Tag"</th><th>"Digest"</th><th>"Size"</th><th>"Deleted"</th><th>"By"</th>
                <th>"From"</th><th>"Kept until"</th><th></th>
            </tr></thead>
            <tbody>
                {items.into_iter().map(|item| view! { <TrashRow item /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn TrashRow(item: TrashItem) -> impl IntoView {
    let restore = ServerAction::<RestoreFromTrash>::new();
    let reference = format!("{}/{}:{}", item.registry, item.repository, item.tag);
    let action = match (&item.restored_at, &item.restored_by) {
        (Some(when), by) => view! {
            <span class="muted">"restored " <Moment when=*when /> {by.clone().map(|by| format!(" by {by}"))}</span>
        }
        .into_any(),
        (None, _) => view! {
            <ActionForm action=restore attr:aria-label=format!("Restore {reference}")>
                <input type="hidden" name="id" value=item.id />
                <button type="submit" class="secondary">"Restore"</button>
            </ActionForm>
        }
        .into_any(),
    };
    let repository = routes::repository(&item.registry, &item.repository);
    view! {
        <tr>
            <td class="mono"><a href=repository>{reference}</a></td>
            <td class="mono" title=item.digest.clone()>{format::short_digest(&item.digest)}</td>
            <td>{format::human_size(item.size_bytes)}{item.image_deleted.then_some(" (image deleted)")}</td>
            <td class="nowrap"><Moment when=item.deleted_at /></td>
            <td>{item.deleted_by}</td>
            <td class="mono">{item.deleted_from}</td>
            <td class="nowrap"><Moment when=item.expires_at /></td>
            <td>{action}</td>
        </tr>
    }
}
