use super::Moment;
use crate::dto::{ImageBody, ImageConfigView, LayerItem, PlatformItem};
use crate::{format, routes};
use leptos::prelude::*;

/// Repositories named inline under "Also in"; more collapse behind a count.
const SHARED_SHOWN: usize = 3;

/// The platforms of an index, or an image's config and layers (a dive-like view: each layer
/// with the build step that made it and the other repositories that share it).
#[component]
pub fn ImageBodyView(registry: String, repository: String, body: ImageBody) -> impl IntoView {
    match body {
        ImageBody::Index { platforms } => {
            view! { <PlatformList registry repository platforms /> }.into_any()
        }
        ImageBody::Image(config) => view! { <ImageConfig config=*config /> }.into_any(),
    }
}

#[component]
fn ImageConfig(config: ImageConfigView) -> impl IntoView {
    let ImageConfigView {
        created,
        platform,
        size_bytes,
        env,
        labels,
        entrypoint,
        cmd,
        working_dir,
        user,
        layers,
    } = config;
    // Rows an image does not set are left out rather than shown empty.
    let text_row = |term: &'static str, value: String| {
        (!value.is_empty()).then(|| view! { <dt>{term}</dt><dd class="mono">{value}</dd> })
    };
    view! {
        <h2>"Config"</h2>
        <dl class="pairs" aria-label="Config">
            <dt>"Platform"</dt><dd>{platform}</dd>
            {created.map(|when| view! { <dt>"Created"</dt><dd><Moment when /></dd> })}
            <dt>"Size"</dt><dd>{format::human_size(size_bytes)}</dd>
            {text_row("Entrypoint", entrypoint.join(" "))}
            {text_row("Cmd", cmd.join(" "))}
            {text_row("Working dir", working_dir.unwrap_or_default())}
            {text_row("User", user.unwrap_or_default())}
            {(!env.is_empty()).then(|| view! {
                <dt>"Env"</dt><dd class="mono">{env.into_iter().map(|e| view! { <div>{e}</div> }).collect_view()}</dd>
            })}
            {(!labels.is_empty()).then(|| view! {
                <dt>"Labels"</dt><dd class="mono">{labels.into_iter().map(|(k, v)| view! { <div>{format!("{k}={v}")}</div> }).collect_view()}</dd>
            })}
        </dl>
        <LayerTable layers />
    }
}

#[component]
fn PlatformList(
    registry: String,
    repository: String,
    platforms: Vec<PlatformItem>,
) -> impl IntoView {
    view! {
        <h2>"Platforms"</h2>
        <table aria-label="Platforms">
            <thead><tr><th>"Platform"</th><th>"Digest"</th><th>"Manifest size"</th></tr></thead>
            <tbody>
                {platforms.into_iter().map(|p| view! {
                    <tr>
                        <td><a href=routes::digest(&registry, &repository, &p.digest)>{p.platform}</a></td>
                        <td class="mono">{p.digest}</td>
                        <td>{format::human_size(p.size_bytes)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn LayerTable(layers: Vec<LayerItem>) -> impl IntoView {
    view! {
        <h2>"Layers"</h2>
        <table aria-label="Layers">
            <thead><tr><th>"#"</th><th>"Size"</th><th>"Made by"</th><th>"Digest"</th><th>"Also in"</th></tr></thead>
            <tbody>
                {layers.into_iter().enumerate().map(|(i, layer)| view! {
                    <tr>
                        <td>{i + 1}</td>
                        <td class="nowrap">{format::human_size(layer.size_bytes)}</td>
                        <td class="mono">{layer.created_by.unwrap_or_default()}</td>
                        <td class="mono nowrap" title=layer.media_type>
                            <a href=routes::search(&format!("layer:{}", layer.digest), None)
                                title=format!("Images built on {}", layer.digest)>
                                {format::short_digest(&layer.digest)}
                            </a>
                        </td>
                        <td class="muted"><SharedWith repositories=layer.shared_with /></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A few repositories by name; a base layer shared by dozens shows a count that expands.
#[component]
fn SharedWith(repositories: Vec<String>) -> impl IntoView {
    if repositories.len() <= SHARED_SHOWN + 1 {
        return repositories.join(", ").into_any();
    }
    let rest = repositories[SHARED_SHOWN..].join(", ");
    let more = format!("and {} more", repositories.len() - SHARED_SHOWN);
    view! {
        {repositories[..SHARED_SHOWN].join(", ")}
        <details class="more"><summary>{more}</summary>{rest}</details>
    }
    .into_any()
}
