#!/usr/bin/env bash
# The one place the project installs system packages. Everything else (the engine, the base image,
# the browser, compose) calls this script with what it needs instead of running apt-get itself.
#
#   ensure-system-packages.sh [--check] [NEED...]     NEED: engine base-image browser compose lint dns registry metrics database
#
# With no NEED (the Nx target system-setup:install, which the image builds and e2e suites depend on)
# it installs everything the project uses, in one transaction. On a machine without apt-get (macOS with
# Docker Desktop, say) that mode only reports what is missing, since each step that needs a tool checks
# for it itself and says what to install; a NEED named explicitly is required, so its absence fails.
#
# A need that is already met (a command on PATH, an engine that answers, a browser found) installs
# nothing, so a second run never calls apt-get. What is missing is installed in one apt transaction,
# under a lock of our own (so two of our tasks never race) and with DPkg::Lock::Timeout (so an apt
# run of someone else is waited for, not failed on). --check only reports, exit 1 when something is missing.
set -euo pipefail
lock_file="${NODETOOL_SYSTEM_LOCK:-/var/lock/nodetool-system-packages.lock}"
apt_wait_seconds="${NODETOOL_APT_LOCK_TIMEOUT:-600}"

check_only=false
explicit=true
needs=()
for arg in "$@"; do
  case "$arg" in
    --check) check_only=true ;;
    engine | base-image | browser | compose | lint | dns | registry | metrics | database) needs+=("$arg") ;;
    *) echo "ensure-system-packages: unknown need '$arg' (engine, base-image, browser, compose, lint, dns, registry, metrics, database)" >&2; exit 2 ;;
  esac
done
[ ${#needs[@]} -gt 0 ] || { explicit=false; needs=(engine base-image browser compose lint dns registry metrics database); }

engine_answers() {
  local host
  for host in "${DOCKER_HOST:-}" unix:///var/run/docker.sock "unix://${NODETOOL_ENGINE_DIR:-/var/lib/nodetool-engine}/docker.sock"; do
    [ -n "$host" ] || continue
    DOCKER_HOST="$host" timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && return 0
  done
  return 1
}

# met NEED: is it satisfied already? package NEED: the Debian package that satisfies it.
met() {
  case "$1" in
    engine) command -v dockerd >/dev/null 2>&1 || { command -v docker >/dev/null 2>&1 && engine_answers; } ;;
    # debootstrap builds the base only where no registry answers; it exists only on Linux.
    base-image) command -v debootstrap >/dev/null 2>&1 || [ "$(uname -s)" != Linux ] ;;
    browser) bash "$(dirname "$0")/../browser/find-chromium.sh" >/dev/null 2>&1 ;;
    compose) docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 ;;
    lint) command -v shellcheck >/dev/null 2>&1 ;;
    # A real DNS server for the worker-discovery suite (dnsmasq-base: the binary, no system service).
    dns) command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] ;;
    # A real registry on loopback for the image release suite (the binary; its service is never used).
    registry) command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] ;;
    # A real Prometheus for the metrics suite (the binary; its service is never used).
    metrics) command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] ;;
    # A real PostgreSQL for the database suites (the binaries; the package's cluster and service are never used).
    database) compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null ;;
  esac
}
package() {
  case "$1" in
    engine) echo docker.io ;;
    base-image) echo debootstrap ;;
    browser) echo chromium ;;
    compose) echo docker-compose ;;
    lint) echo shellcheck ;;
    dns) echo dnsmasq-base ;;
    registry) echo docker-registry ;;
    metrics) echo prometheus ;;
    database) echo postgresql ;;
  esac
}
missing_packages() {
  local need
  for need in "${needs[@]}"; do met "$need" || package "$need"; done
}

read -r -a missing <<<"$(missing_packages | tr "\n" " ")"
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: nothing to install (${needs[*]} present)" >&2
  exit 0
fi
if [ "$check_only" = true ]; then
  echo "system packages: missing ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system packages: ${missing[*]} missing and this machine has no apt-get; install the equivalent" \
    "(a Docker engine such as Docker Desktop, Chromium or Chrome with CHROMIUM_PATH, docker compose)" >&2
  [ "$explicit" = false ] && exit 0
  exit 1
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  # CI runners and many workstations allow sudo without a password; never prompt for one.
  if sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "system packages: ${missing[*]} missing; installing them needs root: sudo $0 ${needs[*]}" >&2
    exit 1
  fi
fi

[ -w "$(dirname "$lock_file")" ] || lock_file="${TMPDIR:-/tmp}/nodetool-system-packages.lock"
exec 8>"$lock_file"
if ! flock -n 8; then
  echo "system packages: another of our installs is running; waiting for it" >&2
  flock 8
fi
# The install that held the lock may have installed what we need.
read -r -a missing <<<"$(missing_packages | tr "\n" " ")"
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: installed meanwhile by another task" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt_options=(-o "DPkg::Lock::Timeout=$apt_wait_seconds" -y -qq --no-install-recommends)
echo "system packages: installing ${missing[*]} (one apt transaction)" >&2
started=$(date +%s)
# `apt-get update` takes the lists lock, which DPkg::Lock::Timeout does not cover in every apt version.
updated=false
for _ in $(seq 1 "$((apt_wait_seconds / 5))"); do
  if output="$("${as_root[@]}" apt-get -o "DPkg::Lock::Timeout=$apt_wait_seconds" update -qq 2>&1)"; then updated=true; break; fi
  grep -q 'Could not get lock' <<<"$output" || { echo "$output" >&2; break; }
  sleep 5
done
if [ "$updated" != true ]; then
  echo "system packages: apt-get update failed, so ${missing[*]} could not be installed" >&2
  exit 1
fi
# No package may start a service of its own (PostgreSQL's cluster, the engine's daemon): the suites start
# what they use, on their own ports. policy-rc.d is Debian's switch for it, set only for this transaction.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  "${as_root[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
  trap '"${as_root[@]}" rm -f "$policy"' EXIT
fi
if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_options[@]}" install "${missing[@]}" >&2; then
  echo "system packages: apt-get install ${missing[*]} failed (output above)" >&2
  exit 1
fi
read -r -a still <<<"$(missing_packages | tr "\n" " ")"
if [ ${#still[@]} -gt 0 ]; then
  echo "system packages: apt-get reported success but ${still[*]} still do not work" >&2
  exit 1
fi
echo "system packages: installed ${missing[*]} in $(( $(date +%s) - started )) s" >&2
