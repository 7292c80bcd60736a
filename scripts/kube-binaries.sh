#!/usr/bin/env bash
# Makes sure this machine has etcd, kube-apiserver, kube-controller-manager
# and kubectl of the Kubernetes release the tests run on, in one cache
# directory, and prints that directory on the last line of stdout.
#
# The release is pinned in scripts/k8s/go.mod (Kubernetes, today v1.37.2)
# and scripts/etcd/go.mod (etcd, today 3.7.0), and built from those Go
# modules. KUBE_VERSION, if set, must name that release (1.37, 1.37.2 or
# v1.37.2) or the oldest release the chart supports, pinned in
# scripts/k8s-oldest/go.mod (1.30, 1.30.14 or v1.30.14; built with the same
# etcd), which "make test" also runs the tests of what the API server
# enforces on. Kubernetes 1.20.2, built from Debian's source package until
# December 2026, is no longer built: see "Supported versions" in
# docs/access-rules.md (decision 60).
#
# Fast path: if all four binaries are already in the cache, it prints the
# directory and exits at once (no network).
#
# Slow path (no root, no apt; needs Go 1.26 or newer in PATH and the Go
# module proxy; about 7 to 10 minutes on 2 cores: for 1.37.2, 388 s with the
# modules downloaded (kube-apiserver 278 s, then kube-controller-manager 73 s,
# kubectl 18 s and etcd 19 s, each reusing what the ones before compiled);
# downloading the modules first took about 30 s):
#   - scripts/k8s/go.mod pins k8s.io/kubernetes and replaces every k8s.io/*
#     staging module by its matching v0.x release (the module's own go.mod
#     points them at ./staging, which is not in the module); scripts/etcd/go.mod
#     pins etcd's server module. Both go.sum files are committed, so every
#     download is checked against them.
#   - downloads those modules into ~/.cache/engineer-access/go/pkg/mod (about
#     700 MB, kept, so a rebuild needs no network; Go makes it read-only: free
#     it with "GOMODCACHE=~/.cache/engineer-access/go/pkg/mod go clean -modcache"),
#   - builds with CGO_ENABLED=0 and Go's build cache in the work directory
#     (about 3 GB while building, deleted at the end),
#   - builds kube-apiserver, kube-controller-manager and kubectl as upstream's
#     "make" does (-trimpath, tags selinux,notest,grpcnotrace, -s -w), with the
#     version stamped in so "--version" says the real one, and etcd from
#     go.etcd.io/etcd/server/v3 (its main package is that module's root),
#   - puts them in ~/.cache/engineer-access/k8s/<version>-linux-<arch>
#     (about 270 MB).
#   To move to another release: change the versions in scripts/k8s/go.mod
#   (kubernetes and every replace) or scripts/etcd/go.mod and run
#   "go mod tidy" in that folder.
#
# Environment:
#   KUBE_VERSION        optional; names the pinned release or the oldest
#                       supported one (above); unset: the pinned release
#   KUBE_CACHE_DIR      where the binaries go
#                       (default ~/.cache/engineer-access/k8s/<version>-linux-<arch>)
#
# Progress goes to stderr; only the directory goes to stdout.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENGINEER_ACCESS_CACHE="$HOME/.cache/engineer-access"

say() { echo "kube-binaries: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# The Go-module build's pins (the single source of truth is the go.mod files).
K8S_MODULE_DIR="$SCRIPT_DIR/k8s"
OLDEST_MODULE_DIR="$SCRIPT_DIR/k8s-oldest"
ETCD_MODULE_DIR="$SCRIPT_DIR/etcd"
K8S_MODULE=k8s.io/kubernetes
ETCD_MODULE=go.etcd.io/etcd/server/v3
GO_MIN_VERSION=1.26
# Version of module $2 required in $1/go.mod (e.g. v1.37.2).
required_version() { awk -v m="$2" '$1 == m { print $2; exit }' "$1/go.mod"; }
GO_KUBE_VERSION="$(required_version "$K8S_MODULE_DIR" "$K8S_MODULE")"
GO_KUBE_VERSION="${GO_KUBE_VERSION#v}"
[[ -n "$GO_KUBE_VERSION" ]] || die "no $K8S_MODULE version in $K8S_MODULE_DIR/go.mod"
OLDEST_KUBE_VERSION="$(required_version "$OLDEST_MODULE_DIR" "$K8S_MODULE")"
OLDEST_KUBE_VERSION="${OLDEST_KUBE_VERSION#v}"
[[ -n "$OLDEST_KUBE_VERSION" ]] || die "no $K8S_MODULE version in $OLDEST_MODULE_DIR/go.mod"

case "${KUBE_VERSION:-$GO_KUBE_VERSION}" in
  "${GO_KUBE_VERSION%.*}" | "$GO_KUBE_VERSION" | "v$GO_KUBE_VERSION")
    KUBE_VERSION="$GO_KUBE_VERSION"
    ;;
  "${OLDEST_KUBE_VERSION%.*}" | "$OLDEST_KUBE_VERSION" | "v$OLDEST_KUBE_VERSION")
    KUBE_VERSION="$OLDEST_KUBE_VERSION"
    K8S_MODULE_DIR="$OLDEST_MODULE_DIR"
    ;;
  1.20 | 1.20.2 | v1.20.2)
    die "KUBE_VERSION=$KUBE_VERSION: Kubernetes 1.20 is no longer built or tested (decision 60 in docs/access-rules.md); unset KUBE_VERSION for $GO_KUBE_VERSION"
    ;;
  *)
    die "KUBE_VERSION=$KUBE_VERSION: this script builds $GO_KUBE_VERSION (pinned in scripts/k8s/go.mod) or $OLDEST_KUBE_VERSION (the oldest supported, scripts/k8s-oldest/go.mod); unset KUBE_VERSION or change a pin"
    ;;
esac
case "$(uname -m)" in
  x86_64) GO_ARCH=amd64 ;;
  aarch64 | arm64) GO_ARCH=arm64 ;;
  *) die "no build for $(uname -m)" ;;
esac
PLATFORM="linux-$GO_ARCH"

CACHE_DIR="${KUBE_CACHE_DIR:-$ENGINEER_ACCESS_CACHE/k8s/${KUBE_VERSION}-${PLATFORM}}"
CACHE_PARENT="$(dirname "$CACHE_DIR")"

# The binaries built from the Kubernetes source tree.
KUBE_BINARIES=(kube-apiserver kube-controller-manager kubectl)

# True when the cache holds all four binaries and each is executable.
cache_complete() {
  local name
  for name in etcd "${KUBE_BINARIES[@]}"; do
    [[ -f "$CACHE_DIR/$name" && -x "$CACHE_DIR/$name" ]] || return 1
  done
}

# Fast path.
if cache_complete; then
  echo "$CACHE_DIR"
  exit 0
fi

mkdir -p "$CACHE_PARENT"

# Only one copy of this script builds at a time; a second one waits here and
# then finds the finished cache.
exec 9>"$CACHE_PARENT/.kube-binaries.lock"
if ! flock -n 9; then
  say "another kube-binaries.sh is running; waiting for it to finish"
  flock 9
fi
if cache_complete; then
  echo "$CACHE_DIR"
  exit 0
fi

started_at=$(date +%s)

# A fresh work directory next to the cache (same file system, so the final
# move is a rename). It is always deleted at exit, so a failed run leaves
# nothing half-done behind and a re-run starts clean.
WORK="$(mktemp -d "$CACHE_PARENT/build.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# Quick sanity check of what is in $STAGE, then move it into place
# (replacing any partial old cache) and print the directory.
finish() {
  "$STAGE/etcd" --version >/dev/null || die "etcd does not run"
  "$STAGE/kube-apiserver" --version >&2 || die "kube-apiserver does not run"
  "$STAGE/kube-controller-manager" --version >&2 || die "kube-controller-manager does not run"
  "$STAGE/kubectl" version --client >&2 || die "kubectl does not run"
  "$STAGE/etcd" --version >&2
  local reported
  reported="$("$STAGE/kube-apiserver" --version)"
  [[ "$reported" == "Kubernetes v$KUBE_VERSION" ]] ||
    die "kube-apiserver says \"$reported\", not \"Kubernetes v$KUBE_VERSION\": version not stamped in"
  rm -rf "$CACHE_DIR"
  mv "$STAGE" "$CACHE_DIR"
  say "done in $(( $(date +%s) - started_at )) s: $CACHE_DIR"
  echo "$CACHE_DIR"
}

# The build (see the header): fills $STAGE with all four binaries.
build_with_go_modules() {
  command -v go >/dev/null || die "building Kubernetes v$KUBE_VERSION needs Go $GO_MIN_VERSION or newer in PATH"
  # Use the Go in PATH as it is: no toolchain download, no go.work, go.mod
  # and go.sum never rewritten (-mod=readonly), no VCS stamp of this repo.
  export GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=readonly -buildvcs=false"
  export CGO_ENABLED=0 GOOS=linux GOARCH="$GO_ARCH"
  export GOPATH="$ENGINEER_ACCESS_CACHE/go"
  export GOMODCACHE="$GOPATH/pkg/mod" GOCACHE="$WORK/go-build-cache"
  local go_version
  go_version="$(go env GOVERSION)"
  go_version="${go_version#go}"
  [[ "$(printf '%s\n' "$GO_MIN_VERSION" "$go_version" | sort -V | head -n1)" == "$GO_MIN_VERSION" ]] ||
    die "building Kubernetes v$KUBE_VERSION needs Go $GO_MIN_VERSION or newer; $(command -v go) is $go_version"

  local etcd_version step_start
  etcd_version="$(required_version "$ETCD_MODULE_DIR" "$ETCD_MODULE")"
  say "building Kubernetes v$KUBE_VERSION and etcd $etcd_version from Go modules with Go $go_version" \
      "(cold: about 10 minutes on 2 cores; log: $WORK/build.log)"

  step_start=$(date +%s)
  say "downloading Go modules into $GOMODCACHE (first time: about 30 s, about 700 MB)"
  if ! { (cd "$K8S_MODULE_DIR" && go mod download) && (cd "$ETCD_MODULE_DIR" && go mod download); } >>"$WORK/build.log" 2>&1; then
    tail -n 40 "$WORK/build.log" >&2
    die "go mod download failed"
  fi
  say "modules ready after $(( $(date +%s) - step_start )) s"

  # What upstream's hack/lib/version.sh stamps in (kube::version::ldflags).
  # The build date is the release's date (from the module proxy), so a
  # rebuild gives the same binary. The git commit is not known: a module zip
  # has none.
  local release_date minor ldflags=(-s -w) pkg
  release_date="$(cd "$K8S_MODULE_DIR" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$K8S_MODULE")"
  minor="${KUBE_VERSION#*.}"
  minor="${minor%%.*}"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=(
      -X "$pkg.gitVersion=v$KUBE_VERSION"
      -X "$pkg.gitMajor=${KUBE_VERSION%%.*}"
      -X "$pkg.gitMinor=$minor"
      -X "$pkg.gitCommit="
      -X "$pkg.gitTreeState=clean"
      -X "$pkg.buildDate=$release_date"
    )
  done

  # go_build NAME MODULE_DIR PACKAGE GO-BUILD-FLAGS...
  go_build() {
    local name="$1" dir="$2" package="$3"
    shift 3
    local build_start
    build_start=$(date +%s)
    say "compiling $name ($package)"
    if ! (cd "$dir" && go build -trimpath "$@" -o "$STAGE/$name" "$package") >>"$WORK/build.log" 2>&1; then
      tail -n 40 "$WORK/build.log" >&2
      die "building $name failed"
    fi
    say "compiled $name in $(( $(date +%s) - build_start )) s"
  }
  local kube_flags=(-tags selinux,notest,grpcnotrace -ldflags "${ldflags[*]}")
  go_build kube-apiserver "$K8S_MODULE_DIR" k8s.io/kubernetes/cmd/kube-apiserver "${kube_flags[@]}"
  go_build kube-controller-manager "$K8S_MODULE_DIR" k8s.io/kubernetes/cmd/kube-controller-manager "${kube_flags[@]}"
  go_build kubectl "$K8S_MODULE_DIR" k8s.io/kubernetes/cmd/kubectl "${kube_flags[@]}"
  go_build etcd "$ETCD_MODULE_DIR" "$ETCD_MODULE" -ldflags "-s -w"
}

STAGE="$WORK/out"
mkdir -p "$STAGE"
build_with_go_modules
finish
