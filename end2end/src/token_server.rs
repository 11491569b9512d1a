//! A test-only docker token server (the "token authentication" spec): it checks Basic
//! credentials and grants the requested repository actions a user is allowed, in an RS256 JWT
//! whose certificate travels in the `x5c` header. The registry that validates it is real.

use crate::ports::free_port;
use anyhow::{bail, Context};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

pub const SERVICE: &str = "regatta-test-registry";
pub const ISSUER: &str = "regatta-test-token-issuer";

/// Who may log in and which actions (`pull`, `push`, `delete`, `*` for catalog) they get.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub username: String,
    pub password: String,
    pub actions: Vec<String>,
    /// An OAuth2 refresh token (docker's `identitytoken`) accepted for this user at POST /token.
    pub refresh_token: Option<String>,
}

pub struct TokenServer {
    pub realm: String,
    /// The certificate the registry must trust (`rootcertbundle`).
    pub certificate: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

struct Signer {
    key: EncodingKey,
    x5c: String,
    users: Vec<TokenUser>,
}

impl TokenServer {
    pub async fn start(dir: &Path, users: Vec<TokenUser>) -> anyhow::Result<Self> {
        let key = dir.join("token.key");
        let certificate = dir.join("token.pem");
        let status = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=regatta-test-token",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&certificate)
            .output()?;
        if !status.status.success() {
            bail!("openssl: {}", String::from_utf8_lossy(&status.stderr));
        }
        let pem = std::fs::read_to_string(&certificate)?;
        // x5c carries base64 DER, which is the PEM body without its armour.
        let x5c: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let signer = Arc::new(Signer {
            key: EncodingKey::from_rsa_pem(&std::fs::read(&key)?)
                .context("reading the token key")?,
            x5c,
            users,
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", free_port())).await?;
        let realm = format!("http://{}/token", listener.local_addr()?);
        let router = Router::new()
            .route("/token", get(issue_token).post(refresh_grant))
            .with_state(signer);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self {
            realm,
            certificate,
            task,
        })
    }

    /// The registry's `auth:` section for this server.
    pub fn registry_config(&self) -> String {
        format!(
            "auth:\n  token: {{realm: \"{}\", service: {SERVICE}, issuer: {ISSUER}, rootcertbundle: {}}}\n",
            self.realm,
            self.certificate.display()
        )
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Serialize)]
struct Access {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    actions: Vec<String>,
}

#[derive(Serialize)]
struct Claims {
    iss: &'static str,
    sub: String,
    aud: &'static str,
    exp: u64,
    nbf: u64,
    iat: u64,
    jti: String,
    access: Vec<Access>,
}

async fn issue_token(
    State(signer): State<Arc<Signer>>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let user = match basic_user(&headers) {
        None => None,
        Some((name, password)) => match signer
            .users
            .iter()
            .find(|u| u.username == name && u.password == password)
        {
            Some(user) => Some(user),
            None => return (StatusCode::UNAUTHORIZED, "bad credentials").into_response(),
        },
    };
    let scopes: Vec<&str> = query
        .iter()
        .filter(|(key, _)| key == "scope")
        .map(|(_, scope)| scope.as_str())
        .collect();
    match mint(&signer, user, &scopes) {
        Ok(token) => Json(serde_json::json!({"token": token, "expires_in": 300})).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

/// OAuth2 `grant_type=refresh_token` (how docker uses an `identitytoken`); answers `access_token`.
async fn refresh_grant(
    State(signer): State<Arc<Signer>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let user = signer.users.iter().find(|u| {
        u.refresh_token
            .as_deref()
            .is_some_and(|t| Some(t) == field("refresh_token"))
    });
    if field("grant_type") != Some("refresh_token") || user.is_none() {
        return (StatusCode::UNAUTHORIZED, "bad refresh token").into_response();
    }
    let scopes: Vec<&str> = form
        .iter()
        .filter(|(key, _)| key == "scope")
        .map(|(_, scope)| scope.as_str())
        .collect();
    match mint(&signer, user, &scopes) {
        Ok(token) => {
            Json(serde_json::json!({"access_token": token, "expires_in": 300})).into_response()
        }
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

fn mint(
    signer: &Signer,
    user: Option<&TokenUser>,
    scopes: &[&str],
) -> jsonwebtoken::errors::Result<String> {
    let access = scopes
        .iter()
        .flat_map(|scope| scope.split(' '))
        .filter_map(|scope| grant(scope, user))
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = Claims {
        iss: ISSUER,
        sub: user.map(|u| u.username.clone()).unwrap_or_default(),
        aud: SERVICE,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: format!("{now}-{}", rand_suffix()),
        access,
    };
    let mut header = Header::new(Algorithm::RS256);
    header.x5c = Some(vec![signer.x5c.clone()]);
    jsonwebtoken::encode(&header, &claims, &signer.key)
}

/// `repository:dev/app:pull,push` → the requested actions this user is allowed.
fn grant(scope: &str, user: Option<&TokenUser>) -> Option<Access> {
    let mut parts = scope.splitn(3, ':');
    let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
    let allowed = user.map(|u| u.actions.as_slice()).unwrap_or_default();
    let actions = actions
        .split(',')
        .filter(|a| allowed.iter().any(|x| x == a))
        .map(str::to_string)
        .collect();
    Some(Access {
        kind: kind.into(),
        name: name.into(),
        actions,
    })
}

fn basic_user(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()?;
    let (user, password) = String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(u, p)| (u.to_string(), p.to_string()))?;
    Some((user, password))
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    hasher.finish()
}
