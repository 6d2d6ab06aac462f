#!/bin/sh
# Entrypoint of the worker images. In order:
#  1. The token may come from a file (NODETOOL_WORKER_TOKEN_FILE, the Docker secrets convention) rather
#     than an environment value that `docker inspect` shows; it is read here and handed to the worker only.
#  2. NODETOOL_WORKER_PORT_ENV names a variable holding the port (Vast.ai's identity mapping puts the real
#     number of `-p 70000:70000` in VAST_TCP_PORT_70000), so the platform decides the port at start.
#  3. TLS on the worker's own port (tls-setup.sh): stunnel, from Debian, terminates TLS on the published
#     port and forwards the bytes to the worker bound to loopback; no HTTP hop, no frame limit of its own.
# Then the command (the worker, by default) runs.
set -eu
if [ -n "${NODETOOL_WORKER_TOKEN_FILE:-}" ]; then
  file="$NODETOOL_WORKER_TOKEN_FILE"
  if [ -n "${NODETOOL_WORKER_TOKEN:-}" ]; then
    echo "nodetool worker: both NODETOOL_WORKER_TOKEN and NODETOOL_WORKER_TOKEN_FILE are set; set one" >&2
    exit 64
  fi
  if [ ! -f "$file" ] || [ ! -r "$file" ]; then
    echo "nodetool worker: cannot read the token file $file as uid $(id -u): it must exist and be readable by that user" \
      "(a compose secret keeps the host file's mode: chmod 644 it, or chown it to uid $(id -u))" >&2
    exit 64
  fi
  token="$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$file")"
  if [ -z "$token" ]; then
    echo "nodetool worker: the token file $file is empty" >&2
    exit 64
  fi
  export NODETOOL_WORKER_TOKEN="$token"
  unset token
fi

# shellcheck source=apps/worker/scripts/worker-port.sh
. /opt/nodetool/worker-port.sh
NODETOOL_WORKER_PORT="$(worker_port)" || exit 64
export NODETOOL_WORKER_PORT

# shellcheck source=apps/worker/scripts/tls-setup.sh
. /opt/nodetool/tls-setup.sh
start_tls_terminator || exit 64
exec "$@"
