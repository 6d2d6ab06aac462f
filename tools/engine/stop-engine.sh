#!/usr/bin/env bash
# Stops the dockerd that ensure-engine.sh started (by its pidfile); leaves any other engine alone.
set -euo pipefail
engine_dir="${NODETOOL_ENGINE_DIR:-/var/lib/nodetool-engine}"
pidfile="$engine_dir/dockerd.pid"
[ -f "$pidfile" ] || { echo "no engine of ours is running" >&2; exit 0; }
pid="$(cat "$pidfile")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
fi
rm -f "$pidfile"
echo "engine stopped" >&2
