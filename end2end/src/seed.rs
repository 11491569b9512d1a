//! Pushes images with plain distribution-spec calls: blob upload (POST, then PUT with
//! `?digest=`, as distribution 2.8 needs) and manifest PUT. Used by tests and `make demo`.

use crate::images::{self, Blob, Image, MultiArch};
use anyhow::{bail, Context};
use reqwest::{header, Client, StatusCode};

/// Where to push, and as whom.
#[derive(Debug, Clone)]
pub struct Pusher {
    pub client: Client,
    pub base: reqwest::Url,
    pub basic: Option<(String, String)>,
}

impl Pusher {
    pub fn new(client: Client, base: reqwest::Url, basic: Option<(String, String)>) -> Self {
        Self {
            client,
            base,
            basic,
        }
    }

    fn request(&self, method: reqwest::Method, url: reqwest::Url) -> reqwest::RequestBuilder {
        let request = self.client.request(method, url);
        match &self.basic {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request,
        }
    }

    fn url(&self, path: &str) -> reqwest::Url {
        self.base.join(path).expect("valid registry path")
    }

    pub async fn push_blob(&self, repo: &str, blob: &Blob) -> anyhow::Result<()> {
        let digest = blob.digest();
        let head = self.request(
            reqwest::Method::HEAD,
            self.url(&format!("/v2/{repo}/blobs/{digest}")),
        );
        if head.send().await?.status() == StatusCode::OK {
            return Ok(());
        }
        let started = self
            .request(
                reqwest::Method::POST,
                self.url(&format!("/v2/{repo}/blobs/uploads/")),
            )
            .send()
            .await?;
        if started.status() != StatusCode::ACCEPTED {
            bail!("starting upload to {repo}: HTTP {}", started.status());
        }
        let location = started
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .context("upload without Location")?;
        let mut upload = self.base.join(location)?;
        upload.query_pairs_mut().append_pair("digest", &digest);
        let finished = self
            .request(reqwest::Method::PUT, upload)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(blob.bytes.clone())
            .send()
            .await?;
        if finished.status() != StatusCode::CREATED {
            bail!(
                "finishing upload of {digest} to {repo}: HTTP {}",
                finished.status()
            );
        }
        Ok(())
    }

    pub async fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        manifest: &Blob,
    ) -> anyhow::Result<()> {
        let response = self
            .request(
                reqwest::Method::PUT,
                self.url(&format!("/v2/{repo}/manifests/{reference}")),
            )
            .header(header::CONTENT_TYPE, manifest.media_type)
            .body(manifest.bytes.clone())
            .send()
            .await?;
        if response.status() != StatusCode::CREATED {
            let status = response.status();
            bail!(
                "pushing {repo}:{reference}: HTTP {status}: {}",
                response.text().await.unwrap_or_default()
            );
        }
        Ok(())
    }

    /// Pushes layers, config and manifest, tagging it `tag`.
    pub async fn push_image(&self, repo: &str, tag: &str, image: &Image) -> anyhow::Result<()> {
        for layer in &image.layers {
            self.push_blob(repo, &layer.blob).await?;
        }
        self.push_blob(repo, &image.config).await?;
        self.push_manifest(repo, tag, &image.manifest).await
    }

    /// Pushes every platform's image by digest, then the index as `tag`.
    pub async fn push_multi_arch(
        &self,
        repo: &str,
        tag: &str,
        multi: &MultiArch,
    ) -> anyhow::Result<()> {
        for image in &multi.images {
            self.push_image(repo, &image.manifest.digest(), image)
                .await?;
        }
        self.push_manifest(repo, tag, &multi.index).await
    }
}

/// What `seed_demo` pushed: (repository, tag) pairs.
pub type Seeded = Vec<(String, String)>;

/// The demo content: dev/, staging/ and prod/ namespaces, several tags (one alias pointing at
/// the same digest), a multi-arch index, and a base layer shared by every image.
pub async fn seed_demo(pusher: &Pusher) -> anyhow::Result<Seeded> {
    let mut seeded = Vec::new();
    let app = |v: &str| images::app_image("shop-api", v, "amd64");
    for (repo, versions) in [
        ("dev/shop-api", &["1.0.0", "1.1.0", "1.2.0"][..]),
        ("staging/shop-api", &["1.0.0", "1.1.0"][..]),
        ("prod/shop-api", &["1.0.0"][..]),
    ] {
        for version in versions {
            pusher.push_image(repo, version, &app(version)).await?;
            seeded.push((repo.to_string(), version.to_string()));
        }
    }
    pusher
        .push_image("dev/shop-api", "latest", &app("1.2.0"))
        .await?;
    seeded.push(("dev/shop-api".into(), "latest".into()));
    for version in ["0.1.0", "0.2.0"] {
        let worker = images::app_image("billing-worker", version, "amd64");
        pusher
            .push_image("dev/billing-worker", version, &worker)
            .await?;
        seeded.push(("dev/billing-worker".into(), version.into()));
    }
    let tools = images::multi_arch(vec![
        images::app_image("toolbox", "2.0", "amd64"),
        images::app_image("toolbox", "2.0", "arm64"),
    ]);
    for repo in ["dev/toolbox", "staging/toolbox"] {
        pusher.push_multi_arch(repo, "2.0", &tools).await?;
        seeded.push((repo.into(), "2.0".into()));
    }
    Ok(seeded)
}
