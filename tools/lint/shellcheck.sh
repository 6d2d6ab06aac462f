#!/usr/bin/env bash
# Runs Debian's shellcheck on every shell script git tracks: *.sh and files with a sh/bash shebang.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash tools/setup/ensure-system-packages.sh lint
mapfile -t scripts < <(git ls-files -z | xargs -0 grep -lIE '^#!(/usr/bin/env (ba)?sh|/bin/(ba)?sh)' 2>/dev/null | sort -u)
shellcheck -x "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
