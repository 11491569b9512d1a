#!/usr/bin/env bash
# registry-service.sh CONFIG: keeps a CNCF distribution registry (`docker-registry serve`)
# running on CONFIG, as a service manager would: when the registry exits it is started again,
# read-only while the file CONFIG.maintenance exists (`registry-mode.sh` flips it). The demo and
# the garbage collection tests run their registry under it; under systemd, docker compose or
# Kubernetes the service manager plays this part (see regatta.example.toml). TERM stops both.
set -uo pipefail
config=$1
child=
stop() {
    [[ -n "$child" ]] && kill "$child" 2>/dev/null && wait "$child"
    rm -f "$config.pid"
    exit 0
}
trap stop TERM INT
while :; do
    serve=$config
    if [[ -e "$config.maintenance" ]]; then
        serve="$config.readonly.yml"
        sed 's/readonly: *{enabled: *false}/readonly: {enabled: true}/' "$config" > "$serve"
    fi
    docker-registry serve "$serve" &
    child=$!
    echo "$child" > "$config.pid"
    wait "$child"
    sleep 0.1   # a registry that cannot start is not restarted in a tight loop
done
