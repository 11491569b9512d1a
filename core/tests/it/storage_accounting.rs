//! Storage accounting over an index crawled from a real registry, with images whose every
//! byte the test knows: a base layer shared across namespaces, two tags on one digest, the
//! same image promoted to staging, a multi-arch index. The expected figures are summed here
//! from the pushed blobs, not from the index.

use end2end::images::{image, multi_arch, opaque_layer, Image, Layer, MultiArch};
use end2end::settings::{Environment, Registry};
use end2end::{RegistryFixture, RegistryOptions, SettingsFile};
use regatta_core::index::crawl_registry;
use regatta_core::storage::{bytes_freed_by, storage_accounting, Grouping, Usage};
use regatta_core::users::{Role, User};
use regatta_core::Services;

pub(crate) struct Pushed {
    pub(crate) base: Layer,
    pub(crate) app: Image,
    pub(crate) worker: Image,
    pub(crate) tool: MultiArch,
}

/// Config and layers: what the index calls an image's size.
fn image_size(image: &Image) -> u64 {
    (image.config.bytes.len()
        + image
            .layers
            .iter()
            .map(|l| l.blob.bytes.len())
            .sum::<usize>()) as u64
}

/// What the registry stores for an image beyond `shared` layers: its own layers, config and
/// manifest document.
pub(crate) fn own_bytes(image: &Image, shared: &Layer) -> u64 {
    let own_layers: usize = image
        .layers
        .iter()
        .filter(|l| l.blob.digest() != shared.blob.digest())
        .map(|l| l.blob.bytes.len())
        .sum();
    (own_layers + image.config.bytes.len() + image.manifest.bytes.len()) as u64
}

pub(crate) async fn crawled_registry() -> (RegistryFixture, tempfile::TempDir, Services, Pushed) {
    let registry = RegistryFixture::start(RegistryOptions::default())
        .await
        .unwrap();
    let base = opaque_layer(100_000, 1);
    let on = |arch: &str, layers: Vec<Layer>, name: &str| {
        image("linux", arch, layers, &[("name", name)])
    };
    let pushed = Pushed {
        app: on("amd64", vec![base.clone(), opaque_layer(10_000, 2)], "app"),
        worker: on(
            "amd64",
            vec![base.clone(), opaque_layer(20_000, 3)],
            "worker",
        ),
        tool: multi_arch(vec![
            on("amd64", vec![base.clone(), opaque_layer(30_000, 4)], "tool"),
            on("arm64", vec![opaque_layer(40_000, 5)], "tool"),
        ]),
        base,
    };
    let pusher = registry.pusher().unwrap();
    for (repo, tag) in [
        ("dev/app", "1.0"),
        ("dev/app", "latest"),
        ("staging/app", "1.0"),
    ] {
        pusher.push_image(repo, tag, &pushed.app).await.unwrap();
    }
    pusher
        .push_image("dev/worker", "1.0", &pushed.worker)
        .await
        .unwrap();
    pusher
        .push_multi_arch("dev/tool", "2.0", &pushed.tool)
        .await
        .unwrap();

    let (dir, services) = crate::start_services(
        SettingsFile::new()
            .registry(Registry::new("local", &registry.url))
            .environment(Environment::new("dev", "local").prefix("dev/"))
            .environment(Environment::new("staging", "local").prefix("staging/")),
    )
    .await;
    let report = crawl_registry(&services, "local").await.unwrap();
    assert_eq!(report.tags, 5, "{report:?}");
    (registry, dir, services, pushed)
}

async fn scopes(services: &Services, by: Grouping) -> Vec<(String, Usage)> {
    let viewer = User::not_stored("viewer", Role::Viewer);
    let accounts = storage_accounting(services, &viewer, Some("local"), by)
        .await
        .unwrap();
    accounts[0]
        .scopes
        .iter()
        .map(|s| (s.scope.clone(), s.usage.clone()))
        .collect()
}

fn usage_of<'a>(scopes: &'a [(String, Usage)], name: &str) -> &'a Usage {
    &scopes.iter().find(|(s, _)| s == name).unwrap().1
}

#[tokio::test]
async fn stored_bytes_count_each_blob_once_and_exclusive_bytes_what_nothing_else_uses() {
    let (_registry, _dir, services, p) = crawled_registry().await;
    let base = p.base.blob.bytes.len() as u64;
    let [tool_amd64, tool_arm64] = [&p.tool.images[0], &p.tool.images[1]];
    let tool_own = own_bytes(tool_amd64, &p.base)
        + own_bytes(tool_arm64, &p.base)
        + p.tool.index.bytes.len() as u64;
    let app_own = own_bytes(&p.app, &p.base);
    let worker_own = own_bytes(&p.worker, &p.base);

    let by_namespace = scopes(&services, Grouping::Namespace).await;
    let dev = usage_of(&by_namespace, "dev");
    assert_eq!(
        dev.logical_bytes,
        2 * image_size(&p.app)
            + image_size(&p.worker)
            + image_size(tool_amd64)
            + image_size(tool_arm64),
        "two tags on one digest count twice, an index counts its platforms"
    );
    assert_eq!(dev.stored_bytes, base + app_own + worker_own + tool_own);
    assert_eq!(
        dev.shared_bytes,
        base + app_own,
        "staging/app uses the app image"
    );
    assert_eq!(dev.exclusive_bytes, worker_own + tool_own);
    assert_eq!(
        (dev.repositories, dev.tags, dev.manifests, dev.blobs),
        (3, 4, 5, 9)
    );
    let staging = usage_of(&by_namespace, "staging");
    assert_eq!(staging.logical_bytes, image_size(&p.app));
    assert_eq!(
        (
            staging.stored_bytes,
            staging.exclusive_bytes,
            staging.shared_bytes
        ),
        (base + app_own, 0, base + app_own)
    );
    assert_eq!(
        by_namespace
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>(),
        ["dev", "staging"],
        "largest stored first"
    );

    let by_environment = scopes(&services, Grouping::Environment).await;
    assert_eq!(usage_of(&by_environment, "dev"), dev);
    assert_eq!(usage_of(&by_environment, "staging"), staging);

    let by_repository = scopes(&services, Grouping::Repository).await;
    assert_eq!(usage_of(&by_repository, "dev/app").exclusive_bytes, 0);
    assert_eq!(
        usage_of(&by_repository, "dev/worker").exclusive_bytes,
        worker_own
    );
    assert_eq!(
        usage_of(&by_repository, "dev/tool").exclusive_bytes,
        tool_own
    );

    let viewer = User::not_stored("viewer", Role::Viewer);
    let whole = &storage_accounting(&services, &viewer, Some("local"), Grouping::Registry)
        .await
        .unwrap()[0]
        .total;
    assert_eq!(whole.stored_bytes, dev.stored_bytes, "staging adds no blob");
    assert_eq!(
        (whole.exclusive_bytes, whole.shared_bytes),
        (whole.stored_bytes, 0)
    );
    assert_eq!((whole.repositories, whole.tags), (4, 5));
}

#[tokio::test]
async fn bytes_freed_by_deleting_tags_counts_only_what_no_remaining_tag_uses() {
    let (_registry, _dir, services, p) = crawled_registry().await;
    let tags = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(r, t)| (r.to_string(), t.to_string()))
            .collect()
    };
    let freed = |list: Vec<(String, String)>| {
        let services = services.clone();
        async move {
            bytes_freed_by(&services, "local", &list)
                .await
                .unwrap()
                .exclusive_bytes
        }
    };
    assert_eq!(
        freed(tags(&[("dev/app", "1.0")])).await,
        0,
        "`latest` keeps it"
    );
    assert_eq!(
        freed(tags(&[("dev/app", "1.0"), ("dev/app", "latest")])).await,
        0,
        "staging/app keeps it"
    );
    assert_eq!(
        freed(tags(&[
            ("dev/app", "1.0"),
            ("dev/app", "latest"),
            ("staging/app", "1.0")
        ]))
        .await,
        own_bytes(&p.app, &p.base),
        "the base layer stays: the worker and the tool use it"
    );
    assert_eq!(freed(tags(&[("dev/nothing", "1")])).await, 0);
}
