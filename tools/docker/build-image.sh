#!/usr/bin/env bash
# Builds a worker image, or reuses the one the engine holds when nothing it is built from changed.
#   build-image.sh core    -> ${CORE_IMAGE:-nodetool-core:local}   (docker/core/Dockerfile)
#   build-image.sh hf      -> ${HF_IMAGE:-nodetool-hf:local}       (docker/hf/Dockerfile, FROM the core image)
#   build-image.sh server  -> ${SERVER_IMAGE:-nodetool-server:local} (docker/server/Dockerfile, context: the repository)
#   build-image.sh postgres -> ${POSTGRES_IMAGE:-nodetool-postgres:local} (docker/postgres/Dockerfile, Debian's postgresql)
# Build arguments from the environment: BASE_IMAGE, NODETOOL_VERSION (core); HF_VERSION, HF_PROFILE (hf).
# The image carries a label with a hash of its inputs (Dockerfile, context files, build arguments and,
# for hf, the core image id). A rebuild is skipped only when the engine holds an image with that label,
# so a lost image is always rebuilt, and hf is rebuilt whenever core changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
kind="${1:?usage: build-image.sh core|hf|server}"
context="$root/apps/worker"
[ "$kind" != server ] || context="$root"
[ "$kind" != postgres ] || context="$root/docker/postgres"
DOCKER_HOST="$("$root/tools/engine/ensure-engine.sh" | tail -1)"
export DOCKER_HOST

extras="$context/build-extras"
[ "$kind" != server ] || extras="$root/docker/server/build-extras"
# Two builds of the same image at once (the image suites and smoke-e2e) take turns; the second then
# finds the image up to date. flock is util-linux: where it is missing (macOS) builds are not serialized.
if command -v flock >/dev/null 2>&1; then
  mkdir -p "$root/docker/$kind/dist"
  exec 7>"$root/docker/$kind/dist/build.lock"
  flock 7
fi

# pip inside the build trusts this bundle as well (default: the host's, which trusts any inspecting
# proxy the host trusts). Set NODETOOL_BUILD_CA_BUNDLE= (empty) for pip's own. Only the build stages see it.
ca_bundle="${NODETOOL_BUILD_CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}"
# (The postgres image fetches nothing but Debian's packages, through apt's own trust: it takes no bundle.)
if [ "$kind" != postgres ]; then
  if [ -n "$ca_bundle" ] && [ -f "$ca_bundle" ]; then cp -p "$ca_bundle" "$extras/ca/host-bundle.crt"; else rm -f "$extras/ca/host-bundle.crt"; fi
fi

case "$kind" in
  core)
    image="${CORE_IMAGE:-nodetool-core:local}"
    base="$("$root/tools/engine/ensure-base-image.sh" "${BASE_IMAGE:-debian:bookworm-slim}" | tail -1)"
    # The pin of requirements/core.txt is the one source of the version; NODETOOL_VERSION overrides it.
    args=(--build-arg "BASE_IMAGE=$base" --build-arg "NODETOOL_VERSION=${NODETOOL_VERSION:-$(sed -n 's/^nodetool-core==//p' "$context/requirements/core.txt")}")
    extra_input="$(docker image inspect --format '{{.Id}}' "$base")"
    files=("$context/requirements/core.txt" "$context/scripts/healthcheck.py" "$context/scripts/entrypoint.sh" "$context/scripts/prepare-mounts.sh" "$context/scripts/env-parts.sh" "$context/scripts/worker-port.sh" "$context/scripts/tls-setup.sh")
    extras_used=(build-extras/ca compat)
    ;;
  hf)
    image="${HF_IMAGE:-nodetool-hf:local}"
    core="${CORE_IMAGE:-nodetool-core:local}"
    docker image inspect "$core" >/dev/null 2>&1 || { echo "the core image $core is missing: build it first (nx run core-image:build)" >&2; exit 1; }
    profile="${HF_PROFILE:-gpu}"
    if [ "$profile" = cpu ]; then
      # The CPU torch of requirements/hf.txt for the engine's architecture (not the host's: Docker Desktop
      # on an Apple Silicon Mac builds aarch64 images), fetched once into the context. When none can be
      # fetched here, the build installs it from TORCH_INDEX_URL itself.
      arch="$(bash "$context/scripts/cpu-torch.sh" arch "$(docker info --format '{{.Architecture}}')")"
      spec="$(bash "$context/scripts/cpu-torch.sh" spec "$arch")"
      if ! ls "$extras/wheels/torch-${spec#torch==}"*-*"$arch.whl" >/dev/null 2>&1 && \
         ! bash "$context/scripts/cpu-torch.sh" download "$arch" "$extras/wheels"; then
        echo "no local $spec wheel for $arch: the build installs it from ${NODETOOL_TORCH_INDEX_URL:-the PyTorch CPU index}" >&2
      fi
    fi
    args=(--build-arg "CORE_IMAGE=$core" --build-arg "HF_VERSION=${HF_VERSION:-$(sed -n 's/^nodetool-huggingface==//p' "$context/requirements/hf-nodeps.txt")}" --build-arg "HF_PROFILE=$profile")
    [ -z "${NODETOOL_TORCH_INDEX_URL:-}" ] || args+=(--build-arg "TORCH_INDEX_URL=$NODETOOL_TORCH_INDEX_URL")
    extra_input="$(docker image inspect --format '{{.Id}}' "$core")"
    files=("$context/requirements/hf.txt" "$context/requirements/hf-nodeps.txt" "$context/scripts/cpu-torch.sh")
    extras_used=(build-extras)
    ;;
  server)
    image="${SERVER_IMAGE:-nodetool-server:local}"
    base="$("$root/tools/engine/ensure-base-image.sh" "${BASE_IMAGE:-debian:bookworm-slim}" | tail -1)"
    args=(--build-arg "BASE_IMAGE=$base")
    extra_input="$(docker image inspect --format '{{.Id}}' "$base")"
    # What the server and UI are built from: the workspace's sources (tracked or new, never ignored ones).
    mapfile -t files < <(cd "$root" && git ls-files -co --exclude-standard package.json package-lock.json nx.json 'tsconfig*.json' apps/server apps/web apps/cli libs | sed "s|^|$root/|")
    extras_used=(docker/server/build-extras/ca)
    ;;
  postgres)
    image="${POSTGRES_IMAGE:-nodetool-postgres:local}"
    base="$("$root/tools/engine/ensure-base-image.sh" "${BASE_IMAGE:-debian:bookworm-slim}" | tail -1)"
    args=(--build-arg "BASE_IMAGE=$base")
    extra_input="$(docker image inspect --format '{{.Id}}' "$base")"
    files=()
    extras_used=(entrypoint.sh)
    ;;
  *) echo "unknown image kind: $kind (core, hf, server or postgres)" >&2; exit 2 ;;
esac

dockerfile="$root/docker/$kind/Dockerfile"
if command -v sha256sum >/dev/null 2>&1; then sha256=(sha256sum); else sha256=(shasum -a 256); fi
inputs_hash="$( { cat "$dockerfile" "${files[@]}"; printf '%s\n' "${args[@]}" "$extra_input"; (cd "$context" && find "${extras_used[@]}" -type f | sort | xargs "${sha256[@]}"); } | "${sha256[@]}" | cut -c1-32)"
iidfile="$root/docker/$kind/dist/image.iid"
mkdir -p "$(dirname "$iidfile")"

held="$(docker image inspect --format '{{ index .Config.Labels "org.nodetool.inputs" }}' "$image" 2>/dev/null || true)"
if [ "$held" = "$inputs_hash" ]; then
  docker image inspect --format '{{.Id}}' "$image" > "$iidfile"
  echo "$image is up to date (inputs $inputs_hash, $(cut -c8-19 "$iidfile"))"
  exit 0
fi

started=$(date +%s)
echo "building $image from docker/$kind/Dockerfile ($kind inputs $inputs_hash)" >&2
DOCKER_BUILDKIT=0 docker build -f "$dockerfile" "${args[@]}" --label "org.nodetool.inputs=$inputs_hash" \
  -t "$image" --iidfile "$iidfile" "$context" 2> >(grep -v "DEPRECATED: The legacy builder" >&2)
size="$(docker image inspect --format '{{.Size}}' "$image")"
echo "$image built in $(( $(date +%s) - started )) s, $(( size / 1024 / 1024 )) MiB"
