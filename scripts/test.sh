#!/usr/bin/env bash
# Runs every check and test. Called by `make test` (after bootstrap) and so by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

# CI shares the target directory with earlier sessions and clones (other paths → other hashes):
# keep it from filling the disk. Superseded artefacts go first, then incremental caches, and a
# full clean only if still short.
free_gb() { df -BG --output=avail "${CARGO_TARGET_DIR:-target}/.." 2>/dev/null | tail -1 | tr -dc 0-9; }
if [[ -d "${CARGO_TARGET_DIR:-}" ]] && (( $(free_gb) < 40 )); then
    step "low disk ($(free_gb) GB free): removing superseded artefacts (a debug binary is ~2 GB)"
    python3 scripts/prune-target.py "$CARGO_TARGET_DIR"
fi
if [[ -d "${CARGO_TARGET_DIR:-}" ]] && (( $(free_gb) < 20 )); then
    step "low disk ($(free_gb) GB free): removing incremental caches"
    rm -rf "$CARGO_TARGET_DIR"/debug/incremental "$CARGO_TARGET_DIR"/front/*/incremental
    (( $(free_gb) < 20 )) && { step "still low: cargo clean"; cargo clean; }
fi

step "format"
cargo fmt --all --check

step "build the site and server (the browser tests load this WASM)"
cargo leptos build

step "lints: server side, then the hydrate (wasm32) side"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

step "tests: unit, integration against real registries, browser e2e in headless Chromium"
cargo test --workspace

step "the integration suites again on PostgreSQL (a throw-away cluster per suite; browser tests stay on SQLite)"
REGATTA_TEST_DATABASE=postgres cargo test -p regatta-core --test it
REGATTA_TEST_DATABASE=postgres cargo test -p server --test it
