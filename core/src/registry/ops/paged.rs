//! Lists that come in pages linked by `Link: rel="next"`: the catalog and tag lists.

use super::{body, next_link};
use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use reqwest::Method;
use serde::de::DeserializeOwned;

const PAGE_CAP: usize = 8 << 20;
/// A registry that keeps sending `next` forever is broken; 10,000 pages is plenty.
const MAX_PAGES: usize = 10_000;

impl RegistryClient {
    /// GETs `url` and each page it links to, collecting what `items` takes from each page
    /// (parsed as `P`). `what` names the list in errors.
    pub(super) async fn paged<P, T>(
        &self,
        mut url: url::Url,
        scope: &Scope,
        what: &str,
        items: impl Fn(P) -> Vec<T>,
    ) -> Result<Vec<T>, RegistryError>
    where
        P: DeserializeOwned,
    {
        let mut collected = Vec::new();
        for _ in 0..MAX_PAGES {
            let response = self
                .send(Prepared::new(Method::GET, url.clone()), scope)
                .await?;
            let response = self.success(response, scope).await?;
            let next = next_link(&self.name, response.headers(), &url, &self.base)?;
            let bytes = body::read_capped(&self.name, response, PAGE_CAP, what).await?;
            collected.extend(items(body::parse_json(&self.name, &bytes, what)?));
            match next {
                Some(next) if next != url => url = next,
                _ => return Ok(collected),
            }
        }
        let reason = format!("{what} has more than {MAX_PAGES} pages");
        Err(RegistryError::Protocol {
            registry: self.name.clone(),
            reason,
        })
    }
}
