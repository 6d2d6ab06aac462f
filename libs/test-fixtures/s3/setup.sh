#!/usr/bin/env bash
# moto's server mode for the asset-store suites: libs/test-fixtures/s3/.venv, pinned in
# requirements.txt. Idempotent: a stamp of the inputs is kept, so an unchanged setup returns at once.
# Nothing here is shipped.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${NODETOOL_SETUP_PYTHON:-python3}"
venv="$here/.venv"
stamp_file="$venv/.nodetool-s3"
exec 9>"$here/.venv.lock"
flock 9
stamp="$("$python" -V 2>&1) $(cat "$here/requirements.txt" "$here/setup.sh" | sha256sum | cut -c1-16)"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
  echo "S3 test server environment is up to date: $venv"
  exit 0
fi
started=$(date +%s)
# No stamp while installing: a half-built environment must never look ready.
rm -f "$stamp_file"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$here/requirements.txt" 2> >(grep -v "is ignored: it is neither" >&2)
echo "$stamp" > "$stamp_file"
echo "S3 test server environment ready in $(( $(date +%s) - started )) s: $venv"
