#!/usr/bin/env bash
# Runs the HF worker container in the foreground, published on 127.0.0.1 only:
#   ws://127.0.0.1:${NODETOOL_WORKER_PORT:-8787}, token from NODETOOL_WORKER_TOKEN. Unset, the worker is
#   open to this machine only (NODETOOL_WORKER_ALLOW_OPEN=1, which the image needs to start without a token).
# Starts the engine when none answers, seeds the model volume from the local HF cache when there is
# one, and removes the container when stopped. Build the image first: npx nx run hf-image:build
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
DOCKER_HOST="$("$root/tools/engine/ensure-engine.sh" | tail -1)"
export DOCKER_HOST
image="${HF_IMAGE:-nodetool-hf:local}"
name="${NODETOOL_CONTAINER_NAME:-nodetool-hf-worker}"
volume="${NODETOOL_HF_VOLUME:-nodetool-hf-cache}"
port="${NODETOOL_WORKER_PORT:-8787}"
docker image inspect "$image" >/dev/null 2>&1 || { echo "no image $image: run npx nx run hf-image:build" >&2; exit 1; }
if [ -d "$root/apps/worker/.hf-home/hub" ]; then "$root/tools/docker/seed-hf-cache.sh" "$volume" "$image" >/dev/null; fi
docker rm -f "$name" >/dev/null 2>&1 || true
trap 'docker rm -f "$name" >/dev/null 2>&1 || true' EXIT INT TERM
if [ -n "${NODETOOL_WORKER_TOKEN:-}" ]; then
  auth="token required"
  open=0
else
  # Published on this machine's loopback only, so the image may start without a token.
  auth="open to this machine only (no NODETOOL_WORKER_TOKEN)"
  open=1
fi
echo "worker container $name: ws://127.0.0.1:$port, $auth" >&2
# In the background and waited for, so a TERM from Nx or Ctrl-C reaches the trap at once.
docker run --rm --name "$name" --init \
  --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges \
  -p "127.0.0.1:$port:7777" \
  -e NODETOOL_WORKER_TOKEN \
  -e NODETOOL_WORKER_ALLOW_OPEN="$open" \
  -e HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}" \
  -v "$volume:/app/huggingface" \
  "$image" &
wait $!
