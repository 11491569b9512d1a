use super::When;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformItem {
    pub platform: String,
    pub digest: String,
    pub size_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerItem {
    pub digest: String,
    pub size_bytes: u64,
    pub media_type: String,
    pub created_by: Option<String>,
    /// Other repositories of this registry with a tagged image on this layer.
    pub shared_with: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageBody {
    Index { platforms: Vec<PlatformItem> },
    Image(Box<ImageConfigView>),
}

/// A single-platform image: its config and layers. Empty strings and lists mean "not set".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfigView {
    pub created: Option<When>,
    pub platform: String,
    pub size_bytes: u64,
    pub env: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub layers: Vec<LayerItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    pub registry: String,
    pub repository: String,
    pub reference: String,
    pub digest: String,
    pub media_type: String,
    pub body: ImageBody,
    pub annotations: Vec<(String, String)>,
    /// (artifact type, digest) of signatures, SBOMs, attestations.
    pub referrers: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
mod from_domain {
    use super::*;
    use regatta_core::image_details::{ImageDetails, ImageKind, Layer, Platform};

    impl From<Platform> for PlatformItem {
        fn from(p: Platform) -> Self {
            Self {
                platform: p.platform,
                digest: p.digest,
                size_bytes: p.size,
            }
        }
    }

    impl From<Layer> for LayerItem {
        fn from(l: Layer) -> Self {
            Self {
                digest: l.digest,
                size_bytes: l.size,
                media_type: l.media_type,
                created_by: l.created_by,
                shared_with: l.shared_with,
            }
        }
    }

    impl From<ImageKind> for ImageBody {
        fn from(kind: ImageKind) -> Self {
            match kind {
                ImageKind::Index { platforms } => Self::Index {
                    platforms: platforms.into_iter().map(Into::into).collect(),
                },
                ImageKind::Image {
                    config,
                    layers,
                    size,
                } => Self::Image(Box::new(ImageConfigView {
                    created: config.created.as_deref().and_then(When::parse_rfc3339),
                    platform: config.platform,
                    size_bytes: size,
                    env: config.env,
                    labels: config.labels.into_iter().collect(),
                    entrypoint: config.entrypoint,
                    cmd: config.cmd,
                    working_dir: config.working_dir.filter(|d| !d.is_empty()),
                    user: config.user.filter(|u| !u.is_empty()),
                    layers: layers.into_iter().map(Into::into).collect(),
                })),
            }
        }
    }

    impl ImageView {
        pub fn new(
            registry: &str,
            repository: &str,
            reference: &str,
            details: ImageDetails,
        ) -> Self {
            Self {
                registry: registry.to_string(),
                repository: repository.to_string(),
                reference: reference.to_string(),
                digest: details.digest,
                media_type: details.media_type,
                body: details.kind.into(),
                annotations: details.annotations.into_iter().collect(),
                referrers: details.referrers,
            }
        }
    }
}
