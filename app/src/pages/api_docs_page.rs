use crate::components::HeaderBar;
use crate::dto::{ApiDocs, ApiOperationDoc};
use leptos::prelude::*;

/// `/api-docs`: the JSON API, operation by operation (from the OpenAPI document the server
/// generates; no assets from elsewhere), with how to authenticate.
#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let docs = api_docs();
    let mut tags: Vec<String> = docs.operations.iter().map(|o| o.tag.clone()).collect();
    tags.dedup();
    let sections = tags.into_iter().map(|tag| {
        let operations: Vec<ApiOperationDoc> = (docs.operations.iter())
            .filter(|o| o.tag == tag)
            .cloned()
            .collect();
        view! {
            <h2>{tag}</h2>
            {operations.into_iter().map(|op| view! { <Operation op /> }).collect_view()}
        }
    });
    view! {
        <HeaderBar />
        <main>
            <h1 class="page-title">"API"</h1>
            <p>
                "JSON under " <code class="mono">"/api/v1"</code> ". Authenticate with a personal access token from "
                <a href="/settings">"your settings"</a> ": " <code class="mono">"Authorization: Bearer rgt_…"</code>
                " (scopes read, write, admin; never more than you may). Errors: "
                <code class="mono">"{\"error\": {\"code\", \"message\"}}"</code> ". The OpenAPI 3.1 document: "
                <a href="/api/v1/openapi.json">"/api/v1/openapi.json"</a> "."
            </p>
            <pre class="mono">"curl -H \"Authorization: Bearer $REGATTA_TOKEN\" https://regatta.example.com/api/v1/registries"</pre>
            {sections.collect_view()}
        </main>
    }
}

#[component]
fn Operation(op: ApiOperationDoc) -> impl IntoView {
    let parameters = (!op.parameters.is_empty()).then(|| {
        let rows = op
            .parameters
            .into_iter()
            .map(|(name, place, required, description)| {
                view! {
                    <tr>
                        <td class="mono">{name}</td>
                        <td>{place}</td>
                        <td>{if required { "required" } else { "" }}</td>
                        <td>{description}</td>
                    </tr>
                }
            });
        view! { <table class="history"><tbody>{rows.collect_view()}</tbody></table> }
    });
    let title = format!("{} {}", op.method, op.path);
    let label = title.clone();
    view! {
        <section class="card api-operation" aria-label=label>
            <h3 class="mono">{title}</h3>
            <p>{op.summary}</p>
            {op.has_body.then(|| view! { <p class="muted">"Takes a JSON body (see the OpenAPI document)."</p> })}
            {parameters}
        </section>
    }
}

#[cfg(feature = "ssr")]
fn api_docs() -> ApiDocs {
    use_context::<ApiDocs>().unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn api_docs() -> ApiDocs {
    ApiDocs::default()
}
