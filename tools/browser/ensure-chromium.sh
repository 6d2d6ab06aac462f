#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (the browser the e2e suites drive through
# playwright-core); never downloads a browser build of its own. Prints its path.
set -euo pipefail
# An installed Chromium or Chrome is used as is (CHROMIUM_PATH first); otherwise Debian's package.
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
browser=/usr/bin/chromium
if [ ! -x "$browser" ]; then
  echo "installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
fi
echo "$browser"
