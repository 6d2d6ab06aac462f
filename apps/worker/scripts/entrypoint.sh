#!/bin/sh
# Entrypoint of the worker images. In order:
#  0. Started as root (a provider's host runs the image so: RunPod, Vast.ai, plain `docker run`): the
#     directories the worker writes under a root-owned volume are made its own (prepare-mounts.sh), and
#     the process drops to uid 10001 for good, with no capabilities and no way back (setpriv), before
#     anything reads a setting or a secret. Started as 10001 (compose, Kubernetes): nothing to do.
#  1. The token may come from a file (NODETOOL_WORKER_TOKEN_FILE, the Docker secrets convention) rather
#     than an environment value that `docker inspect` shows; it is read here and handed to the worker only.
#  2. Values a platform could only carry in parts (Vast.ai: 256 characters each) are joined (env-parts.sh).
#  3. No token, no worker: the worker would answer anyone who reaches its port. NODETOOL_WORKER_ALLOW_OPEN=1
#     is for a port only this machine can reach (`nx run worker:serve:container` publishes on 127.0.0.1).
#  4. NODETOOL_WORKER_PORT_ENV names a variable holding the port (Vast.ai's identity mapping puts the real
#     number of `-p 70000:70000` in VAST_TCP_PORT_70000), so the platform decides the port at start.
#  5. TLS on the worker's own port (tls-setup.sh): stunnel, from Debian, terminates TLS on the published
#     port and forwards the bytes to the worker bound to loopback; no HTTP hop, no frame limit of its own.
# Then the command (the worker, by default) runs.
set -eu
if [ "$(id -u)" = 0 ]; then
  # shellcheck source=apps/worker/scripts/prepare-mounts.sh
  . /opt/nodetool/prepare-mounts.sh
  prepare_mounts || exit 64
  export HOME=/home/nodetool USER=nodetool
  exec setpriv --reuid=10001 --regid=10001 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "$0" "$@"
fi

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

# shellcheck source=apps/worker/scripts/env-parts.sh
. /opt/nodetool/env-parts.sh
join_env_parts || exit 64

case "${NODETOOL_WORKER_ALLOW_OPEN:-0}" in
  0 | 1) ;;
  *)
    echo "nodetool worker: NODETOOL_WORKER_ALLOW_OPEN must be 1 or 0, got \"$NODETOOL_WORKER_ALLOW_OPEN\"" >&2
    exit 64
    ;;
esac
starts_worker=false
for arg in "$@"; do
  if [ "$arg" = nodetool.worker ]; then starts_worker=true; fi
done
if [ "$starts_worker" = true ] && [ -z "${NODETOOL_WORKER_TOKEN:-}" ] && [ "${NODETOOL_WORKER_ALLOW_OPEN:-0}" != 1 ]; then
  echo "nodetool worker: refusing to start without a token: set NODETOOL_WORKER_TOKEN or NODETOOL_WORKER_TOKEN_FILE (NODETOOL_WORKER_ALLOW_OPEN=1 only for a port no one else can reach)" >&2
  exit 64
fi
if [ -n "${HF_HOME:-}" ] && ! { mkdir -p "$HF_HOME" 2>/dev/null && [ -w "$HF_HOME" ]; }; then
  echo "nodetool worker: warning: HF_HOME $HF_HOME is not writable by uid $(id -u), so models cannot be downloaded into it" \
    "(start the container as root, which makes it the worker's, or give the volume to uid 10001)" >&2
fi

# shellcheck source=apps/worker/scripts/worker-port.sh
. /opt/nodetool/worker-port.sh
NODETOOL_WORKER_PORT="$(worker_port)" || exit 64
export NODETOOL_WORKER_PORT

# shellcheck source=apps/worker/scripts/tls-setup.sh
. /opt/nodetool/tls-setup.sh
start_tls_terminator || exit 64
exec "$@"
