#!/usr/bin/env bash
# Runs the real worker (python -m nodetool.worker) from the project environment.
#   serve.sh        core worker with the test fixture nodes
#   serve.sh hf     with nodetool-huggingface and the offline model cache
# Host, port and token come from NODETOOL_WORKER_HOST / _PORT / _TOKEN. Without a token it serves this
# machine's loopback only: any other host needs a token (or NODETOOL_WORKER_ALLOW_OPEN=1).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
flavour="${1:-core}"
if [ "$flavour" = hf ]; then default_venv="$here/.venv-hf"; else default_venv="$here/.venv"; fi
venv="${NODETOOL_WORKER_VENV:-$default_venv}"
export NODETOOL_WORKER_HOST="${NODETOOL_WORKER_HOST:-127.0.0.1}"
export NODETOOL_WORKER_PORT="${NODETOOL_WORKER_PORT:-8787}"
if [ "$flavour" = hf ]; then
  # The environment's .pth sets these too; exported here so they show in the banner's process.
  export HF_HOME="${HF_HOME:-$here/.hf-home}"
  export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
fi
if [ -n "${NODETOOL_WORKER_TOKEN:-}" ]; then
  auth="token required"
else
  case "$NODETOOL_WORKER_HOST" in
    127.* | localhost | ::1) ;;
    *)
      if [ "${NODETOOL_WORKER_ALLOW_OPEN:-0}" != 1 ]; then
        echo "worker: refusing to serve $NODETOOL_WORKER_HOST without a token: set NODETOOL_WORKER_TOKEN (NODETOOL_WORKER_ALLOW_OPEN=1 only for a network no one else reaches)" >&2
        exit 64
      fi
      ;;
  esac
  auth="open (no NODETOOL_WORKER_TOKEN)"
fi
echo "worker ($flavour): ws://$NODETOOL_WORKER_HOST:$NODETOOL_WORKER_PORT, $auth" >&2
exec "$venv/bin/python" -m nodetool.worker --host "$NODETOOL_WORKER_HOST" --port "$NODETOOL_WORKER_PORT"
