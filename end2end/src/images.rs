//! Small deterministic OCI images: same bytes, same digests, every run. Manifests are written
//! with `serde_json::json!` (sorted keys) rather than oci-spec's builders because those keep
//! labels and annotations in a `HashMap`, whose order — and so the digest — changes per run.

use flate2::{write::GzEncoder, Compression};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// The media types of one manifest format.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    pub manifest: &'static str,
    pub config: &'static str,
    pub layer: &'static str,
}

pub const OCI: Format = Format {
    manifest: OCI_MANIFEST,
    config: OCI_CONFIG,
    layer: OCI_LAYER_GZIP,
};
/// Docker image manifest v2, schema 2.
pub const DOCKER: Format = Format {
    manifest: DOCKER_MANIFEST,
    config: DOCKER_CONFIG,
    layer: DOCKER_LAYER_GZIP,
};

/// A fixed time, so configs (and digests) never change.
const CREATED: &str = "2026-01-15T10:00:00Z";

#[derive(Debug, Clone)]
pub struct Blob {
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Blob {
    pub fn digest(&self) -> String {
        sha256_digest(&self.bytes)
    }

    fn descriptor(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest(), "size": self.bytes.len()})
    }
}

pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A filesystem layer: the gzipped tar, its uncompressed digest (`diff_id`) and the
/// Dockerfile-like step that "made" it (for the config history).
#[derive(Debug, Clone)]
pub struct Layer {
    pub blob: Blob,
    pub diff_id: String,
    pub created_by: String,
}

/// Builds a layer holding `files` (path, content), with zeroed times and owners.
pub fn layer(created_by: &str, files: &[(&str, &str)]) -> Layer {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, path, content.as_bytes())
            .expect("writing to memory");
    }
    let tar = tar.into_inner().expect("finishing the tar");
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    std::io::Write::write_all(&mut gzip, &tar).expect("writing to memory");
    Layer {
        blob: Blob {
            media_type: OCI_LAYER_GZIP,
            bytes: gzip.finish().expect("finishing the gzip"),
        },
        diff_id: sha256_digest(&tar),
        created_by: created_by.to_string(),
    }
}

/// A layer of `size` pseudo-random bytes from `seed` (incompressible, fast to make): registries
/// never look inside a layer, so this stands in for a big one in copy tests and benchmarks.
pub fn opaque_layer(size: usize, seed: u64) -> Layer {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(size + 8);
    while bytes.len() < size {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    bytes.truncate(size);
    let diff_id = sha256_digest(&bytes);
    Layer {
        blob: Blob {
            media_type: OCI_LAYER_GZIP,
            bytes,
        },
        diff_id,
        created_by: format!("COPY blob-{seed} /data"),
    }
}

/// One single-platform image: config, layers and the manifest that ties them.
#[derive(Debug, Clone)]
pub struct Image {
    pub config: Blob,
    pub layers: Vec<Layer>,
    pub manifest: Blob,
    pub platform: (String, String),
}

pub fn image(os: &str, arch: &str, layers: Vec<Layer>, labels: &[(&str, &str)]) -> Image {
    image_in(OCI, os, arch, layers, labels)
}

pub fn image_in(
    format: Format,
    os: &str,
    arch: &str,
    layers: Vec<Layer>,
    labels: &[(&str, &str)],
) -> Image {
    image_built(format, CREATED, os, arch, layers, labels)
}

/// An image whose config says it was built at `created` (RFC 3339).
pub fn image_built(
    format: Format,
    created: &str,
    os: &str,
    arch: &str,
    mut layers: Vec<Layer>,
    labels: &[(&str, &str)],
) -> Image {
    for layer in &mut layers {
        layer.blob.media_type = format.layer;
    }
    let labels: serde_json::Map<String, Value> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let config = json!({
        "created": created,
        "architecture": arch,
        "os": os,
        "config": {
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"],
            "Cmd": ["/bin/app"],
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>()},
        "history": layers.iter().map(|l| json!({"created": created, "created_by": l.created_by})).collect::<Vec<_>>(),
    });
    let config = Blob {
        media_type: format.config,
        bytes: serde_json::to_vec(&config).expect("serializing JSON"),
    };
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": format.manifest,
        "config": config.descriptor(),
        "layers": layers.iter().map(|l| l.blob.descriptor()).collect::<Vec<_>>(),
    });
    Image {
        manifest: Blob {
            media_type: format.manifest,
            bytes: serde_json::to_vec(&manifest).expect("serializing JSON"),
        },
        config,
        layers,
        platform: (os.to_string(), arch.to_string()),
    }
}

/// A multi-platform image: an OCI index over `images`.
#[derive(Debug, Clone)]
pub struct MultiArch {
    pub index: Blob,
    pub images: Vec<Image>,
}

pub fn multi_arch(images: Vec<Image>) -> MultiArch {
    let manifests: Vec<Value> = images
        .iter()
        .map(|image| {
            let mut descriptor = image.manifest.descriptor();
            descriptor["platform"] =
                json!({"os": image.platform.0, "architecture": image.platform.1});
            descriptor
        })
        .collect();
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
    MultiArch {
        index: Blob {
            media_type: OCI_INDEX,
            bytes: serde_json::to_vec(&index).expect("serializing JSON"),
        },
        images,
    }
}

/// The base layer every demo image starts from, so storage is shared across repositories.
pub fn base_layer() -> Layer {
    layer(
        "ADD rootfs.tar /",
        &[(
            "etc/os-release",
            "NAME=\"Regatta demo base\"\nVERSION_ID=1.0\n",
        )],
    )
}

/// An application image at `version`, on the shared base.
pub fn app_image(app: &str, version: &str, arch: &str) -> Image {
    let binary = format!("#!/bin/sh\necho {app} {version} {arch}\n");
    let app_layer = layer(&format!("COPY {app} /bin/app"), &[("bin/app", &binary)]);
    image(
        "linux",
        arch,
        vec![base_layer(), app_layer],
        &[
            ("org.opencontainers.image.title", app),
            ("org.opencontainers.image.version", version),
        ],
    )
}

/// The same application image in Docker's schema2 format.
pub fn docker_image(app: &str, version: &str) -> Image {
    let app_image = app_image(app, version, "amd64");
    let labels = [("org.opencontainers.image.version", version)];
    image_in(DOCKER, "linux", "amd64", app_image.layers, &labels)
}
