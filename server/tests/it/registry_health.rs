//! The dashboard's "Check connection" against real registries: anonymous, Basic auth, TLS with
//! a private CA, wrong credentials, and one that is not running.

use end2end::app_fixture::{AppFixture, AppOptions, ADMIN_PASSWORD, ADMIN_USER};
use end2end::settings::Registry;
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use reqwest::{header, Client};
use serde_json::Value;

async fn logged_in(app: &AppFixture) -> Client {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let response = client
        .post(app.url.join("/api/login").unwrap())
        .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success() || response.status().is_redirection());
    client
}

async fn check(client: &Client, app: &AppFixture, name: &str) -> Value {
    client
        .post(app.url.join("/api/check-registry").unwrap())
        .header(header::ACCEPT, "application/json")
        .form(&[("name", name)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_registry_reports_what_is_wrong_or_that_it_is_fine() {
    let anonymous = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let basic_tls = RegistryFixture::start(RegistryOptions {
        basic_auth: Some(("ci".into(), "ci-password".into())),
        tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let basic = RegistryFixture::start(RegistryOptions {
        basic_auth: Some(("ci".into(), "ci-password".into())),
        ..Default::default()
    })
    .await
    .unwrap();
    let settings = SettingsFile::new()
        .registry(Registry::fixture("anonymous", &anonymous))
        .registry(Registry::fixture("secure", &basic_tls))
        .registry(Registry::new("no-creds", &basic.url))
        .registry(Registry::unreachable("stopped"));
    let options = AppOptions {
        settings,
        ..Default::default()
    };
    let app = crate::support::start_app_with(options).await;
    let client = logged_in(&app).await;

    let fine = check(&client, &app, "anonymous").await;
    assert_eq!(fine["level"], "ok", "{fine}");
    assert!(
        fine["summary"].as_str().unwrap().contains("registry/2.0"),
        "{fine}"
    );
    assert_eq!(check(&client, &app, "secure").await["level"], "ok");

    let no_creds = check(&client, &app, "no-creds").await;
    assert_eq!(no_creds["level"], "warning");
    assert!(
        no_creds["summary"]
            .as_str()
            .unwrap()
            .contains("wants Basic credentials"),
        "{no_creds}"
    );

    let stopped = check(&client, &app, "stopped").await;
    assert_eq!(stopped["level"], "down");
    assert!(
        stopped["summary"]
            .as_str()
            .unwrap()
            .contains("Not reachable (cannot connect"),
        "{stopped}"
    );

    let unknown = check(&client, &app, "nope").await;
    assert_eq!(unknown["message"], "Registry `nope` not found.");
    assert!(
        !app.log().contains("ci-password"),
        "secrets never reach the log"
    );
}
