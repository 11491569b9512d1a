//! The JSON API under `/api/v1`: stable names, bearer tokens, one error shape, documented by
//! an OpenAPI 3.1 document generated from these handlers (`/api/v1/openapi.json`). Each
//! handler is a domain call and a mapping to the API's own types — no rules of its own, and
//! no UI types (the pages' DTOs may change; these may not).

mod admin;
mod auth;
mod browse;
mod deletion;
mod error;
mod gc;
mod images;
mod promotions;
mod retention;
mod storage;

use axum::routing::get;
use axum::{Json, Router};
use regatta_core::Services;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use admin::AuditQuery;

pub const PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Regatta API",
        description = "Browse, search, promote, delete and restore, run retention and garbage collection, read storage and the audit log across container registries. Authenticate with a personal access token: `Authorization: Bearer rgt_…` (scopes read, write, admin; never more than the token's owner may). Errors: `{\"error\": {\"code\", \"message\"}}`."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route with its OpenAPI description, built together so neither can miss one.
fn documented() -> OpenApiRouter<Services> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(browse::registries))
        .routes(routes!(browse::health))
        .routes(routes!(browse::repositories))
        .routes(routes!(browse::tags))
        .routes(routes!(browse::search))
        .routes(routes!(images::image))
        .routes(routes!(promotions::preview))
        .routes(routes!(promotions::promote, promotions::history))
        .routes(routes!(promotions::running))
        .routes(routes!(deletion::preview))
        .routes(routes!(deletion::delete))
        .routes(routes!(deletion::trash))
        .routes(routes!(deletion::restore))
        .routes(routes!(retention::policies))
        .routes(routes!(retention::preview))
        .routes(routes!(retention::run))
        .routes(routes!(retention::history))
        .routes(routes!(gc::prediction))
        .routes(routes!(gc::run, gc::history))
        .routes(routes!(storage::accounting))
        .routes(routes!(storage::series))
        .routes(routes!(admin::audit))
        .routes(routes!(admin::users, admin::user_add))
        .routes(routes!(admin::user_change))
        .routes(routes!(admin::user_grant))
        .routes(routes!(admin::user_revoke))
        .routes(routes!(admin::token_list, admin::token_create))
        .routes(routes!(admin::token_revoke))
        .routes(routes!(admin::replicas))
}

/// `/api/v1/…`, nested by the caller under [`PREFIX`], and the operations for the dashboard's
/// API page — both from one build of the document.
pub fn router<S: Clone + Send + Sync + 'static>(
    services: Services,
) -> (Router<S>, app::dto::ApiDocs) {
    let (api, document) = documented().split_for_parts();
    let docs = docs(&document);
    let document = Json(document);
    let router = api
        .route(
            "/openapi.json",
            get(move || async move { document.clone() }),
        )
        .fallback(|| async {
            error::ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "No such API route; see /api/v1/openapi.json.",
            )
        })
        .with_state(services);
    (router, docs)
}

/// The operations for the dashboard's API page.
fn docs(document: &utoipa::openapi::OpenApi) -> app::dto::ApiDocs {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::Required;
    let mut operations = Vec::new();
    for (path, item) in &document.paths.paths {
        let methods: [(&str, &Option<Operation>); 5] = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in methods {
            let Some(operation) = operation else { continue };
            let parameters = (operation.parameters.iter().flatten())
                .map(|p| {
                    let place = match p.parameter_in {
                        ParameterIn::Path => "path",
                        ParameterIn::Query => "query",
                        ParameterIn::Header => "header",
                        ParameterIn::Cookie => "cookie",
                    };
                    let required = matches!(p.required, Required::True);
                    let description = p.description.clone().unwrap_or_default();
                    (p.name.clone(), place.to_string(), required, description)
                })
                .collect();
            operations.push(app::dto::ApiOperationDoc {
                tag: (operation.tags.iter().flatten().next().cloned()).unwrap_or_default(),
                method: method.into(),
                path: format!("{PREFIX}{path}"),
                summary: [&operation.summary, &operation.description]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
                parameters,
                has_body: operation.request_body.is_some(),
            });
        }
    }
    operations.sort_by(|a, b| (&a.tag, &a.path).cmp(&(&b.tag, &b.path)));
    app::dto::ApiDocs { operations }
}
