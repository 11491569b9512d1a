#!/usr/bin/env bash
# Builds the `regatta` container image with buildah from this machine's release build, without
# any base image to pull: the binary, the shared libraries it links (as ldd lists them), CA
# certificates and the built site go into an image made `from scratch`. For a machine that can
# reach a container registry, deploy/Containerfile builds the same from source (multi-stage).
#
#   cargo leptos build --release --precompress && deploy/build-image.sh [TAG]
#
# Installs buildah (Debian) when missing. Prints the image id; check it with
#   buildah from regatta:latest && buildah run <container> -- /usr/local/bin/regatta --version
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-regatta:latest}
target=${CARGO_TARGET_DIR:-target}
binary="$target/release/regatta"
site=target/site
[[ -x "$binary" ]] || { echo "no $binary: run cargo leptos build --release first" >&2; exit 1; }
[[ -d "$site/pkg" ]] || { echo "no $site/pkg: run cargo leptos build --release first" >&2; exit 1; }
command -v buildah >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$binary" "$root/usr/local/bin/regatta"
[[ -f "$target/release/hash.txt" ]] && install -D -m 0644 "$target/release/hash.txt" "$root/usr/local/bin/hash.txt"
# The dynamic loader and every library the binary links, at the same paths.
for lib in $(ldd "$binary" | grep -o '/[^ ]*'); do
    install -D -m 0755 "$lib" "$root$lib"
done
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$root/usr/share/regatta" "$root/var/lib/regatta" "$root/etc/regatta" "$root/tmp"
cp -r "$site" "$root/usr/share/regatta/site"
printf 'regatta:x:10001:10001::/var/lib/regatta:/nonexistent\n' >"$root/etc/passwd"
printf 'regatta:x:10001:\n' >"$root/etc/group"
chown -R 10001:10001 "$root/var/lib/regatta"
chmod 1777 "$root/tmp"

container=$(buildah from scratch)
trap 'buildah rm "$container" >/dev/null 2>&1 || true; rm -rf "$root"' EXIT
buildah copy "$container" "$root" / >/dev/null
buildah config \
    --user 10001:10001 \
    --env REGATTA_SITE_ROOT=/usr/share/regatta/site \
    --env REGATTA_DATABASE=/var/lib/regatta/regatta.db \
    --env REGATTA_LISTEN=0.0.0.0:3000 \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --volume /var/lib/regatta \
    --port 3000 \
    --entrypoint '["/usr/local/bin/regatta", "--config", "/etc/regatta/regatta.toml"]' \
    --cmd serve \
    --label org.opencontainers.image.title=regatta \
    "$container"
buildah commit --quiet "$container" "$tag"
