#!/usr/bin/env bash
# Prints the path of an installed Chromium or Chrome (CHROMIUM_PATH first), or fails.
# The browser the e2e suites drive through playwright-core; never a downloaded browser build.
set -euo pipefail
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome \
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" "/Applications/Chromium.app/Contents/MacOS/Chromium"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
echo "no Chromium or Chrome found (set CHROMIUM_PATH, or run tools/browser/ensure-chromium.sh)" >&2
exit 1
