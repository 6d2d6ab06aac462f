#!/usr/bin/env bash
# hadolint on every Dockerfile git tracks, with the repository's .hadolint.yaml.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mapfile -t dockerfiles < <(git ls-files '*Dockerfile*')
tools/lint/.venv/bin/hadolint --config .hadolint.yaml "${dockerfiles[@]}"
echo "hadolint: ${#dockerfiles[@]} Dockerfiles clean"
