#!/usr/bin/env bash
# make image: build the operator's container image from src/main/docker/Dockerfile.jvm with docker or podman,
# whichever works here, and with PUSH=1 push it.
#
#   make image IMAGE=registry.example.gov.uk/platform/engineer-access-operator PUSH=1
#   scripts/build-image.sh --print-tags     # the two references it would build, and nothing else
#
# Environment: IMAGE, the repository without a tag (default engineer-access-operator, a local name);
# PUSH=1 to push both tags; MVN, the Maven command (default mvn -B).
# Two tags: the chart's appVersion (the tag the chart runs when image.tag is empty) and the same followed by
# the git commit (12 hex digits), so a running image names the code it came from. With uncommitted changes the
# commit tag ends in -dirty, and PUSH=1 refuses: a pushed tag must name code anyone can read.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { echo "image: $*" >&2; }

repository="${IMAGE:-engineer-access-operator}"
# A tag is a colon after the last slash (a registry may have a port: host:5000/name).
if [[ "${repository##*/}" == *:* || "$repository" == *@* ]]; then
  say "IMAGE is the repository without a tag or digest (got '$repository'): the tags are the version and the commit."
  exit 2
fi
version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/engineer-access-operator/Chart.yaml)"
if [[ -z "$version" ]]; then
  say "cannot read appVersion from helm/engineer-access-operator/Chart.yaml."
  exit 1
fi
if ! commit="$(git rev-parse --short=12 HEAD 2>/dev/null)"; then
  say "cannot read the git commit: build from a git checkout of the project."
  exit 1
fi
dirty=""
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  dirty="-dirty"
fi
tags=("$repository:$version" "$repository:$version-$commit$dirty")

if [[ "${1:-}" == "--print-tags" ]]; then
  printf '%s\n' "${tags[@]}"
  exit 0
elif [[ $# -gt 0 ]]; then
  say "usage: [IMAGE=repository] [PUSH=1] scripts/build-image.sh [--print-tags]"
  exit 2
fi

push="${PUSH:-}"
if [[ -n "$push" && "$push" != 0 && -n "$dirty" ]]; then
  say "will not push $repository: the working tree has uncommitted changes, so the commit tag would not name the code in the image. Commit (or stash) them, then run make image PUSH=1 again."
  exit 1
fi

# An engine "works" when it can reach its daemon or storage: `docker info` fails without a daemon.
engine=""
problems=()
for candidate in docker podman; do
  if ! command -v "$candidate" >/dev/null 2>&1; then
    problems+=("$candidate is not installed")
  elif ! "$candidate" info >/dev/null 2>&1; then
    problems+=("$candidate is installed but cannot reach its engine ('$candidate info' fails)")
  else
    engine="$candidate"
    break
  fi
done
if [[ -z "$engine" ]]; then
  {
    echo "image: cannot build the image on this machine: no working docker or podman."
    printf '  - %s\n' "${problems[@]}"
    echo "  Run make image where an engine runs, with IMAGE=<your registry>/engineer-access-operator PUSH=1,"
    echo "  and set the chart's image.repository to that name (the tag defaults to $version)."
  } >&2
  exit 1
fi

say "packaging the operator (mvn package)..."
${MVN:-mvn -B} -q -DskipTests package
say "building ${tags[0]} and ${tags[1]} with $engine..."
"$engine" build -f src/main/docker/Dockerfile.jvm -t "${tags[0]}" -t "${tags[1]}" .
if [[ -z "$push" || "$push" == 0 ]]; then
  say "built ${tags[0]} and ${tags[1]} (not pushed: PUSH=1 pushes them)"
  exit 0
fi
for tag in "${tags[@]}"; do
  say "pushing $tag..."
  "$engine" push "$tag"
done
digest="$("$engine" inspect --format '{{index .RepoDigests 0}}' "${tags[1]}" 2>/dev/null || true)"
say "pushed ${tags[0]} and ${tags[1]}. Install the chart with:"
if [[ "$digest" == *@sha256:* ]]; then
  echo "  --set image.repository=$repository --set image.digest=${digest##*@}"
else
  echo "  --set image.repository=$repository --set image.tag=$version-$commit"
fi
