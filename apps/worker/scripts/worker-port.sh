# shellcheck shell=sh
# worker_port: the port the worker serves on, printed. NODETOOL_WORKER_PORT_ENV may name the variable
# that holds it (a platform that picks the port at start: Vast.ai's VAST_TCP_PORT_70000); else
# NODETOOL_WORKER_PORT, else 7777. A name or value that cannot be a port is an error that says which.
worker_port() {
  name="${NODETOOL_WORKER_PORT_ENV:-}"
  if [ -n "$name" ]; then
    case "$name" in
      *[!A-Za-z0-9_]* | [0-9]*)
        echo "nodetool worker: NODETOOL_WORKER_PORT_ENV must name an environment variable, got \"$name\"" >&2
        return 1
        ;;
    esac
    value="$(printenv "$name" || true)"
    source_name="$name (named by NODETOOL_WORKER_PORT_ENV)"
  else
    value="${NODETOOL_WORKER_PORT:-7777}"
    source_name="NODETOOL_WORKER_PORT"
  fi
  case "$value" in
    '' | *[!0-9]*)
      echo "nodetool worker: $source_name must be a port number, got \"$value\"" >&2
      return 1
      ;;
  esac
  if [ "$value" -lt 1 ] || [ "$value" -gt 65535 ]; then
    echo "nodetool worker: $source_name must be 1-65535, got $value" >&2
    return 1
  fi
  printf '%s\n' "$value"
}
