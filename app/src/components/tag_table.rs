use super::pull_commands::{pull_command, TOOLS};
use super::tag_order::{visible_tags, TagSort};
use super::CopyButton;
use crate::dto::TagListing;
use leptos::prelude::*;

/// A repository's tags: filter box, sort (created or semver), pull commands per tool.
#[component]
pub fn TagTable(listing: TagListing) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new(TagSort::Created);
    let tool = RwSignal::new("docker".to_string());
    let TagListing {
        image,
        tags,
        registry,
        repository,
    } = listing;
    let total = tags.len();
    let rows = move || {
        let (image, registry, repository) = (image.clone(), registry.clone(), repository.clone());
        visible_tags(&tags, &filter.read(), sort.get())
            .into_iter()
            .map(|t| {
                let by_tag = pull_command(&tool.read(), &image, &format!(":{}", t.tag));
                let by_digest = pull_command(&tool.read(), &image, &format!("@{}", t.digest));
                let short = t
                    .digest
                    .trim_start_matches("sha256:")
                    .chars()
                    .take(12)
                    .collect::<String>();
                view! {
                    <tr>
                        <td class="mono"><a href=format!("/i/{registry}/{repository}:{}", t.tag)>{t.tag.clone()}</a></td>
                        <td class="mono" title=t.digest.clone()>{short}</td>
                        <td class="nowrap">{t.size.clone()}</td>
                        <td>{t.platforms.clone()}</td>
                        <td>{t.created.clone().unwrap_or_default()}</td>
                        <td class="muted">{t.same_digest_as.join(", ")}</td>
                        <td class="actions">
                            <CopyButton text=by_tag label="tag" />
                            <CopyButton text=by_digest label="digest" />
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="toolbar">
            <input type="search" placeholder="Filter tags" aria-label="Filter tags"
                on:input:target=move |ev| filter.set(ev.target().value()) />
            <label>"Sort "
                <select aria-label="Sort tags" on:change:target=move |ev| sort.set(TagSort::parse(&ev.target().value()))>
                    <option value="created">"newest first"</option>
                    <option value="semver">"version"</option>
                </select>
            </label>
            <label>"Pull with "
                <select aria-label="Pull tool" on:change:target=move |ev| tool.set(ev.target().value())>
                    {TOOLS.map(|t| view! { <option value=t>{t}</option> }).collect_view()}
                </select>
            </label>
            <span class="muted">{total} " tags"</span>
        </div>
        <table class="tags" aria-label="Tags">
            <thead><tr>
                <th>"Tag"</th><th>"Digest"</th><th>"Size"</th><th>"Platforms"</th>
                <th>"Created"</th><th>"Same digest as"</th><th>"Pull"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
