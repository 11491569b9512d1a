#!/usr/bin/env bash
# `make demo`: a release build, a local distribution registry with the demo images, and Regatta
# on http://127.0.0.1:3000. State lives in data/demo (delete it to start over). Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARGO_TARGET_DIR:=$HOME/.cache/regatta/target}"
REGISTRY_PORT=${REGISTRY_PORT:-5000}
DEMO=data/demo
mkdir -p "$DEMO"

cargo leptos build --release --precompress   # .br/.gz beside each asset, served as they are
cargo build -p end2end --bin seed-registry --bin demo-settings

# The registry notifies Regatta of pushes and deletes (they show up at once); the shared secret is
# made once and kept with the demo's state.
[[ -s "$DEMO/notify-secret" ]] || head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' > "$DEMO/notify-secret"
export LOCAL_NOTIFY_SECRET
LOCAL_NOTIFY_SECRET=$(cat "$DEMO/notify-secret")

cat > "$DEMO/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $PWD/$DEMO/registry-storage}
  delete: {enabled: true}
  maintenance: {uploadpurging: {enabled: false}, readonly: {enabled: false}}
http: {addr: 127.0.0.1:$REGISTRY_PORT, secret: regatta-demo}
notifications:
  endpoints:
    - name: regatta
      url: http://127.0.0.1:3000/hooks/registry/local
      headers: {Authorization: ["Bearer $LOCAL_NOTIFY_SECRET"]}
      timeout: 2s
      threshold: 3
      backoff: 1s
YAML

# Under a small service script, so Regatta's garbage collection can restart it read-only and back
# (scripts/registry-mode.sh, the demo's [registry.gc]).
bash scripts/registry-service.sh "$DEMO/registry.yml" 2> "$DEMO/registry.log" &
REGISTRY_PID=$!
trap 'kill $REGISTRY_PID 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null && break
    kill -0 $REGISTRY_PID 2>/dev/null || { cat "$DEMO/registry.log"; exit 1; }
    sleep 0.1
done
"$CARGO_TARGET_DIR/debug/seed-registry" "http://127.0.0.1:$REGISTRY_PORT"

# Written at every start, so a demo made by an older checkout gets the settings of this one.
"$CARGO_TARGET_DIR/debug/demo-settings" "http://127.0.0.1:$REGISTRY_PORT" "$DEMO/regatta.db" "$DEMO/registry.yml" > "$DEMO/regatta.toml"

echo "Regatta on http://127.0.0.1:3000 — the first start prints the admin password below. Ctrl-C stops."
"$CARGO_TARGET_DIR/release/regatta" serve --config "$DEMO/regatta.toml"
