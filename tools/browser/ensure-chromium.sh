#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (the browser the e2e suites drive through
# playwright-core); never downloads a browser build of its own. Prints its path.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$browser" ]; then
  echo "installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
fi
echo "$browser"
