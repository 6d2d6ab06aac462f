#!/usr/bin/env bash
# The providers' own clients, for the integration suite to run against our fixtures (the oracle):
#   libs/providers/oracle/.venv-runpod   runpod (PyPI), pinned in requirements-runpod.txt
#   libs/providers/oracle/.venv-vast     vastai (PyPI), pinned in requirements-vast.txt
#   libs/providers/oracle/.venv-skypilot skypilot[runpod] (PyPI), pinned in requirements-skypilot.txt:
#                                        its RunPod provisioner rents interruptible pods, runpod-python cannot
# One environment each because they pin conflicting versions (cryptography, runpod). Idempotent: a stamp of
# the inputs is kept, so an unchanged setup returns at once. Nothing here is shipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${NODETOOL_SETUP_PYTHON:-python3}"

setup_one() {
  local name="$1" venv="$here/.venv-$1" requirements="$here/requirements-$1.txt"
  local stamp_file="$venv/.nodetool-oracle" stamp
  mkdir -p "$(dirname "$venv")"
  exec 9>"$venv.lock"
  flock 9
  stamp="$("$python" -V 2>&1) $(cat "$requirements" "$here/setup.sh" | sha256sum | cut -c1-16)"
  if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    echo "oracle environment ($name) is up to date: $venv"
    return 0
  fi
  local started
  started=$(date +%s)
  # No stamp while installing: a half-built environment must never look ready.
  rm -f "$stamp_file"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$requirements" 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$stamp" > "$stamp_file"
  echo "oracle environment ($name) ready in $(( $(date +%s) - started )) s: $venv"
  exec 9>&-
}

setup_one runpod
setup_one vast
setup_one skypilot
