#!/usr/bin/env bash
# Gets smoke-e2e what it drives: a browser (required: without one the suite fails here, saying so), the
# HF worker image, the server image and the Postgres image. Only when no container engine can be started at all does the suite drive a local
# worker process instead, and this script says why. The choice goes to dist/worker-choice.json, which
# the suite reads and checks against the worker it really drove.
#   NODETOOL_SMOKE_WORKER=container   never fall back: no engine is a failure (always so in CI, CI=true)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
choice="$root/apps/smoke-e2e/dist/worker-choice.json"
mkdir -p "$(dirname "$choice")"
rm -f "$choice"
write_choice() { node -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ worker: process.argv[2], reason: process.argv[3] }) + "\n")' "$choice" "$1" "$2"; }

if ! browser="$(bash "$root/tools/browser/ensure-chromium.sh")"; then
  echo "smoke-e2e: no browser could be installed or found (see above); the suite needs one" >&2
  exit 1
fi
echo "smoke-e2e: browser $browser" >&2

if engine_output="$(bash "$root/tools/engine/ensure-engine.sh" 2>&1)"; then
  DOCKER_HOST="$(tail -1 <<<"$engine_output")"
  export DOCKER_HOST
  bash "$root/tools/docker/build-image.sh" core
  HF_PROFILE="${HF_PROFILE:-cpu}" bash "$root/tools/docker/build-image.sh" hf
  # The compose stack suite runs the server image beside the workers.
  bash "$root/tools/docker/build-image.sh" server
  # And the compose stack on Postgres, its database image built from Debian's package.
  bash "$root/tools/docker/build-image.sh" postgres
  write_choice container "the engine at $DOCKER_HOST answers and holds ${HF_IMAGE:-nodetool-hf:local}"
  echo "smoke-e2e: the suite drives the HF worker container" >&2
  exit 0
fi

reason="$(grep -v '^$' <<<"$engine_output" | tail -1)"
if [ "${NODETOOL_SMOKE_WORKER:-}" = container ] || [ "${CI:-}" = true ]; then
  why="NODETOOL_SMOKE_WORKER=container"
  [ "${CI:-}" = true ] && why="CI=true, where the suites run their real parts or fail"
  echo "smoke-e2e: no container engine could be started ($reason), and $why: the worker container and the compose stack cannot run" >&2
  exit 1
fi
echo "smoke-e2e: no container engine could be started ($reason): falling back to a local worker process" >&2
write_choice process "no container engine could be started: $reason"
