#!/usr/bin/env bash
# Points an environment of the Argo CD app-of-apps at new images: sets `images.registry` and
# `images.tag` in argocd/apps/values-<env>.yaml (the two lines under `images:`; comments and the
# rest of the file stay as they are). The pipeline runs it for dev on every build of main
# (jenkins/Jenkinsfile, stage GitOps); prod is promoted by committing its result by hand.
#
#   jenkins/bump-image-tag.sh dev|prod REGISTRY TAG     e.g. dev 1234.dkr.ecr.eu-west-1.amazonaws.com/fleet 3f2a9c1d0b7e
#
# Environment: FLEET_ARGOCD_APPS (default: argocd/apps next to this script), for tests.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 dev|prod REGISTRY TAG" >&2
    exit 2
fi
env_name="$1" registry="$2" tag="$3"
apps_dir="${FLEET_ARGOCD_APPS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/argocd/apps}"
file="$apps_dir/values-$env_name.yaml"

[[ -f "$file" ]] || { echo "no such environment: $file" >&2; exit 2; }
# A Docker tag; a registry host with an optional path (no scheme, no tag).
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "not an image tag: $tag" >&2; exit 2; }
[[ "$registry" =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$ ]] || { echo "not a registry: $registry" >&2; exit 2; }

# Rewrite the registry:/tag: lines of the top-level images: block only.
tmp="$(mktemp "$file.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
awk -v registry="$registry" -v tag="$tag" '
    /^[^ #]/ { in_images = ($0 ~ /^images:[ ]*$/) }
    in_images && /^  registry:/ { print "  registry: \"" registry "\""; r++; next }
    in_images && /^  tag:/      { print "  tag: \"" tag "\""; t++; next }
    { print }
    END { if (r != 1 || t != 1) exit 1 }
' "$file" >"$tmp" || { echo "$file: expected one images.registry and one images.tag line" >&2; exit 1; }
mv "$tmp" "$file"
trap - EXIT
echo "$file: images.registry=$registry images.tag=$tag"
