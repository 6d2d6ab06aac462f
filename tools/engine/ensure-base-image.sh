#!/usr/bin/env bash
# Prints the name of a usable base image (last line of stdout).
#   ensure-base-image.sh [IMAGE]     (default: debian:bookworm-slim)
# IMAGE is used when the engine holds it or can pull it. Otherwise (air-gapped, no
# registry) a Debian bookworm base is built from Debian packages with debootstrap and
# imported as localhost/nodetool-base:bookworm, which is printed instead.
set -euo pipefail
wanted="${1:-debian:bookworm-slim}"
fallback="localhost/nodetool-base:bookworm"

if docker image inspect "$wanted" >/dev/null 2>&1; then echo "$wanted"; exit 0; fi
if timeout 30 docker pull -q "$wanted" >/dev/null 2>&1; then echo "$wanted"; exit 0; fi
echo "cannot pull $wanted: using a debootstrap base" >&2
if docker image inspect "$fallback" >/dev/null 2>&1; then echo "$fallback"; exit 0; fi

bash "$(dirname "$0")/../setup/ensure-system-packages.sh" base-image >&2
mirror="${NODETOOL_DEBIAN_MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
echo "debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >&2
rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import - "$fallback" >&2
echo "$fallback"
