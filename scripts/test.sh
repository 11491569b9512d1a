#!/usr/bin/env bash
# Runs every check and test. Called by `make test` (after bootstrap) and so by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "build the site and server (the browser tests load this WASM)"
cargo leptos build

step "lints: server side, then the hydrate (wasm32) side"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

step "tests: unit, integration against real registries, browser e2e in headless Chromium"
cargo test --workspace
