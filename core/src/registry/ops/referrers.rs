//! What refers to a manifest — signatures, SBOMs, attestations (distribution-spec "Listing
//! Referrers"): the referrers API, or where it is missing (distribution 2.8) the fallback tag
//! `sha256-<hex>` holding an index of them.

use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::ops::manifest::{Manifest, OCI_INDEX};
use crate::registry::reference::{Digest, Reference, RepoName, Tag};
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use oci_spec::image::{Descriptor, ImageIndex};
use reqwest::{header, Method, StatusCode};

const REFERRERS_CAP: usize = 4 << 20;

impl RegistryClient {
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn referrers(
        &self,
        repo: &RepoName,
        digest: &Digest,
    ) -> Result<Vec<Descriptor>, RegistryError> {
        let scope = Scope::pull(repo.as_str());
        let mut request = Prepared::new(
            Method::GET,
            self.url(&format!("v2/{repo}/referrers/{digest}")),
        );
        request
            .headers
            .insert(header::ACCEPT, header::HeaderValue::from_static(OCI_INDEX));
        let response = self.send(request, &scope).await?;
        if response.status() == StatusCode::OK {
            let bytes =
                super::body::read_capped(&self.name, response, REFERRERS_CAP, "a referrers list")
                    .await?;
            let index: ImageIndex =
                super::body::parse_json(&self.name, &bytes, "a referrers list")?;
            return Ok(index.manifests().clone());
        }
        if response.status() != StatusCode::NOT_FOUND {
            return match self.success(response, &scope).await {
                Err(error) => Err(error),
                Ok(response) => Err(RegistryError::Protocol {
                    registry: self.name.clone(),
                    reason: format!(
                        "unexpected HTTP {} from the referrers API",
                        response.status()
                    ),
                }),
            };
        }
        let fallback = Tag::parse(&format!("{}-{}", digest.algorithm(), digest.hex()))?;
        match self.get_manifest(repo, &Reference::Tag(fallback)).await {
            Ok(fetched) => match fetched.manifest {
                Manifest::Index(index) => Ok(index.manifests().clone()),
                Manifest::Image(_) => Ok(Vec::new()),
            },
            Err(error) if error.status() == Some(404) => Ok(Vec::new()),
            Err(error) => Err(error),
        }
    }
}
