#!/usr/bin/env bash
# Fuzzes the registry client's parsers of untrusted input (WWW-Authenticate, Link, manifests)
# for SECONDS each (default 180). Not part of `make test`: a fuzz run is open-ended.
# cargo-fuzz needs nightly `-Z` flags; the machine has only a stable toolchain, so
# RUSTC_BOOTSTRAP=1 lets stable accept them.
set -euo pipefail
cd "$(dirname "$0")/../core"
SECONDS_EACH=${1:-180}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in www_authenticate link_header manifest; do
    echo "== fuzzing $target for ${SECONDS_EACH}s"
    cargo fuzz run "$target" -- -max_total_time="$SECONDS_EACH" -max_len=4096 2>&1 | tail -4
done
