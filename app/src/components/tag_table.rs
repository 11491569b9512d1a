use super::pull_commands::{pull_command, TOOLS};
use super::tag_order::{visible_tags, TagSort};
use super::{CopyButton, Moment};
use crate::dto::TagListing;
use crate::{format, routes};
use leptos::prelude::*;

/// A repository's tags: filter box, sort (created or semver), pull commands per tool.
#[island]
pub fn TagTable(listing: TagListing) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let sort = RwSignal::new(TagSort::Created);
    let tool = RwSignal::new("docker".to_string());
    let TagListing {
        image,
        tags,
        registry,
        repository,
        total,
    } = listing;
    let listed = tags.len();
    let capped = (total > listed).then(|| {
        let search = routes::search(&format!("repo:{repository}"), Some(&registry));
        view! {
            <p class="muted" role="note">
                {format!("The newest {listed} of {total} tags are listed; ")}
                <a href=search>"search"</a>" reaches every tag."
            </p>
        }
    });
    let rows = move || {
        let (image, registry, repository) = (image.clone(), registry.clone(), repository.clone());
        visible_tags(&tags, &filter.read(), sort.get())
            .into_iter()
            .map(|t| {
                let by_tag = pull_command(&tool.read(), &image, &format!(":{}", t.tag));
                let by_digest = pull_command(&tool.read(), &image, &format!("@{}", t.digest));
                view! {
                    <tr>
                        <td class="mono"><a href=routes::tag(&registry, &repository, &t.tag)>{t.tag.clone()}</a></td>
                        <td class="mono" title=t.digest.clone()>{format::short_digest(&t.digest)}</td>
                        <td class="nowrap">{format::human_size(t.size_bytes)}</td>
                        <td>{t.platforms.join(", ")}</td>
                        <td class="nowrap">{t.created.map(|when| view! { <Moment when /> })}</td>
                        <td class="muted">{t.same_digest_as.join(", ")}</td>
                        <td class="pull">
                            <code class="command">{by_tag.clone()}</code>
                            <span class="actions">
                                <CopyButton text=by_tag label="copy" />
                                <CopyButton text=by_digest label="by digest" />
                            </span>
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
            <span class="muted">{format::count(total, "tag", "tags")}</span>
        </div>
        {capped}
        <table class="tags" aria-label="Tags">
            <thead><tr>
                <th>"Tag"</th><th>"Digest"</th><th>"Size"</th><th>"Platforms"</th>
                <th>"Created"</th><th>"Same digest as"</th><th>"Pull"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
