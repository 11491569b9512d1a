use serde::Deserialize;

/// An outgoing webhook: after each successful promotion Regatta POSTs a JSON description to
/// `url`, signed with HMAC-SHA256 of the body under the secret in the environment variable
/// named by `secret_env`, so a deploy pipeline can react and trust what it receives.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub name: String,
    pub url: url::Url,
    pub secret_env: String,
}
