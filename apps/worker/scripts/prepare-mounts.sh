# shellcheck shell=sh
# prepare_mounts: run as root, before the entrypoint drops to the worker's user. A provider mounts its
# volume root-owned (RunPod /workspace, Vast.ai /data, a host directory), so the directories the worker
# writes under it, HF_HOME and the TLS directory, are made and given to uid 10001 here; the rest of the
# volume is left as it is. Nothing else runs as root.
WORKER_UID=10001

prepare_mounts() {
  for dir in "${HF_HOME:-}" "${NODETOOL_WORKER_TLS_DIR:-}"; do
    [ -n "$dir" ] || continue
    case "$dir" in
      /) echo "nodetool worker: refusing to give / to the worker (HF_HOME or NODETOOL_WORKER_TLS_DIR)" >&2; return 1 ;;
      /*) ;;
      *) echo "nodetool worker: HF_HOME and NODETOOL_WORKER_TLS_DIR must be absolute paths, got \"$dir\"" >&2; return 1 ;;
    esac
    if ! mkdir -p "$dir"; then
      echo "nodetool worker: cannot create $dir as root (a read-only mount?)" >&2
      return 1
    fi
    # Only the first time: a cache the worker already owns may hold many files.
    if [ "$(stat -c %u "$dir")" != "$WORKER_UID" ] && ! chown -R "$WORKER_UID:$WORKER_UID" "$dir"; then
      echo "nodetool worker: cannot give $dir to uid $WORKER_UID (started as root without CAP_CHOWN?)" >&2
      return 1
    fi
  done
}
