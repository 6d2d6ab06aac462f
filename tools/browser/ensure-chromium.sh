#!/usr/bin/env bash
# Makes sure a Chromium is installed (Debian's package through the project's one system-package
# step when none is found) and prints its path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/../setup/ensure-system-packages.sh" browser
bash "$here/find-chromium.sh"
