#!/usr/bin/env bash
# The Kubernetes manifests (deploy/kubernetes) against the API schemas of the oldest and newest
# Kubernetes we claim, offline, strict (an unknown field fails). No cluster is involved: this proves
# the manifests are well-formed resources of those versions, not that a cluster accepts them.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
validate=tools/lint/.venv/bin/kubernetes-validate
# The autoscaling folder's core resources too; KEDA's ScaledObject is a custom resource, checked against
# KEDA's own schema instead (apps/server/src/observability/autoscalingManifests.spec.ts).
mapfile -t manifests < <(find deploy/kubernetes deploy/kubernetes-autoscaling -name '*.yaml' ! -name 'keda-*' | sort)
[ ${#manifests[@]} -gt 0 ] || { echo "kubernetes: no manifests under deploy/kubernetes" >&2; exit 1; }
for version in 1.29.0 1.37.0; do
  "$validate" --strict --quiet -k "$version" "${manifests[@]}"
done
# The check must be able to fail: a manifest with a misspelt field is refused.
probe="$(mktemp --suffix=.yaml)"
trap 'rm -f "$probe"' EXIT
sed 's/containerPort:/containerPrt:/' deploy/kubernetes/hf-worker-deployment.yaml >"$probe"
if "$validate" --strict --quiet "$probe" >/dev/null 2>&1; then
  echo "kubernetes: the validator accepted a misspelt field; it checks nothing" >&2
  exit 1
fi
echo "kubernetes: ${#manifests[@]} manifests valid for Kubernetes 1.29 and 1.37 (strict)"
