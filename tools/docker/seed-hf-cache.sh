#!/usr/bin/env bash
# Copies the models of the local HF cache (apps/worker/.hf-home, made by `nx run worker:setup:hf`)
# into a Docker volume mounted at /app/huggingface, so a worker container finds them offline.
#   seed-hf-cache.sh [VOLUME] [IMAGE]   (defaults: nodetool-hf-cache, nodetool-hf:local)
# Existing files in the volume are kept. The copy runs as the worker's user (10001), which owns them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
volume="${1:-nodetool-hf-cache}"
image="${2:-${HF_IMAGE:-nodetool-hf:local}}"
source="${NODETOOL_HF_SEED:-$root/apps/worker/.hf-home}"
[ -d "$source/hub" ] || { echo "nothing to seed: $source/hub is missing (run: npx nx run worker:setup:hf)" >&2; exit 1; }
docker volume create "$volume" >/dev/null
docker run --rm --network none --user 10001:10001 -v "$volume:/app/huggingface" -v "$source:/seed:ro" --entrypoint sh "$image" \
  -c 'mkdir -p /app/huggingface/hub && cp -an /seed/hub/. /app/huggingface/hub/ && ls /app/huggingface/hub'
