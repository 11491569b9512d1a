#!/usr/bin/env bash
# Installs every tool the build, the demo and the tests need, and nothing that is already there.
# Idempotent: a second run only checks versions (about a second). See ../shared/TOOLCHAIN.md for
# why these exact tools and versions (cargo-leptos 0.3.10 is the last that builds on rustc 1.95;
# the wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0
TOOLS_DIR=${REGATTA_TOOLS_DIR:-$HOME/.cache/regatta/tools}
DEBIAN_PACKAGES=(docker-registry skopeo apache2-utils chromium chromium-driver nodejs openssl curl procps time python3 e2fsprogs iproute2 postgresql)

log() { printf 'bootstrap: %s\n' "$*"; }

install_debian_packages() {
    local missing=()
    for pkg in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        log "installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

install_rust_components() {
    local installed
    installed=$(rustup component list --installed)
    for component in rustfmt clippy; do
        grep -q "^$component" <<<"$installed" || rustup component add "$component"
    done
}

install_wasm_target() {
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || { log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
}

installed_version() { "$1" --version 2>/dev/null | awk '{print $2}'; }

install_cargo_leptos() {
    [[ "$(installed_version cargo-leptos)" == "$CARGO_LEPTOS_VERSION" ]] && return
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes ~18 min once)"
    # A lighter release profile: the tool runs the same and builds in 2/3 of the time and 1/3 of the RAM.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
        cargo install --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION" --features no_downloads
}

install_wasm_bindgen_cli() {
    local wanted
    wanted=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3}' Cargo.lock)
    [[ -n "$wanted" ]] || { log "Cargo.lock names no wasm-bindgen"; exit 1; }
    [[ "$(installed_version wasm-bindgen)" == "$wanted" ]] && return
    log "installing wasm-bindgen-cli $wanted"
    # --locked fails here (a pinned dependency is not served), so resolve afresh.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        cargo install wasm-bindgen-cli --version "=$wanted" --force
}

# wasm-opt for release builds (cargo-leptos runs the one on PATH). Debian's (binaryen 108) breaks
# what wasm-bindgen 0.2.130 emits for rustc 1.95 (reference types): the page then fails at start
# with "WebAssembly.Table.set(): Argument 1 is invalid". npm's binaryen is current and needs
# only node (the nodejs package carries npm); it goes into ~/.cargo/bin, ahead of /usr/bin on PATH.
install_wasm_opt() {
    local bin="$HOME/.cargo/bin/wasm-opt"
    [[ "$("$bin" --version 2>/dev/null | awk '{print $3}')" == "${BINARYEN_VERSION%%.*}" ]] && return
    log "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
    # NodeSource's nodejs carries npm; Debian's does not.
    command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
    mkdir -p "$TOOLS_DIR/binaryen"
    npm install --prefix "$TOOLS_DIR/binaryen" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
    ln -sf "$TOOLS_DIR/binaryen/node_modules/binaryen/bin/wasm-opt" "$bin"
}

# The OpenID provider the single sign-on tests log in at (panva/oidc-provider, OpenID Certified),
# installed beside its start script from the committed package-lock.json.
install_oidc_provider() {
    local dir=end2end/oidc wanted installed
    wanted=$(node -p "require('./$dir/package.json').dependencies['oidc-provider']")
    installed=$(node -p "require('./$dir/node_modules/oidc-provider/package.json').version" 2>/dev/null || true)
    [[ "$installed" == "$wanted" ]] && return
    log "installing oidc-provider $wanted (for the single sign-on tests) from npm"
    command -v npm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
    npm ci --prefix "$dir" --no-audit --no-fund --silent
}

install_debian_packages
install_oidc_provider
install_rust_components
install_wasm_opt
install_wasm_target
install_cargo_leptos
[[ -f Cargo.lock ]] && install_wasm_bindgen_cli
log "all tools present"
