//! Single sign-on against a real OpenID provider (panva/oidc-provider, run with node): the
//! first login creates the user with the role their group maps to; a registry grant comes from
//! another group; a changed group changes the role at the next login; a tampered state and a
//! code from another login (another nonce and PKCE verifier) are refused and audited; a local
//! user's name cannot be taken over; with password login off, the form is gone and a password
//! post is refused.

use end2end::oidc_provider::OidcProvider;
use end2end::settings::{OidcMap, Registry};
use end2end::{AppFixture, SettingsFile};
use reqwest::{redirect, Client, Url};
use serde_json::{json, Value};

fn accounts(bob_groups: &[&str]) -> Value {
    json!({
        "alice": {"password": "alice-at-idp", "email": "alice@example.test", "groups": ["platform-admins"]},
        "bob": {"password": "bob-at-idp", "email": "bob@example.test", "groups": bob_groups},
        "carol": {"password": "carol-at-idp", "groups": ["platform-admins"]},
    })
}

/// A provider and an app that uses it; `local_login` false turns the password form off.
async fn app_with_provider(local_login: bool) -> (OidcProvider, AppFixture) {
    let map = |group: &str, role: &str, place: Option<&str>| OidcMap {
        group: group.into(),
        role: role.into(),
        place: place.map(str::to_string),
    };
    let settings = SettingsFile::new().registry(Registry::unreachable("a"));
    let mappings = vec![
        map("platform-admins", "admin", None),
        map("team-a", "developer", Some("registry:a")),
    ];
    end2end::oidc_provider::app_with_provider(
        settings,
        accounts(&["team-a"]),
        local_login,
        mappings,
    )
    .await
    .unwrap()
}

/// A browser-like client that stops before Regatta's callback (to look at, or tamper with,
/// what the provider sends back).
fn stopping_at_callback() -> Client {
    let policy = redirect::Policy::custom(|attempt| {
        if attempt.url().path() == "/auth/oidc/callback" {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    Client::builder()
        .cookie_store(true)
        .redirect(policy)
        .build()
        .unwrap()
}

/// Starts a login at Regatta and signs in at the provider; returns the last response (the
/// provider's redirect to the callback when `client` stops there).
async fn sign_in(
    client: &Client,
    app: &AppFixture,
    provider: &OidcProvider,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let form = client
        .get(app.url.join("/auth/oidc/start?next=/settings").unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        form.url().as_str().starts_with(&provider.issuer),
        "at the provider: {}",
        form.url()
    );
    let html = form.text().await.unwrap();
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the provider's login form");
    let target = Url::parse(&provider.issuer).unwrap().join(action).unwrap();
    client
        .post(target)
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// Signs in through the provider; the client is then logged in at Regatta.
async fn sso_client(
    app: &AppFixture,
    provider: &OidcProvider,
    login: &str,
    password: &str,
) -> Client {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let landed = sign_in(&client, app, provider, login, password).await;
    assert_eq!(
        landed.url().path(),
        "/settings",
        "back at Regatta, logged in: {}",
        landed.url()
    );
    client
}

async fn page_text(client: &Client, app: &AppFixture, path: &str) -> String {
    let response = client
        .get(app.url.join(path).unwrap())
        .send()
        .await
        .unwrap();
    response.text().await.unwrap()
}

async fn who(client: &Client, app: &AppFixture) -> Value {
    let response = client
        .post(app.url.join("/api/whoami").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn audit_rows(admin: &Client, app: &AppFixture, query: &str) -> Vec<Value> {
    let response = admin
        .get(app.url.join(&format!("/audit.json?{query}")).unwrap())
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

#[tokio::test]
async fn first_login_creates_the_user_and_groups_set_role_and_grants_at_every_login() {
    let (provider, app) = app_with_provider(true).await;

    let alice = sso_client(&app, &provider, "alice", "alice-at-idp").await;
    assert_eq!(
        who(&alice, &app).await["role"],
        "admin",
        "platform-admins → admin"
    );

    let bob = sso_client(&app, &provider, "bob", "bob-at-idp").await;
    assert_eq!(who(&bob, &app).await["role"], "none");
    let settings = bob
        .get(app.url.join("/settings").unwrap())
        .send()
        .await
        .unwrap();
    let page = settings.text().await.unwrap();
    assert!(
        page.contains("grant on registry:a"),
        "team-a → developer in registry a"
    );

    // At the provider, bob moves to the platform team: the next login says so.
    provider
        .set_accounts(accounts(&["platform-admins"]))
        .unwrap();
    let bob = sso_client(&app, &provider, "bob", "bob-at-idp").await;
    assert_eq!(who(&bob, &app).await["role"], "admin");
    let page = page_text(&bob, &app, "/settings").await;
    assert!(
        !page.contains("grant on registry:a"),
        "the group's grant went with the group"
    );

    let admin = app.as_admin().await;
    let users = page_text(&admin, &app, "/admin/users").await;
    assert!(
        users.contains("bob") && users.contains(">sso<"),
        "listed with source sso"
    );
    let roles = audit_rows(&admin, &app, "action=user.role&target=bob").await;
    assert_eq!(roles.len(), 1, "{roles:?}");
    assert!(roles[0]["detail"]
        .as_str()
        .unwrap()
        .contains("role admin from groups: platform-admins"));
    let logins = audit_rows(&admin, &app, "action=login.success&user=bob").await;
    assert_eq!(logins.len(), 2);

    // A password does not log an SSO user in, and logging out ends the Regatta session.
    assert!(app.logged_in("bob", "bob-at-idp").await.is_err());
    bob.post(app.url.join("/api/logout").unwrap())
        .send()
        .await
        .unwrap();
    let after = bob
        .post(app.url.join("/api/whoami").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn a_tampered_state_or_another_logins_code_is_refused_and_audited() {
    let (provider, app) = app_with_provider(true).await;

    let browser = stopping_at_callback();
    let answer = sign_in(&browser, &app, &provider, "alice", "alice-at-idp").await;
    let callback = Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(callback.path(), "/auth/oidc/callback");
    let mut tampered = callback.clone();
    let pairs: Vec<(String, String)> = callback
        .query_pairs()
        .map(|(k, v)| {
            let value = match k == "state" {
                true => format!("{v}x"),
                false => v.into_owned(),
            };
            (k.into_owned(), value)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(&pairs);
    let refused = browser.get(tampered).send().await.unwrap();
    assert!(
        refused.url().as_str().ends_with("/login?failed=sso"),
        "{}",
        refused.url()
    );
    let untouched = browser.get(callback.clone()).send().await.unwrap();
    assert!(
        untouched.url().as_str().ends_with("/login?failed=sso"),
        "the pending login was used up by the refused answer"
    );
    assert_eq!(
        browser
            .post(app.url.join("/api/whoami").unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    // Two logins under way; the second browser is handed the first login's code with its own
    // state: the code was issued for another nonce and PKCE challenge.
    let first = stopping_at_callback();
    let first_answer = sign_in(&first, &app, &provider, "alice", "alice-at-idp").await;
    let first_callback = Url::parse(first_answer.headers()["location"].to_str().unwrap()).unwrap();
    let second = stopping_at_callback();
    let second_answer = sign_in(&second, &app, &provider, "alice", "alice-at-idp").await;
    let second_callback =
        Url::parse(second_answer.headers()["location"].to_str().unwrap()).unwrap();
    let code_of = |url: &Url| {
        url.query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned()
    };
    let state_of = |url: &Url| {
        url.query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned()
    };
    let mut swapped = second_callback.clone();
    swapped
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code_of(&first_callback))
        .append_pair("state", &state_of(&second_callback));
    let refused = second.get(swapped).send().await.unwrap();
    assert!(
        refused.url().as_str().ends_with("/login?failed=sso"),
        "{}",
        refused.url()
    );
    assert_eq!(
        second
            .post(app.url.join("/api/whoami").unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let admin = app.as_admin().await;
    let failures = audit_rows(&admin, &app, "action=login.failure").await;
    let details: Vec<&str> = failures
        .iter()
        .filter_map(|r| r["detail"].as_str())
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("state is not the one this session sent")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.contains("no single sign-on was started")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.contains("the provider refused the code")),
        "{details:?}"
    );
    let successes = audit_rows(&admin, &app, "action=login.success").await;
    assert!(
        successes.iter().all(|r| r["actor"] != "alice"),
        "{successes:?}"
    );
}

#[tokio::test]
async fn a_local_name_is_not_taken_over_and_password_login_can_be_off() {
    let (provider, app) = app_with_provider(false).await;
    app.add_user("carol", "viewer", "carol-local-pass-9")
        .unwrap();
    let client = Client::builder().cookie_store(true).build().unwrap();
    let landed = sign_in(&client, &app, &provider, "carol", "carol-at-idp").await;
    assert!(
        landed.url().as_str().ends_with("/login?failed=sso"),
        "{}",
        landed.url()
    );
    // The admins log in through the provider too now.
    let alice = sso_client(&app, &provider, "alice", "alice-at-idp").await;
    let failures = audit_rows(&alice, &app, "action=login.failure").await;
    assert!(failures.iter().any(|r| r["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("already exists")));

    let login_page = page_text(&client, &app, "/login").await;
    assert!(login_page.contains("Log in with single sign-on"));
    assert!(
        !login_page.contains("name=\"password\""),
        "no password form"
    );
    let refused = Client::new()
        .post(app.url.join("/api/login").unwrap())
        .form(&[("username", "carol"), ("password", "carol-local-pass-9")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}
