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
    /// With token auth: the realm to get a Bearer token from (with `basic` as credentials).
    pub token_realm: Option<String>,
}

impl Pusher {
    pub fn new(client: Client, base: reqwest::Url, basic: Option<(String, String)>) -> Self {
        Self {
            client,
            base,
            basic,
            token_realm: None,
        }
    }

    /// Adds Basic credentials, or under token auth a Bearer token for `scopes`.
    async fn authorized(
        &self,
        request: reqwest::RequestBuilder,
        scopes: &[String],
    ) -> anyhow::Result<reqwest::RequestBuilder> {
        let Some(realm) = &self.token_realm else {
            return Ok(match &self.basic {
                Some((user, password)) => request.basic_auth(user, Some(password)),
                None => request,
            });
        };
        let mut url: reqwest::Url = realm.parse()?;
        url.query_pairs_mut()
            .append_pair("service", crate::token_server::SERVICE);
        for scope in scopes {
            url.query_pairs_mut().append_pair("scope", scope);
        }
        let mut token_request = self.client.get(url);
        if let Some((user, password)) = &self.basic {
            token_request = token_request.basic_auth(user, Some(password));
        }
        let answer: serde_json::Value = token_request
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = answer["token"]
            .as_str()
            .context("token server sent no token")?;
        Ok(request.bearer_auth(token))
    }

    async fn request(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        repos: &[&str],
    ) -> anyhow::Result<reqwest::Response> {
        self.send(self.client.request(method, url), repos).await
    }

    /// Sends with push access to `repos`.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        repos: &[&str],
    ) -> anyhow::Result<reqwest::Response> {
        let scopes: Vec<String> = repos
            .iter()
            .map(|r| format!("repository:{r}:pull,push"))
            .collect();
        Ok(self.authorized(request, &scopes).await?.send().await?)
    }

    fn url(&self, path: &str) -> reqwest::Url {
        self.base.join(path).expect("valid registry path")
    }

    pub async fn push_blob(&self, repo: &str, blob: &Blob) -> anyhow::Result<()> {
        let digest = blob.digest();
        let head_url = self.url(&format!("/v2/{repo}/blobs/{digest}"));
        let head = self
            .request(reqwest::Method::HEAD, head_url, &[repo])
            .await?;
        if head.status() == StatusCode::OK {
            return Ok(());
        }
        let uploads = self.url(&format!("/v2/{repo}/blobs/uploads/"));
        let started = self
            .request(reqwest::Method::POST, uploads, &[repo])
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
        let put = self
            .client
            .put(upload)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(blob.bytes.clone());
        let finished = self.send(put, &[repo]).await?;
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
        let put = self
            .client
            .put(self.url(&format!("/v2/{repo}/manifests/{reference}")))
            .header(header::CONTENT_TYPE, manifest.media_type)
            .body(manifest.bytes.clone());
        let response = self.send(put, &[repo]).await?;
        if response.status() != StatusCode::CREATED {
            let status = response.status();
            bail!(
                "pushing {repo}:{reference}: HTTP {status}: {}",
                response.text().await.unwrap_or_default()
            );
        }
        Ok(())
    }

    /// Deletes a manifest by digest (and so every tag on it), as `skopeo delete` does; the
    /// fixture's registry has deletes enabled.
    pub async fn delete_manifest(&self, repo: &str, digest: &str) -> anyhow::Result<()> {
        let delete = self
            .client
            .delete(self.url(&format!("/v2/{repo}/manifests/{digest}")));
        let response = self.send(delete, &[repo]).await?;
        if response.status() != StatusCode::ACCEPTED {
            bail!("deleting {repo}@{digest}: HTTP {}", response.status());
        }
        Ok(())
    }

    /// Mounts `digest` from `from` into `repo` without moving bytes (distribution-spec
    /// "Mounting a blob from another repository"); 201 means it was there.
    pub async fn mount_blob(&self, repo: &str, from: &str, digest: &str) -> anyhow::Result<()> {
        let mut url = self.url(&format!("/v2/{repo}/blobs/uploads/"));
        url.query_pairs_mut()
            .append_pair("mount", digest)
            .append_pair("from", from);
        let response = self
            .request(reqwest::Method::POST, url, &[repo, from])
            .await?;
        if response.status() != StatusCode::CREATED {
            bail!(
                "mounting {digest} from {from} into {repo}: HTTP {}",
                response.status()
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

/// `repos` repositories × `tags` tags, each tag a distinct image on one shared base layer,
/// pushed with `concurrency` requests in flight. Names: `team-<r%10>/service-<r>`, tags `1.<t>.0`.
pub async fn seed_many(
    pusher: &Pusher,
    repos: usize,
    tags: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    use futures_util::{stream, StreamExt, TryStreamExt};
    let base = images::base_layer();
    let repo = |r: usize| format!("team-{}/service-{r:03}", r % 10);
    // The base goes into each repository once first: concurrent uploads of one blob into one
    // repository race inside distribution (DIGEST_INVALID).
    stream::iter(0..repos)
        .map(|r| {
            let base = &base;
            async move { pusher.push_blob(&repo(r), &base.blob).await }
        })
        .buffer_unordered(concurrency)
        .try_collect::<Vec<_>>()
        .await?;
    let jobs = (0..repos).flat_map(|r| (0..tags).map(move |t| (r, t)));
    stream::iter(jobs)
        .map(|(r, t)| {
            let base = &base;
            async move {
                let label = format!("{r}-{t}");
                let image = images::image(
                    "linux",
                    "amd64",
                    vec![base.clone()],
                    &[("bench.tag", &label)],
                );
                pusher.push_blob(&repo(r), &image.config).await?;
                pusher
                    .push_manifest(&repo(r), &format!("1.{t}.0"), &image.manifest)
                    .await
            }
        })
        .buffer_unordered(concurrency)
        .try_collect::<Vec<_>>()
        .await?;
    Ok(())
}

/// One repository with `tags` tags `1.<t/100>.<t%100>`, each its own image on one base layer,
/// pushed one after the other (the render benchmarks' 1,000-tag page).
pub async fn seed_big_repository(pusher: &Pusher, repo: &str, tags: usize) -> anyhow::Result<()> {
    let base = images::base_layer();
    pusher.push_blob(repo, &base.blob).await?;
    for t in 0..tags {
        let image = images::image(
            "linux",
            "amd64",
            vec![base.clone()],
            &[("n", &t.to_string())],
        );
        pusher.push_blob(repo, &image.config).await?;
        pusher
            .push_manifest(repo, &format!("1.{}.{}", t / 100, t % 100), &image.manifest)
            .await?;
    }
    Ok(())
}

/// `count` distinct small images in `repo` (all on one base layer), image `t` tagged
/// `1.<t/100>.<t%100>` plus each of `suffixes` appended (`""` for the plain name), pushed eight
/// at a time.
pub async fn seed_distinct_images(
    pusher: &Pusher,
    repo: &str,
    count: usize,
    suffixes: &[&str],
) -> anyhow::Result<()> {
    use futures_util::stream::{self, StreamExt};
    let base = images::base_layer();
    pusher.push_blob(repo, &base.blob).await?;
    let results: Vec<anyhow::Result<()>> = stream::iter(0..count)
        .map(|t| {
            let image = images::image(
                "linux",
                "amd64",
                vec![base.clone()],
                &[("n", &t.to_string()), ("repo", repo)],
            );
            async move {
                pusher.push_blob(repo, &image.config).await?;
                for suffix in suffixes {
                    let tag = format!("1.{}.{}{suffix}", t / 100, t % 100);
                    pusher.push_manifest(repo, &tag, &image.manifest).await?;
                }
                Ok(())
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    results.into_iter().collect()
}
