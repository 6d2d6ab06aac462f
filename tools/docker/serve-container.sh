#!/usr/bin/env bash
# Runs the HF worker container in the foreground, published on 127.0.0.1 only:
#   ws://127.0.0.1:${NODETOOL_WORKER_PORT:-8787}, token from NODETOOL_WORKER_TOKEN (unset: open worker).
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
if [ -n "${NODETOOL_WORKER_TOKEN:-}" ]; then auth="token required"; else auth="open (no NODETOOL_WORKER_TOKEN)"; fi
echo "worker container $name: ws://127.0.0.1:$port, $auth" >&2
# In the background and waited for, so a TERM from Nx or Ctrl-C reaches the trap at once.
docker run --rm --name "$name" --init \
  -p "127.0.0.1:$port:7777" \
  -e NODETOOL_WORKER_TOKEN \
  -e HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}" \
  -v "$volume:/app/huggingface" \
  "$image" &
wait $!
