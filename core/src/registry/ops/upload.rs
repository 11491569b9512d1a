//! Pushing blobs (distribution-spec "Pushing blobs"): monolithic (POST then PUT with
//! `?digest=`; distribution 2.8 ignores a body on the POST) and chunked (PATCH with
//! `Content-Range: start-end`), plus cross-repository mounts that move no bytes.

use crate::registry::auth::Scope;
use crate::registry::error::RegistryError;
use crate::registry::reference::{Digest, RepoName};
use crate::registry::transport::Prepared;
use crate::registry::RegistryClient;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use reqwest::{header, Method, Response, StatusCode};
use url::Url;

/// What a mount request achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountOutcome {
    /// 201: the blob now exists in the target repository; nothing was copied.
    Mounted,
    /// 202: the registry could not mount (source missing, or mounting unsupported); the upload
    /// session it opened was cancelled, and the caller must push the bytes.
    NotMounted,
}

impl RegistryClient {
    /// Uploads `content` in one request unless the repository already has it. Returns its digest.
    #[tracing::instrument(skip(self, content), fields(registry = %self.name, size = content.len()))]
    pub async fn push_blob(
        &self,
        repo: &RepoName,
        content: Bytes,
    ) -> Result<Digest, RegistryError> {
        let digest = Digest::sha256_of(&content);
        if self.head_blob(repo, &digest).await?.is_some() {
            return Ok(digest);
        }
        let location = self.start_upload(repo).await?;
        self.finish_upload(repo, location, &digest, content).await?;
        Ok(digest)
    }

    /// Uploads `content` in `chunk_size` PATCHes, for blobs too large for one request.
    #[tracing::instrument(skip(self, content), fields(registry = %self.name, size = content.len()))]
    pub async fn push_blob_chunked(
        &self,
        repo: &RepoName,
        content: Bytes,
        chunk_size: usize,
    ) -> Result<Digest, RegistryError> {
        let digest = Digest::sha256_of(&content);
        if self.head_blob(repo, &digest).await?.is_some() {
            return Ok(digest);
        }
        let chunks = content
            .chunks(chunk_size.max(1))
            .map(|chunk| Ok(content.slice_ref(chunk)))
            .collect::<Vec<_>>();
        self.push_blob_stream(
            repo,
            &digest,
            futures_util::stream::iter(chunks),
            chunk_size,
        )
        .await?;
        Ok(digest)
    }

    /// Uploads blob `digest` from `content` in PATCHes of `chunk_size` bytes, holding at most
    /// one chunk in memory, so a layer of any size streams from one registry to another. The
    /// registry checks the digest when the upload is closed; if the stream ends in an error
    /// (e.g. the source's own digest check failed) the upload is cancelled instead. Returns the
    /// bytes sent.
    #[tracing::instrument(skip(self, content), fields(registry = %self.name))]
    pub async fn push_blob_stream(
        &self,
        repo: &RepoName,
        digest: &Digest,
        content: impl Stream<Item = Result<Bytes, RegistryError>>,
        chunk_size: usize,
    ) -> Result<u64, RegistryError> {
        let scope = Scope::push(repo.as_str());
        let chunk_size = chunk_size.max(1);
        let mut location = self.start_upload(repo).await?;
        let mut content = std::pin::pin!(content);
        let mut chunk = BytesMut::with_capacity(chunk_size);
        let mut sent = 0u64;
        loop {
            let next = content.next().await;
            let finished = next.is_none();
            match next {
                Some(Ok(bytes)) => chunk.extend_from_slice(&bytes),
                Some(Err(error)) => {
                    self.cancel_upload(location, &scope).await;
                    return Err(error);
                }
                None => {}
            }
            if chunk.len() >= chunk_size || (finished && !chunk.is_empty()) {
                let bytes = chunk.split().freeze();
                let len = bytes.len() as u64;
                location = match self
                    .patch_chunk(location.clone(), sent, bytes, &scope)
                    .await
                {
                    Ok(next) => next,
                    Err(error) => {
                        self.cancel_upload(location, &scope).await;
                        return Err(error);
                    }
                };
                sent += len;
            }
            if finished {
                break;
            }
        }
        self.finish_upload(repo, location, digest, Bytes::new())
            .await?;
        Ok(sent)
    }

    /// Sends `bytes` at `offset` of an upload session; returns the session's next URL.
    async fn patch_chunk(
        &self,
        location: Url,
        offset: u64,
        bytes: Bytes,
        scope: &Scope,
    ) -> Result<Url, RegistryError> {
        let mut request = Prepared::new(Method::PATCH, location);
        let range = format!("{offset}-{}", offset + bytes.len() as u64 - 1);
        request.headers.insert(
            header::CONTENT_RANGE,
            range.parse().expect("digits and a dash"),
        );
        request.headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/octet-stream"),
        );
        request.body = Some(bytes);
        let response = self
            .success(self.send(request, scope).await?, scope)
            .await?;
        self.upload_location(&response)
    }

    /// Abandons an upload session, so a failed copy leaves nothing half-written behind.
    async fn cancel_upload(&self, location: Url, scope: &Scope) {
        if let Err(error) = self
            .send(Prepared::new(Method::DELETE, location), scope)
            .await
        {
            tracing::warn!(%error, "could not cancel an upload session");
        }
    }

    /// Asks the registry to link `digest` from `from` into `repo` (distribution-spec "Mounting
    /// a blob from another repository").
    #[tracing::instrument(skip(self), fields(registry = %self.name))]
    pub async fn mount_blob(
        &self,
        repo: &RepoName,
        from: &RepoName,
        digest: &Digest,
    ) -> Result<MountOutcome, RegistryError> {
        let scope = Scope::join(&[Scope::push(repo.as_str()), Scope::pull(from.as_str())]);
        let mut url = self.url(&format!("v2/{repo}/blobs/uploads/"));
        url.query_pairs_mut()
            .append_pair("mount", digest.as_str())
            .append_pair("from", from.as_str());
        let response = self
            .success(
                self.send(Prepared::new(Method::POST, url), &scope).await?,
                &scope,
            )
            .await?;
        if response.status() == StatusCode::CREATED {
            return Ok(MountOutcome::Mounted);
        }
        // 202: an upload session was opened instead. Cancel it so it does not linger.
        let location = self.upload_location(&response)?;
        self.cancel_upload(location, &scope).await;
        Ok(MountOutcome::NotMounted)
    }

    async fn start_upload(&self, repo: &RepoName) -> Result<Url, RegistryError> {
        let scope = Scope::push(repo.as_str());
        let request = Prepared::new(Method::POST, self.url(&format!("v2/{repo}/blobs/uploads/")));
        let response = self
            .success(self.send(request, &scope).await?, &scope)
            .await?;
        self.upload_location(&response)
    }

    async fn finish_upload(
        &self,
        repo: &RepoName,
        mut location: Url,
        digest: &Digest,
        content: Bytes,
    ) -> Result<(), RegistryError> {
        let scope = Scope::push(repo.as_str());
        location
            .query_pairs_mut()
            .append_pair("digest", digest.as_str());
        let mut request = Prepared::new(Method::PUT, location);
        request.headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/octet-stream"),
        );
        request.body = Some(content);
        let response = self
            .success(self.send(request, &scope).await?, &scope)
            .await?;
        let stored = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok());
        match stored {
            Some(stored) if stored != digest.as_str() => Err(RegistryError::DigestMismatch {
                registry: self.name.clone(),
                reference: format!("upload to {repo}"),
                expected: digest.to_string(),
                actual: stored.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// The upload session URL from `Location` (relative or absolute; it already carries the
    /// session state). It must stay on the registry's origin: we send credentials there.
    fn upload_location(&self, response: &Response) -> Result<Url, RegistryError> {
        let protocol = |reason: String| RegistryError::Protocol {
            registry: self.name.clone(),
            reason,
        };
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| protocol("an upload answer without Location".into()))?;
        let url = response
            .url()
            .join(location)
            .map_err(|e| protocol(format!("upload Location `{location}`: {e}")))?;
        if url.origin() != self.base.origin() {
            return Err(protocol(format!(
                "the upload Location points to another origin: {url}"
            )));
        }
        Ok(url)
    }
}
