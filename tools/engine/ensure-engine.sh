#!/usr/bin/env bash
# Makes sure a Docker engine answers, and prints the DOCKER_HOST to use (last line of stdout).
#   1. the engine DOCKER_HOST (or the default socket) points at, if it answers;
#   2. else our own dockerd under $NODETOOL_ENGINE_DIR, if it is already running;
#   3. else dockerd is started there (overlay2, cgroupfs driver, data, socket and pidfile all in
#      that directory), after tools/setup/ensure-system-packages.sh installed Debian's docker.io if needed.
# Only a daemon this script started is ever stopped (stop-engine.sh, by its pidfile). Two callers at
# once (the image build and an e2e suite) take turns, so only one daemon is ever started.
set -euo pipefail
engine_dir="${NODETOOL_ENGINE_DIR:-/var/lib/nodetool-engine}"
socket="unix://$engine_dir/docker.sock"

answers() { DOCKER_HOST="$1" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then echo "$DOCKER_HOST"; exit 0; fi
if [ -z "${DOCKER_HOST:-}" ] && answers "unix:///var/run/docker.sock"; then echo "unix:///var/run/docker.sock"; exit 0; fi
if answers "$socket"; then echo "$socket"; exit 0; fi

mkdir -p "$engine_dir"
exec 9>"$engine_dir/ensure-engine.lock"
flock 9
if answers "$socket"; then echo "$socket"; exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "no Docker engine answers and dockerd is not installed" >&2
  bash "$(dirname "$0")/../setup/ensure-system-packages.sh" engine
fi
command -v dockerd >/dev/null 2>&1 || { echo "cannot start an engine: no dockerd on PATH" >&2; exit 1; }
command -v docker >/dev/null 2>&1 || { echo "cannot use the engine: no docker client on PATH" >&2; exit 1; }

# A daemon killed without cleanup (a machine or session that stopped) leaves its pidfile behind,
# and dockerd refuses to start while that PID looks alive. Remove it unless it names a running dockerd.
pidfile="$engine_dir/dockerd.pid"
if [ -f "$pidfile" ]; then
  old="$(cat "$pidfile")"
  state="$(awk '{print $3}' "/proc/$old/stat" 2>/dev/null || true)"
  if [ "$(cat "/proc/$old/comm" 2>/dev/null)" != dockerd ] || [ "$state" = Z ]; then rm -f "$pidfile"; fi
fi
echo "starting dockerd in $engine_dir" >&2
nohup dockerd \
  --data-root "$engine_dir/data" --exec-root "$engine_dir/exec" --pidfile "$engine_dir/dockerd.pid" \
  -H "$socket" --storage-driver overlay2 --exec-opt native.cgroupdriver=cgroupfs \
  >"$engine_dir/dockerd.log" 2>&1 9>&- &
daemon=$!
for _ in $(seq 1 60); do
  if answers "$socket"; then echo "$socket"; exit 0; fi
  kill -0 "$daemon" 2>/dev/null || break
  sleep 1
done
echo "dockerd did not come up (it exited, or did not answer within 60 s); last log lines:" >&2
tail -20 "$engine_dir/dockerd.log" >&2
exit 1
