#!/usr/bin/env bash
# Chooses and installs the CPU build of the torch pinned in requirements/hf.txt for a machine
# architecture. Used on the host (tools/docker/build-image.sh fetches the wheel for the engine's
# architecture) and inside the HF image build (installs it for the builder's own architecture).
#
#   cpu-torch.sh arch NAME            the normalised architecture (x86_64, aarch64) or an error
#   cpu-torch.sh spec ARCH            the requirement that selects the CPU build on ARCH
#   cpu-torch.sh platforms ARCH       pip --platform tags of a wheel that installs in the image on ARCH
#   cpu-torch.sh download ARCH DIR    fetch that wheel into DIR; exit 1 when none fits
#                                     (x86_64: pip's configured sources plus NODETOOL_TORCH_INDEX_URL;
#                                     aarch64: only NODETOOL_TORCH_INDEX_URL, default PyTorch's CPU index)
#   cpu-torch.sh install WHEELS [INDEX_URL]
#                                     inside the image: a fitting wheel from WHEELS, else from INDEX_URL
#
# Why two specs: on x86_64 PyPI's torch is the CUDA build, so the CPU one is named exactly by the "+cpu"
# local version of PyTorch's CPU index. On aarch64 that index has not always used the label, so "==X"
# (which matches "X+cpu" too: PEP 440 ignores a local label the specifier does not name) is asked of
# that index alone; PyPI's aarch64 wheel of the same version is another, much larger build.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cpu_index=https://download.pytorch.org/whl/cpu

pinned_version() {
  local version
  version="$(sed -n 's/^torch==\([^+ ]*\).*/\1/p' "$here/requirements/hf.txt")"
  [ -n "$version" ] || { echo "cpu-torch: no torch== pin in $here/requirements/hf.txt" >&2; exit 1; }
  echo "$version"
}

normalise_arch() {
  case "$1" in
    x86_64 | amd64) echo x86_64 ;;
    aarch64 | arm64) echo aarch64 ;;
    *) echo "cpu-torch: unsupported architecture '$1' (x86_64/amd64 or aarch64/arm64)" >&2; exit 2 ;;
  esac
}

spec_for() {
  local arch
  arch="$(normalise_arch "$1")"
  case "$arch" in
    x86_64) echo "torch==$(pinned_version)+cpu" ;;
    aarch64) echo "torch==$(pinned_version)" ;;
  esac
}

# manylinux tags pip accepts for a CPython 3.11 wheel in a glibc 2.36 (bookworm) image.
platforms_for() {
  local arch tag
  arch="$(normalise_arch "$1")"
  for tag in manylinux_2_28 manylinux_2_17 manylinux2014 linux; do echo "${tag}_$arch"; done
}

command="${1:-}"
case "$command" in
  arch) normalise_arch "${2:?usage: cpu-torch.sh arch NAME}" ;;
  spec) spec_for "${2:?usage: cpu-torch.sh spec ARCH}" ;;
  platforms) platforms_for "${2:?usage: cpu-torch.sh platforms ARCH}" ;;
  download)
    arch="${2:?usage: cpu-torch.sh download ARCH DIR}"
    dir="${3:?usage: cpu-torch.sh download ARCH DIR}"
    spec="$(spec_for "$arch")"
    platform_args=()
    for tag in $(platforms_for "$arch"); do platform_args+=(--platform "$tag"); done
    if [ "$(normalise_arch "$arch")" = aarch64 ]; then
      index_args=(--index-url "${NODETOOL_TORCH_INDEX_URL:-$cpu_index}")
    else
      index_args=()
      [ -z "${NODETOOL_TORCH_INDEX_URL:-}" ] || index_args=(--extra-index-url "$NODETOOL_TORCH_INDEX_URL")
    fi
    mkdir -p "$dir"
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
      "${platform_args[@]}" "${index_args[@]}" -q -d "$dir" "$spec" \
      2> >(grep -v "is ignored: it is neither" >&2)
    ;;
  install)
    wheels="${2:?usage: cpu-torch.sh install WHEELS_DIR [INDEX_URL]}"
    index="${3:-}"
    spec="$(spec_for "$(uname -m)")"
    # Only the torch wheel here, without dependencies: requirements/hf.txt pins those.
    if pip install --no-cache-dir --no-deps --no-index --find-links "$wheels" "$spec" >/dev/null 2>&1; then
      echo "cpu-torch: $spec from the wheel in the build context"
    elif [ -n "$index" ]; then
      echo "cpu-torch: no wheel in the build context fits $(uname -m); $spec from $index"
      pip install --no-cache-dir --no-deps --index-url "$index" "$spec"
    else
      echo "cpu-torch: no wheel in the build context fits $(uname -m) and no TORCH_INDEX_URL: $spec from PyPI"
      pip install --no-cache-dir --no-deps "$spec"
    fi
    ;;
  *) echo "usage: cpu-torch.sh arch|spec|platforms|download|install ..." >&2; exit 2 ;;
esac
