#!/usr/bin/env bash
# Installs the compatibility patches (nodetool_worker_compat) into a worker environment:
#   bash apps/worker/compat/install.sh <python of the environment>
# Used by apps/worker/scripts/setup.sh and the core image; the patches gate themselves by version.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${1:?usage: install.sh <python>}"
site="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
rm -rf "$site/nodetool_worker_compat"
cp -R "$here/nodetool_worker_compat" "$site/nodetool_worker_compat"
find "$site/nodetool_worker_compat" -name '__pycache__' -prune -exec rm -rf {} +
cp "$here/nodetool_worker_compat.pth" "$site/nodetool_worker_compat.pth"
