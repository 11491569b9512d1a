//! `[oidc]`: single sign-on with an OpenID provider (Keycloak, Entra ID, Okta, Dex, Google…).
//! Users log in at the provider; Regatta creates them at their first login and sets their
//! global role and grants from their groups at every login.

use crate::users::{Place, Role};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL; its `/.well-known/openid-configuration` is read at login.
    pub issuer: url::Url,
    pub client_id: String,
    /// The environment variable holding the client secret (never the secret itself here).
    pub client_secret_env: String,
    /// Asked of the provider; `openid` is always asked.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim that names the user in Regatta (lower-cased; a-z, 0-9, `.`, `_`, `-`).
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The claim listing the user's groups (the ID token's or the userinfo endpoint's).
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// The global role of a user in no mapped group (`none`: nothing until a group maps).
    #[serde(default = "default_role")]
    pub default_role: Role,
    /// `false` turns the password form off: everyone logs in through the provider.
    #[serde(default = "yes")]
    pub local_login: bool,
    /// The button on the login page: "Log in with …".
    #[serde(default = "default_label")]
    pub label: String,
    /// Group → role (global, or at one place as a grant), applied at every login.
    #[serde(default, rename = "map")]
    pub mappings: Vec<GroupMapping>,
}

/// `[[oidc.map]] group = "platform-admins" role = "admin"`, or with
/// `place = "registry:team-a"` a grant there instead of the global role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupMapping {
    pub group: String,
    pub role: Role,
    #[serde(default, deserialize_with = "place_from_text")]
    pub place: Option<Place>,
}

fn place_from_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Place>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

fn default_scopes() -> Vec<String> {
    ["openid", "profile", "email", "groups"]
        .map(String::from)
        .to_vec()
}

fn default_username_claim() -> String {
    "preferred_username".into()
}

fn default_groups_claim() -> String {
    "groups".into()
}

fn default_role() -> Role {
    Role::NoAccess
}

fn yes() -> bool {
    true
}

fn default_label() -> String {
    "single sign-on".into()
}
