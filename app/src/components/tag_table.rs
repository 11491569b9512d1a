use super::pull_commands::{pull_command, TOOLS};
use super::{CopyButton, Moment, Pager};
use crate::api::list_tags;
use crate::dto::{TagItem, TagListing};
use crate::{format, routes};
use leptos::prelude::*;

/// A repository's tags, one page at a time: filter, order (newest or version), pull commands per
/// tool. Without the WASM the toolbar is a GET form and the page's query string is the state;
/// hydrated, the filter and order ask the index as you type and the address bar follows.
#[island]
pub fn TagTable(listing: TagListing, tool: String, may_delete: bool) -> impl IntoView {
    let filter = RwSignal::new(listing.filter.clone());
    let sort = RwSignal::new(listing.sort.clone());
    let tool = RwSignal::new(tool);
    let shown = RwSignal::new(listing);
    let problem = RwSignal::new(None::<String>);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let address = move |page: i64| {
        shown.with_untracked(|l| {
            routes::repository_tags(
                &l.registry,
                &l.repository,
                &filter.get_untracked(),
                &sort.get_untracked(),
                &tool.get_untracked(),
                page,
            )
        })
    };
    // A new filter or order asks for its first page; answers to older asks are dropped.
    let ask = move || {
        let (wanted_filter, wanted_sort) = (filter.get_untracked(), sort.get_untracked());
        let (registry, repository) =
            shown.with_untracked(|l| (l.registry.clone(), l.repository.clone()));
        leptos::task::spawn_local(async move {
            let answer = list_tags(
                registry,
                repository,
                Some(wanted_filter.clone()),
                Some(wanted_sort.clone()),
                Some(1),
            )
            .await;
            if filter.get_untracked() != wanted_filter || sort.get_untracked() != wanted_sort {
                return;
            }
            match answer {
                Ok(listing) => {
                    problem.set(None);
                    shown.set(listing);
                    show_in_address_bar(&address(1));
                }
                Err(error) => problem.set(Some(error.message)),
            }
        });
    };
    let rows = move || {
        shown.with(|listing| {
            let tool = tool.read();
            listing
                .tags
                .iter()
                .map(|tag| tag_row(listing, tag, &tool, may_delete))
                .collect_view()
        })
    };
    let counts = move || {
        shown.with(|l| match l.filter.trim() {
            "" => format::count(l.total as usize, "tag", "tags"),
            _ => format!("{} of {} tags match", l.matching, l.total),
        })
    };
    let pager = move || {
        let (page, pages) = shown.with(|l| (l.page, l.pages));
        view! { <Pager page pages link=address /> }
    };
    let chosen =
        move |signal: RwSignal<String>, value: &'static str| move || *signal.read() == value;
    let (delete_path, registry, repository) = shown.with_untracked(|l| {
        let path = routes::delete_tags(&l.registry, &l.repository, &[], false);
        (path, l.registry.clone(), l.repository.clone())
    });
    let all_matching = move || {
        let wanted = filter.get();
        let matching = shown.with(|l| l.matching);
        (!wanted.trim().is_empty() && matching > 0).then(|| {
            let href = routes::delete_matching(&registry, &repository, &wanted);
            view! { <a class="danger-link" href=href>{format!("Delete all {matching} matching “{}”…", wanted.trim())}</a> }
        })
    };
    view! {
        <form class="toolbar" method="get" role="search" aria-label="Tags"
            on:submit=move |ev| ev.prevent_default()>
            <input type="search" name="filter" placeholder="Filter tags" aria-label="Filter tags"
                value=filter.get_untracked()
                on:input:target=move |ev| { filter.set(ev.target().value()); ask(); } />
            <label>"Sort "
                <select name="sort" aria-label="Sort tags"
                    on:change:target=move |ev| { sort.set(ev.target().value()); ask(); }>
                    <option value="created" selected=chosen(sort, "created")>"newest first"</option>
                    <option value="semver" selected=chosen(sort, "semver")>"version"</option>
                </select>
            </label>
            <label>"Pull with "
                <select name="tool" aria-label="Pull tool"
                    on:change:target=move |ev| {
                        tool.set(ev.target().value());
                        show_in_address_bar(&address(shown.with_untracked(|l| l.page)));
                    }>
                    {TOOLS.map(|t| view! { <option value=t selected=chosen(tool, t)>{t}</option> }).collect_view()}
                </select>
            </label>
            // Before the WASM runs (or without it), the form applies on submit.
            <button type="submit" class="secondary" hidden=move || hydrated.get()>"Apply"</button>
            <span class="muted" aria-label="Tag count">{counts}</span>
        </form>
        {move || problem.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        // Checked rows go to the deletion's confirmation page (a GET: no WASM needed).
        <form method="get" action=delete_path.clone() aria-label="Select tags">
            <table class="tags" aria-label="Tags">
                <thead><tr>
                    {may_delete.then(|| view! { <th><span class="sr-only">"Select"</span></th> })}
                    <th>"Tag"</th><th>"Digest"</th><th>"Size"</th><th>"Platforms"</th>
                    <th>"Created"</th><th>"Same digest as"</th><th>"Pull"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {may_delete.then(|| view! {
                <div class="toolbar bulk">
                    <button type="submit" class="secondary">"Delete selected…"</button>
                    {all_matching}
                </div>
            })}
        </form>
        {move || shown.with(|l| l.tags.is_empty()).then(|| view! {
            <p class="empty">"No tag contains “" {move || filter.get()} "”."</p>
        })}
        {pager}
    }
}

fn tag_row(listing: &TagListing, tag: &TagItem, tool: &str, may_delete: bool) -> impl IntoView {
    let by_tag = pull_command(tool, &listing.image, &format!(":{}", tag.tag));
    let by_digest = pull_command(tool, &listing.image, &format!("@{}", tag.digest));
    let select = may_delete.then(|| {
        let label = format!("Select {}", tag.tag);
        view! { <td><input type="checkbox" name="tag" value=tag.tag.clone() aria-label=label /></td> }
    });
    view! {
        <tr>
            {select}
            <td class="mono"><a href=routes::tag(&listing.registry, &listing.repository, &tag.tag)>{tag.tag.clone()}</a></td>
            <td class="mono" title=tag.digest.clone()>{format::short_digest(&tag.digest)}</td>
            <td class="nowrap">{format::human_size(tag.size_bytes)}</td>
            <td>{tag.platforms.join(", ")}</td>
            <td class="nowrap">{tag.created.map(|when| view! { <Moment when /> })}</td>
            <td class="muted">{tag.same_digest_as.join(", ")}</td>
            <td class="pull">
                <code class="command">{by_tag.clone()}</code>
                <span class="actions">
                    <CopyButton text=by_tag label="copy" />
                    <CopyButton text=by_digest label="by digest" />
                </span>
            </td>
        </tr>
    }
}

/// Keeps the address shareable as the table changes (no new history entry per keystroke).
#[cfg(feature = "hydrate")]
fn show_in_address_bar(address: &str) {
    if let Ok(history) = window().history() {
        let _ =
            history.replace_state_with_url(&leptos::wasm_bindgen::JsValue::NULL, "", Some(address));
    }
}

#[cfg(not(feature = "hydrate"))]
fn show_in_address_bar(_address: &str) {}
