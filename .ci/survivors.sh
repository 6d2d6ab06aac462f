#!/usr/bin/env bash
# The processes test suites start (workers, servers, fixture services), so .ci/run can fail when one
# outlives the suite that started it.
#   survivors.sh list            pids of such processes now, one per line
#   survivors.sh check FILE      fails, naming each, for those now running that FILE did not list
#                                (after a grace period for processes that are still exiting)
set -euo pipefail
pattern='-m nodetool\.worker|moto_server|prometheus --config\.file|dnsmasq .*--port|stunnel|postgres -D .*nt-postgres-|apps/server/(src/main\.ts|dist/main\.js)'

list() { pgrep -f -- "$pattern" | sort -n || true; }

new_since() { comm -13 "$1" <(list); }

case "${1:-}" in
  list) list ;;
  check)
    before="$2"
    for _ in $(seq 1 20); do
      [ -z "$(new_since "$before")" ] && exit 0
      sleep 0.5
    done
    echo "ci: processes the tests started are still running after them (a suite did not stop what it started):" >&2
    for pid in $(new_since "$before"); do
      printf '  pid %s: %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)" >&2
    done
    exit 1
    ;;
  *)
    echo "usage: survivors.sh list | check FILE" >&2
    exit 2
    ;;
esac
