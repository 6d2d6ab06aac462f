#!/usr/bin/env bash
# Builds a worker image, or reuses the one the engine holds when nothing it is built from changed.
#   build-image.sh core    -> ${CORE_IMAGE:-nodetool-core:local}   (docker/core/Dockerfile)
#   build-image.sh hf      -> ${HF_IMAGE:-nodetool-hf:local}       (docker/hf/Dockerfile, FROM the core image)
# Build arguments from the environment: BASE_IMAGE, NODETOOL_VERSION (core); HF_VERSION, HF_PROFILE (hf).
# The image carries a label with a hash of its inputs (Dockerfile, context files, build arguments and,
# for hf, the core image id). A rebuild is skipped only when the engine holds an image with that label,
# so a lost image is always rebuilt, and hf is rebuilt whenever core changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
kind="${1:?usage: build-image.sh core|hf}"
context="$root/apps/worker"
DOCKER_HOST="$("$root/tools/engine/ensure-engine.sh" | tail -1)"
export DOCKER_HOST

# pip inside the build verifies TLS against this bundle (default: the host's, which trusts any
# inspecting proxy the host trusts). Set NODETOOL_BUILD_CA_BUNDLE= (empty) to use pip's own.
mkdir -p "$context/.build-ca" "$context/.wheels"
ca_bundle="${NODETOOL_BUILD_CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}"
if [ -n "$ca_bundle" ] && [ -f "$ca_bundle" ]; then cp -p "$ca_bundle" "$context/.build-ca/bundle.crt"; else rm -f "$context/.build-ca/bundle.crt"; fi

case "$kind" in
  core)
    image="${CORE_IMAGE:-nodetool-core:local}"
    base="$("$root/tools/engine/ensure-base-image.sh" "${BASE_IMAGE:-debian:bookworm-slim}" | tail -1)"
    args=(--build-arg "BASE_IMAGE=$base" --build-arg "NODETOOL_VERSION=${NODETOOL_VERSION:-0.8.2}")
    extra_input="$(docker image inspect --format '{{.Id}}' "$base")"
    files=("$context/requirements/core.txt" "$context/scripts/healthcheck.py")
    wheel_inputs=
    ;;
  hf)
    image="${HF_IMAGE:-nodetool-hf:local}"
    core="${CORE_IMAGE:-nodetool-core:local}"
    docker image inspect "$core" >/dev/null 2>&1 || { echo "the core image $core is missing: build it first (nx run core-image:build)" >&2; exit 1; }
    profile="${HF_PROFILE:-gpu}"
    if [ "$profile" = cpu ] && ! ls "$context"/.wheels/torch-*.whl >/dev/null 2>&1; then
      # The CPU torch wheel pinned in requirements/hf.txt, from pip's own sources (a local wheel store here).
      torch_pin="$(grep -E '^torch==' "$context/requirements/hf.txt")"
      python3 -m pip download --no-deps --only-binary=:all: --python-version 3.11 -q -d "$context/.wheels" \
        ${NODETOOL_TORCH_INDEX_URL:+--extra-index-url "$NODETOOL_TORCH_INDEX_URL"} "$torch_pin" \
        2> >(grep -v "is ignored: it is neither" >&2)
    fi
    args=(--build-arg "CORE_IMAGE=$core" --build-arg "HF_VERSION=${HF_VERSION:-0.8.2}" --build-arg "HF_PROFILE=$profile")
    extra_input="$(docker image inspect --format '{{.Id}}' "$core")"
    files=("$context/requirements/hf.txt" "$context/requirements/hf-nodeps.txt")
    wheel_inputs="$(cd "$context" && ls .wheels/*.whl 2>/dev/null || true)"
    ;;
  *) echo "unknown image kind: $kind (core or hf)" >&2; exit 2 ;;
esac

dockerfile="$root/docker/$kind/Dockerfile"
inputs_hash="$( { cat "$dockerfile" "${files[@]}"; printf '%s\n' "${args[@]}" "$extra_input"; (cd "$context" && sha256sum .build-ca/* $wheel_inputs 2>/dev/null || true); } | sha256sum | cut -c1-32)"
iidfile="$root/docker/$kind/dist/image.iid"
mkdir -p "$(dirname "$iidfile")"

held="$(docker image inspect --format '{{ index .Config.Labels "org.nodetool.inputs" }}' "$image" 2>/dev/null || true)"
if [ "$held" = "$inputs_hash" ]; then
  docker image inspect --format '{{.Id}}' "$image" > "$iidfile"
  echo "$image is up to date (inputs $inputs_hash, $(cat "$iidfile" | cut -c8-19))"
  exit 0
fi

started=$(date +%s)
echo "building $image from docker/$kind/Dockerfile ($kind inputs $inputs_hash)" >&2
DOCKER_BUILDKIT=0 docker build -f "$dockerfile" "${args[@]}" --label "org.nodetool.inputs=$inputs_hash" \
  -t "$image" --iidfile "$iidfile" "$context" 2> >(grep -v "DEPRECATED: The legacy builder" >&2)
size="$(docker image inspect --format '{{.Size}}' "$image")"
echo "$image built in $(( $(date +%s) - started )) s, $(( size / 1024 / 1024 )) MiB"
