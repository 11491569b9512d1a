use crate::api::image_details;
use crate::components::{Crumbs, HeaderBar, ImageBodyView, PromotePanel};
use crate::dto::ImageView;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// Splits `dev/app:1.0` or `dev/app@sha256:…` into repository and reference.
fn split_image(image: &str) -> (String, String) {
    if let Some((repo, digest)) = image.split_once('@') {
        return (repo.to_string(), digest.to_string());
    }
    match image.rsplit_once(':') {
        Some((repo, tag)) => (repo.to_string(), tag.to_string()),
        None => (image.to_string(), "latest".to_string()),
    }
}

/// One tag or digest: `/i/<registry>/<repository>:<tag>` or `…@<digest>`.
#[component]
pub fn ImagePage() -> impl IntoView {
    let params = use_params_map();
    let registry = move || params.read().get("registry").unwrap_or_default();
    let image = move || split_image(&params.read().get("image").unwrap_or_default());
    let details = Resource::new(
        move || (registry(), image()),
        |(registry, (repo, reference))| image_details(registry, repo, reference),
    );
    view! {
        <HeaderBar />
        <main>
            {move || {
                let (repository, reference) = image();
                view! { <Crumbs registry=registry() path=repository reference=reference /> }
            }}
            <Suspense fallback=|| view! { <p class="loading">"Fetching from the registry…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(view) => view! { <ImageSummary view /> }.into_any(),
                        Err(error) => view! { <div class="panel down" role="alert"><p>{error.message}</p></div> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ImageSummary(view: ImageView) -> impl IntoView {
    let ImageView {
        registry,
        repository,
        reference,
        digest,
        media_type,
        body,
        annotations,
        referrers,
    } = view;
    // Promotion copies a tag and deletion deletes one; a page opened by digest has none.
    let is_tag = !reference.starts_with("sha256:");
    let delete = is_tag.then(|| {
        let href = crate::routes::delete_tag(&registry, &repository, &reference);
        view! { <p><a class="danger-link" href=href>"Delete this tag…"</a></p> }
    });
    let promote = is_tag.then(|| {
        view! {
            <PromotePanel registry=registry.clone() repository=repository.clone() tag=reference digest=digest.clone() />
        }
    });
    view! {
        <h1 class="mono">{repository.clone()}</h1>
        <p class="mono muted" aria-label="Digest">{digest}</p>
        <p class="muted">{media_type}</p>
        {promote}
        {delete}
        <ImageBodyView registry repository body />
        {(!annotations.is_empty()).then(|| view! {
            <h2>"Annotations"</h2>
            <dl class="pairs">{annotations.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}</dl>
        })}
        <h2>"Referrers"</h2>
        {if referrers.is_empty() {
            view! { <p class="muted">"No signatures, SBOMs or attestations refer to this manifest."</p> }.into_any()
        } else {
            view! {
                <ul class="referrers" aria-label="Referrers">
                    {referrers.into_iter().map(|(kind, digest)| view! { <li><span>{kind}</span> " " <span class="mono muted">{digest}</span></li> }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn image_paths_split_into_repository_and_reference() {
        assert_eq!(split_image("dev/app:1.0"), ("dev/app".into(), "1.0".into()));
        assert_eq!(
            split_image("dev/app@sha256:ab"),
            ("dev/app".into(), "sha256:ab".into())
        );
        assert_eq!(split_image("dev/app"), ("dev/app".into(), "latest".into()));
    }
}
