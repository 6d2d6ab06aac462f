#!/usr/bin/env bash
# A new user's first commands, in order, on a fresh clone of this commit (Nx target system-setup:e2e):
#   npm run smoke            installs without native builds (better-sqlite3 is left unbuilt)
#   npm run test:unit        must not trip over that: the server's unit specs open SQLite
#   npx nx run server:serve  must start and answer /health
# Each step's output is kept in the clone's folder; on a failure the last lines say what went wrong.
set -euo pipefail
root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -- "-$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() {
  local name="$1"
  shift
  echo "== $name"
  local started=$SECONDS
  if ! "$@" >"$work/$name.log" 2>&1; then
    tail -n 40 "$work/$name.log"
    echo "smoke-first: '$name' failed after a fresh clone's npm run smoke" >&2
    exit 1
  fi
  echo "   ok in $((SECONDS - started)) s"
}

commit="$(git -C "$root" rev-parse HEAD)"
git clone --quiet --no-hardlinks "$root" "$work/repo"
git -C "$work/repo" checkout --quiet "$commit"
cd "$work/repo"
# The clone has nothing of the working copy: no node_modules, no Python environments, no Nx cache.
export NX_DAEMON=false
step smoke npm run smoke
step test-unit npm run test:unit -- --output-style=static

echo "== server:serve"
export PORT=0 NODETOOL_LOCAL_WORKER=0 NODETOOL_DB="$work/server.db"
setsid npx nx run server:serve --output-style=stream >"$work/serve.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 600))
url=""
while [ -z "$url" ]; do
  if ! kill -0 "$server_pid" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
    tail -n 40 "$work/serve.log"
    echo "smoke-first: server:serve did not start after npm run smoke and npm run test:unit" >&2
    exit 1
  fi
  url="$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$work/serve.log" | head -n 1 | sed 's/listening on //' || true)"
  sleep 1
done
health="$(curl -fsS "$url/health")"
echo "   $url/health: $health"
case "$health" in '{"status":"ok"'*) ;; *) false ;; esac || {
  echo "smoke-first: /health answered $health" >&2
  exit 1
}
echo "smoke-first: npm run smoke, then npm run test:unit, then server:serve: all fine"
