#!/usr/bin/env bash
# registry-mode.sh readonly|writable CONFIG: restarts the registry that registry-service.sh runs
# on CONFIG in that mode and waits until it answers again (at most 30 s). This is the demo's
# garbage collection `maintenance_on` / `maintenance_off`.
set -euo pipefail
mode=$1 config=$2
case $mode in
    readonly) touch "$config.maintenance" ;;
    writable) rm -f "$config.maintenance" ;;
    *) echo "usage: $0 readonly|writable CONFIG" >&2; exit 2 ;;
esac
old=$(cat "$config.pid")
# A registry that already exited is being restarted by registry-service.sh, which reads the
# mode when it starts it: wait for that one the same way.
kill "$old" 2>/dev/null || echo "registry pid $old had already exited" >&2
addr=$(sed -n 's/.*addr: *\([0-9.:a-z]*\).*/\1/p' "$config" | head -n1)
scheme=http
grep -q 'tls:' "$config" && scheme=https
# Ours answers only if the new registry itself listens on the port: a registry that could not
# bind (another process took the port while it was free) must not pass for it.
listens() { [[ $(ss -Hltnp "sport = :${addr##*:}") == *"pid=$1,"* ]]; }
for _ in $(seq 600); do
    new=$(cat "$config.pid" 2>/dev/null || true)
    if [[ -n "$new" && "$new" != "$old" ]] && listens "$new" \
        && curl -ksf -o /dev/null "$scheme://$addr/v2/"; then
        echo "registry on $addr is $mode (pid $new)"
        exit 0
    fi
    sleep 0.05
done
echo "registry on $addr did not come back $mode (pid file: ${new:-none}; listening:" \
    "$(ss -Hltnp "sport = :${addr##*:}" | tr -s ' ' | cut -d' ' -f4,6))" >&2
exit 1
