//! The JSON API with tokens, against the seeded registry: a read token lists registries, tags
//! and search hits but gets 403 on promote; a developer's write token promotes into staging
//! and not into prod; a token never does more than its owner (an admin-scope token for a
//! developer cannot be made, a read token cannot make a write one); expired and revoked tokens
//! get 401; errors have one shape. The OpenAPI document parses as OpenAPI 3.1, every
//! operation in it is served, and the dashboard's API page lists each.

use crate::support::open_database;
use end2end::app_fixture::{seeded_app_with_pipeline, AppFixture};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn token(app: &AppFixture, user: &str, scope: &str, expires: &str) -> String {
    let args = [
        "token",
        "create",
        "ci",
        "--user",
        user,
        "--scope",
        scope,
        "--expires",
        expires,
    ];
    app.command(&args, "").unwrap().trim().to_string()
}

async fn call(
    app: &AppFixture,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Client::new()
        .request(method, app.url.join(&format!("/api/v1{path}")).unwrap())
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn until_indexed(app: &AppFixture, token: &str) {
    let started = Instant::now();
    loop {
        let (_, registries) = call(app, token, Method::GET, "/registries", None).await;
        if registries[0]["tags"] == 11 {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{registries}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn promotion(repository: &str, tag: &str, to: &str) -> Value {
    json!({"registry": "local", "repository": repository, "tag": tag, "to_environment": to})
}

#[tokio::test]
async fn tokens_read_and_write_within_their_scope_and_their_owners_role() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    app.add_user("dana", "developer", "dana-api-pass-7")
        .unwrap();
    let read = token(&app, "dana", "read", "30d");
    assert!(read.starts_with("rgt_") && read.len() == 68, "{read}");
    until_indexed(&app, &read).await;

    let (status, tags) = call(
        &app,
        &read,
        Method::GET,
        "/registries/local/tags?repository=dev/shop-api",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags["total"], 4, "{tags}");
    assert!(names.contains(&"1.2.0") && names.contains(&"latest"));
    let (status, hits) = call(&app, &read, Method::GET, "/search?q=toolbox", None).await;
    assert_eq!(status, 200);
    assert_eq!(hits["hits"].as_array().unwrap().len(), 2, "{hits}");
    let (status, repos) = call(
        &app,
        &read,
        Method::GET,
        "/registries/local/repositories?namespace=dev",
        None,
    )
    .await;
    assert_eq!((status, repos["total"].clone()), (StatusCode::OK, json!(3)));

    let (status, error) = call(
        &app,
        &read,
        Method::POST,
        "/promotions",
        Some(promotion("dev/shop-api", "1.2.0", "staging")),
    )
    .await;
    assert_eq!(status, 403, "a read token does not write: {error}");
    assert_eq!(error["error"]["code"], "forbidden");

    let write = token(&app, "dana", "write", "30d");
    let (status, done) = call(
        &app,
        &write,
        Method::POST,
        "/promotions",
        Some(promotion("dev/shop-api", "1.2.0", "staging")),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["plan"]["target"], "local/staging/shop-api:1.2.0");
    assert_eq!(done["bytes_moved"], 0, "mounted within the registry");
    let (status, error) = call(
        &app,
        &write,
        Method::POST,
        "/promotions",
        Some(promotion("staging/shop-api", "1.2.0", "prod")),
    )
    .await;
    assert_eq!(
        status, 403,
        "dana is a developer: not into protected prod: {error}"
    );
    let (_, history) = call(&app, &read, Method::GET, "/promotions", None).await;
    assert_eq!(history[0]["actor"], "dana");
    assert_eq!(history[0]["status"], "succeeded");

    // Never more than the owner: no admin token for a developer; a read token makes no write one.
    let refused = app
        .command(
            &["token", "create", "x", "--user", "dana", "--scope", "admin"],
            "",
        )
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("would do more than `dana` may"),
        "{refused}"
    );
    let (status, _) = call(
        &app,
        &read,
        Method::POST,
        "/tokens",
        Some(json!({"name": "more", "scope": "write"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, &read, Method::GET, "/users", None).await;
    assert_eq!(status, 403, "users are for admin tokens");
    let (status, _) = call(&app, &write, Method::GET, "/audit", None).await;
    assert_eq!(status, 403, "dana is no maintainer");

    // Revoked and expired tokens, and no token at all, get 401 in the one error shape.
    let (status, listed) = call(&app, &write, Method::GET, "/tokens", None).await;
    assert_eq!(status, 200);
    let read_id = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["scope"] == "read")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.command(&["token", "revoke", &read_id.to_string()], "")
        .unwrap();
    let (status, error) = call(&app, &read, Method::GET, "/registries", None).await;
    assert_eq!(status, 401);
    assert_eq!(error["error"]["code"], "unauthenticated");
    let short = token(&app, "dana", "read", "1d");
    let db = open_database(&app.database).await;
    // A day passes (the only write behind the domain's back: time).
    regatta_core::db::query("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE name = 'ci' AND revoked_at IS NULL AND scope = 'read'")
        .execute(&db)
        .await
        .unwrap();
    let (status, _) = call(&app, &short, Method::GET, "/registries", None).await;
    assert_eq!(status, 401, "expired");
    let (status, _) = call(&app, "", Method::GET, "/registries", None).await;
    assert_eq!(status, 401);
    let (status, error) = call(&app, &write, Method::GET, "/nothing-here", None).await;
    assert_eq!(
        (status, error["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );

    let admin = app.as_admin().await;
    let audit = admin
        .get(app.url.join("/audit.json?action=token").unwrap())
        .send()
        .await
        .unwrap();
    let rows: Vec<Value> = audit.json().await.unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    for expected in ["token.create", "token.revoke", "token.use", "token.refused"] {
        assert!(actions.contains(&expected), "{expected}: {actions:?}");
    }
}

/// A documented path with its placeholders filled (ids that exist nowhere).
fn concrete(path: &str) -> String {
    path.replace("{registry}", "local")
        .replace("{id}", "999")
        .replace("{name}", "x")
        .replace("{username}", "nobody")
        .replace("{place}", "registry:local")
}

#[tokio::test]
async fn the_openapi_document_is_valid_and_every_operation_in_it_is_served() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let text = Client::new()
        .get(app.url.join("/api/v1/openapi.json").unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let spec = oas3::from_json(&text).expect("an OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let mut operations = 0;
    for (path, method, operation) in spec.operations() {
        operations += 1;
        operation.parameters(&spec).expect("parameters resolve");
        assert!(!operation.responses(&spec).is_empty(), "{method} {path}");
        // Without a token every route answers 401 (a missing one would be the 404 fallback).
        let concrete = concrete(&path);
        let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let response = Client::new()
            .request(
                method.clone(),
                app.url.join(&format!("/api/v1{concrete}")).unwrap(),
            )
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{method} {path} is served");
    }
    assert_eq!(operations, 33, "every API operation is documented");

    // With an admin token and an empty body, every operation answers without a server error,
    // and every refusal in the one error shape.
    let admin_token = token(&app, "admin", "admin", "1d");
    for (path, method, _) in spec.operations() {
        let method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
        let (status, body) = call(
            &app,
            &admin_token,
            method.clone(),
            &concrete(&path),
            Some(json!({})),
        )
        .await;
        assert!(status.as_u16() < 500, "{method} {path}: {status} {body}");
        if status.as_u16() >= 400 {
            assert!(
                body["error"]["code"].is_string(),
                "{method} {path}: {status} {body}"
            );
        }
    }

    // The dashboard's API page lists the same operations, from the same document.
    let page = app
        .as_admin()
        .await
        .get(app.url.join("/api-docs").unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("card api-operation").count(),
        operations,
        "one card each"
    );
    assert!(page.contains("POST /api/v1/promotions") && page.contains("/api/v1/openapi.json"));
}

/// The settings page makes a token (shown once, through the session), lists it without the
/// secret, and revokes it; the API takes it until then.
#[tokio::test]
async fn a_token_made_on_the_settings_page_is_shown_once_and_revoked_there() {
    let app = crate::support::start_app().await;
    app.add_user("vera", "viewer", "vera-settings-pass-7")
        .unwrap();
    let vera = app.logged_in("vera", "vera-settings-pass-7").await.unwrap();
    let made = vera
        .post(app.url.join("/api/token-create").unwrap())
        .header("Accept", "text/html")
        .form(&[
            ("name", "laptop-script"),
            ("scope", "read"),
            ("expires_in_days", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        made.url().as_str().ends_with("/settings?changed=token"),
        "{}",
        made.url()
    );
    let page = made.text().await.unwrap();
    let token = page
        .split("rgt_")
        .nth(1)
        .map(|rest| format!("rgt_{}", &rest[..64]))
        .expect("the new token on the page");
    let again = vera
        .get(app.url.join("/settings").unwrap())
        .send()
        .await
        .unwrap();
    let again = again.text().await.unwrap();
    assert!(
        !again.contains(&token) && again.contains("laptop-script"),
        "shown once, listed"
    );

    let (status, _) = call(&app, &token, Method::GET, "/registries", None).await;
    assert_eq!(status, 200);
    let id = again
        .split("name=\"id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let revoked = vera
        .post(app.url.join("/api/token-revoke").unwrap())
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let (status, _) = call(&app, &token, Method::GET, "/registries", None).await;
    assert_eq!(status, 401);
}

/// Deletion through the API: the preview names what goes and what a sibling keeps, the run
/// with the preview's fingerprint deletes exactly that, the trash lists it and restores it.
#[tokio::test]
async fn a_write_token_deletes_exactly_the_preview_and_restores_from_the_trash() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    app.add_user("dana", "developer", "dana-api-pass-7")
        .unwrap();
    let write = token(&app, "dana", "write", "30d");
    until_indexed(&app, &write).await;
    let body = json!({"registry": "local", "repository": "dev/shop-api", "tags": ["latest"]});
    let (status, preview) = call(
        &app,
        &write,
        Method::POST,
        "/deletions/preview",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        preview["tags"][0]["siblings_kept"],
        json!(["1.2.0"]),
        "{preview}"
    );
    assert_eq!(preview["tags"][0]["image_goes"], false);
    let mut run = body.clone();
    run["expected"] = preview["fingerprint"].clone();
    let (status, done) = call(&app, &write, Method::POST, "/deletions", Some(run)).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["outcomes"][0]["result"], "deleted");
    let trash_id = done["outcomes"][0]["trash_id"].as_i64().unwrap();
    let (_, trash) = call(&app, &write, Method::GET, "/trash", None).await;
    assert_eq!(trash[0]["tag"], "latest");
    let (status, restored) = call(
        &app,
        &write,
        Method::POST,
        &format!("/trash/{trash_id}/restore"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{restored}");
    let (_, tags) = call(
        &app,
        &write,
        Method::GET,
        "/registries/local/tags?repository=dev/shop-api",
        None,
    )
    .await;
    assert_eq!(tags["total"], 4, "latest is back");
    let (status, _) = call(&app, &write, Method::GET, "/gc/local/prediction", None).await;
    assert_eq!(status, 403, "GC is for maintainers of the registry");
    let (status, storage) = call(&app, &write, Method::GET, "/storage?by=environment", None).await;
    assert_eq!(status, 200);
    assert_eq!(storage[0]["registry"], "local", "{storage}");
}

/// Users through the API (an admin token): add one (the password comes back once and logs in),
/// grant and revoke a place, change the role, disable; a write token may do none of it.
#[tokio::test]
async fn an_admin_token_manages_users_and_grants() {
    let (_registry, app) = seeded_app_with_pipeline().await;
    let admin = token(&app, "admin", "admin", "1d");
    let (status, created) = call(
        &app,
        &admin,
        Method::POST,
        "/users",
        Some(json!({"username": "nia", "role": "none"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let password = created["password"].as_str().unwrap().to_string();
    assert!(
        app.logged_in("nia", &password).await.is_ok(),
        "the one-time password works"
    );
    let grant = json!({"place": "environment:staging", "role": "maintainer"});
    let (status, _) = call(&app, &admin, Method::POST, "/users/nia/grants", Some(grant)).await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &app,
        &admin,
        Method::PATCH,
        "/users/nia",
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, users) = call(&app, &admin, Method::GET, "/users", None).await;
    let nia = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "nia")
        .unwrap()
        .clone();
    assert_eq!(nia["role"], "viewer");
    assert_eq!(nia["grants"], json!(["maintainer in environment:staging"]));
    let (status, _) = call(
        &app,
        &admin,
        Method::DELETE,
        "/users/nia/grants/environment:staging",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &app,
        &admin,
        Method::PATCH,
        "/users/nia",
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 204);
    assert!(app.logged_in("nia", &password).await.is_err(), "disabled");
    let (status, error) = call(
        &app,
        &admin,
        Method::PATCH,
        "/users/nobody",
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (status, error["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );

    app.add_user("dana", "developer", "dana-api-pass-7")
        .unwrap();
    let write = token(&app, "dana", "write", "1d");
    let (status, _) = call(
        &app,
        &write,
        Method::POST,
        "/users",
        Some(json!({"username": "x", "role": "admin"})),
    )
    .await;
    assert_eq!(status, 403);
}
