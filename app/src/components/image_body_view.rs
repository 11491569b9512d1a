use crate::dto::{ImageBody, ImageConfigView, LayerItem, PlatformItem};
use leptos::prelude::*;

/// The platforms of an index, or an image's config and layers (a dive-like view: each layer
/// with the build step that made it and the other repositories that share it).
#[component]
pub fn ImageBodyView(registry: String, repository: String, body: ImageBody) -> impl IntoView {
    match body {
        ImageBody::Index { platforms } => {
            view! { <PlatformList registry repository platforms /> }.into_any()
        }
        ImageBody::Image(config) => {
            let ImageConfigView {
                created,
                platform,
                size,
                env,
                labels,
                entrypoint,
                cmd,
                working_dir,
                user,
                layers,
            } = *config;
            view! {
            <h2>"Config"</h2>
            <dl class="pairs" aria-label="Config">
                <dt>"Platform"</dt><dd>{platform}</dd>
                <dt>"Created"</dt><dd>{created.unwrap_or_default()}</dd>
                <dt>"Size"</dt><dd>{size}</dd>
                <dt>"Entrypoint"</dt><dd class="mono">{entrypoint}</dd>
                <dt>"Cmd"</dt><dd class="mono">{cmd}</dd>
                <dt>"Working dir"</dt><dd class="mono">{working_dir.unwrap_or_default()}</dd>
                <dt>"User"</dt><dd class="mono">{user.unwrap_or_default()}</dd>
                <dt>"Env"</dt><dd class="mono">{env.into_iter().map(|e| view! { <div>{e}</div> }).collect_view()}</dd>
                <dt>"Labels"</dt><dd class="mono">{labels.into_iter().map(|(k, v)| view! { <div>{format!("{k}={v}")}</div> }).collect_view()}</dd>
            </dl>
            <LayerTable layers />
        }.into_any()
        }
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
                        <td><a href=format!("/i/{registry}/{repository}@{}", p.digest)>{p.platform}</a></td>
                        <td class="mono">{p.digest}</td>
                        <td>{p.size}</td>
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
                        <td class="nowrap">{layer.size}</td>
                        <td class="mono">{layer.created_by.unwrap_or_default()}</td>
                        <td class="mono" title=layer.media_type>
                            <a href=super::search_href(&format!("layer:{}", layer.digest), None)
                                title="Images built on this layer">
                                {layer.digest.chars().take(19).collect::<String>()}
                            </a>
                        </td>
                        <td class="muted">{layer.shared_with.join(", ")}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
