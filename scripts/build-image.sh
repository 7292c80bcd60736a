#!/usr/bin/env bash
# make image: build the operator's container image from src/main/docker/Dockerfile.jvm with docker or
# podman, whichever works here. Usage: scripts/build-image.sh [IMAGE] (default: engineer-access-operator:<appVersion>)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/engineer-access-operator/Chart.yaml)"
image="${1:-engineer-access-operator:$version}"

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
    echo "  Build it where an engine runs (mvn package, then"
    echo "  docker build -f src/main/docker/Dockerfile.jvm -t $image .), push it to your registry,"
    echo "  and set the chart's image.repository and image.tag."
  } >&2
  exit 1
fi

echo "image: packaging the operator (mvn package)..." >&2
mvn -B -q -DskipTests package
echo "image: building $image with $engine..." >&2
"$engine" build -f src/main/docker/Dockerfile.jvm -t "$image" .
echo "image: built $image" >&2
