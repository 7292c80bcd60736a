#!/usr/bin/env bash
# Makes sure this machine has the helm command the install tests run, built
# once from the Go module pinned in scripts/helm/go.mod (helm.sh/helm/v4), and
# prints its path on the last line of stdout.
#
# Why a real binary: the install and upgrade tests run `helm install`,
# `upgrade` and `uninstall` exactly as a user types them. The render and lint
# tests keep helm-java (Helm 3's Go code inside the JVM, no process to start),
# so the chart is checked by both Helm 3 and Helm 4.
#
# Fast path: the binary is already in the cache: print its path, no network.
# Slow path (first run on a machine): downloads the modules into
# ~/.cache/engineer-access/go/pkg/mod (about 40 s, shared with
# kube-binaries.sh) and compiles with CGO_ENABLED=0 (about 3 minutes on 2
# cores; Go's build cache lives in a work directory deleted at the end).
# Needs Go 1.26 or newer in PATH (what scripts/helm/go.mod says).
#
# To move to another release: "go get -tool helm.sh/helm/v4/cmd/helm@vX.Y.Z"
# in scripts/helm, then commit go.mod and go.sum.
#
# Environment: HELM_CACHE_DIR, where the binary goes (default
# ~/.cache/engineer-access/helm/<version>-linux-<arch>).
# Progress goes to stderr; only the path goes to stdout.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODULE_DIR="$SCRIPT_DIR/helm"
MODULE=helm.sh/helm/v4
ENGINEER_ACCESS_CACHE="$HOME/.cache/engineer-access"

say() { echo "helm-binary: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

VERSION="$(awk -v m="$MODULE" '$1 == m { print $2; exit }' "$MODULE_DIR/go.mod")"
[[ -n "$VERSION" ]] || die "no $MODULE version in $MODULE_DIR/go.mod"
GO_MIN_VERSION="$(awk '$1 == "go" { print $2; exit }' "$MODULE_DIR/go.mod")"
case "$(uname -m)" in
  x86_64) GO_ARCH=amd64 ;;
  aarch64 | arm64) GO_ARCH=arm64 ;;
  *) die "no build for $(uname -m)" ;;
esac
CACHE_DIR="${HELM_CACHE_DIR:-$ENGINEER_ACCESS_CACHE/helm/${VERSION#v}-linux-$GO_ARCH}"
BINARY="$CACHE_DIR/helm"

if [[ -x "$BINARY" ]]; then
  echo "$BINARY"
  exit 0
fi

mkdir -p "$(dirname "$CACHE_DIR")"
exec 9>"$(dirname "$CACHE_DIR")/.helm-binary.lock"
if ! flock -n 9; then
  say "another helm-binary.sh is running; waiting for it to finish"
  flock 9
fi
if [[ -x "$BINARY" ]]; then
  echo "$BINARY"
  exit 0
fi

command -v go >/dev/null || die "building helm $VERSION needs Go $GO_MIN_VERSION or newer in PATH"
export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"
export CGO_ENABLED=0 GOOS=linux GOARCH="$GO_ARCH"
export GOPATH="$ENGINEER_ACCESS_CACHE/go"
export GOMODCACHE="$GOPATH/pkg/mod"
go_version="$(go env GOVERSION)"
go_version="${go_version#go}"
[[ "$(printf '%s\n' "$GO_MIN_VERSION" "$go_version" | sort -V | head -n1)" == "$GO_MIN_VERSION" ]] ||
  die "building helm $VERSION needs Go $GO_MIN_VERSION or newer; $(command -v go) is $go_version"

started_at=$(date +%s)
WORK="$(mktemp -d "$(dirname "$CACHE_DIR")/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export GOCACHE="$WORK/go-build-cache"
say "building helm $VERSION from Go modules with Go $go_version (cold: about 3 minutes on 2 cores; log: $WORK/build.log)"
# The version helm prints ("helm version") is stamped in as upstream's Makefile does.
if ! (cd "$MODULE_DIR" && go mod download && go build -trimpath \
        -ldflags "-s -w -X $MODULE/internal/version.version=$VERSION" -o "$WORK/helm" "$MODULE/cmd/helm") \
      >"$WORK/build.log" 2>&1; then
  tail -n 40 "$WORK/build.log" >&2
  die "building helm failed"
fi
reported="$("$WORK/helm" version --template '{{.Version}}')" || die "the helm just built does not run"
[[ "$reported" == "$VERSION" ]] || die "helm says \"$reported\", not \"$VERSION\": version not stamped in"
mkdir -p "$CACHE_DIR"
mv "$WORK/helm" "$BINARY"
say "done in $(( $(date +%s) - started_at )) s: $BINARY"
echo "$BINARY"
