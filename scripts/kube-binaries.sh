#!/usr/bin/env bash
# Makes sure this machine has etcd, kube-apiserver, kube-controller-manager
# and kubectl of one Kubernetes version in one cache directory, and prints
# that directory on the last line of stdout. Two versions can be had:
#
#   KUBE_VERSION unset (or 1.20 / 1.20.2): the default for now. etcd 3.4 and
#       Kubernetes 1.20.2, built from Debian's source package (below).
#   KUBE_VERSION=1.34 (or the exact version pinned in scripts/k8s/go.mod):
#       Kubernetes 1.34 built from Go modules, with the etcd pinned in
#       scripts/etcd/go.mod (see "Go-module build" below).
#
# Fast path: if all four binaries are already in the cache, it prints the
# directory and exits at once (no apt calls, no network).
#
# Slow path (first run on a machine, or a cache from an older version of this
# script that lacks kube-controller-manager; about 5 to 7 minutes on 2 cores,
# 4.5 minutes measured with the Debian packages already installed):
#   - installs Go 1.19, etcd-server and a few build tools from Debian (apt),
#   - downloads Debian bookworm's source package "kubernetes" (the whole
#     Kubernetes v1.20.2 tree with its Go dependencies vendored), using a
#     private apt configuration so the system's apt sources stay untouched,
#   - swaps the vendored reflect2 1.0.1 for Debian's reflect2 1.0.2 (1.0.1
#     crashes under Go 1.19 with "fatal error: fault" in mapiternext),
#   - builds cmd/kube-apiserver, cmd/kube-controller-manager and cmd/kubectl
#     (one "make WHAT=..." call),
#   - copies the binaries (and /usr/bin/etcd) into the cache directory and
#     deletes the source tree.
#
# Go-module build (KUBE_VERSION=1.34; no root, no apt; needs Go 1.24 or newer
# in PATH and the Go module proxy; about 10 minutes on 2 cores: 570 s
# measured from nothing, of which module download 30 s, kube-apiserver 392 s,
# then kube-controller-manager 75 s, kubectl 35 s and etcd 38 s, each reusing
# what the ones before compiled):
#   - scripts/k8s/go.mod pins k8s.io/kubernetes and replaces every k8s.io/*
#     staging module by its matching v0.x release (the module's own go.mod
#     points them at ./staging, which is not in the module); scripts/etcd/go.mod
#     pins etcd's server module. Both go.sum files are committed, so every
#     download is checked against them.
#   - downloads those modules into ~/.cache/engineer-access/go/pkg/mod (about
#     700 MB, kept, so a rebuild needs no network; Go makes it read-only: free
#     it with "GOMODCACHE=~/.cache/engineer-access/go/pkg/mod go clean -modcache"),
#   - builds with CGO_ENABLED=0 and Go's build cache in the work directory
#     (about 3 GB while building, deleted at the end like the Debian tree),
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
#   KUBE_VERSION        which Kubernetes (above; default 1.20.2)
#   KUBE_CACHE_DIR      where the binaries go
#                       (default ~/.cache/engineer-access/k8s/<version>-linux-<arch>)
#   KUBE_DEBIAN_MIRROR  Debian mirror URL for the source package (default: the
#                       bookworm mirror found in this machine's apt sources)
#
# Progress goes to stderr; only the directory goes to stdout.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENGINEER_ACCESS_CACHE="$HOME/.cache/engineer-access"

say() { echo "kube-binaries: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# The Go-module build's pins (the single source of truth is the go.mod files).
K8S_MODULE_DIR="$SCRIPT_DIR/k8s"
ETCD_MODULE_DIR="$SCRIPT_DIR/etcd"
K8S_MODULE=k8s.io/kubernetes
ETCD_MODULE=go.etcd.io/etcd/server/v3
GO_MIN_VERSION=1.24
# Version of module $2 required in $1/go.mod (e.g. v1.34.4).
required_version() { awk -v m="$2" '$1 == m { print $2; exit }' "$1/go.mod"; }
GO_KUBE_VERSION="$(required_version "$K8S_MODULE_DIR" "$K8S_MODULE")"
GO_KUBE_VERSION="${GO_KUBE_VERSION#v}"
[[ -n "$GO_KUBE_VERSION" ]] || die "no $K8S_MODULE version in $K8S_MODULE_DIR/go.mod"

case "${KUBE_VERSION:-1.20.2}" in
  1.20 | 1.20.2 | v1.20.2)
    BUILD=debian
    KUBE_VERSION=1.20.2
    PLATFORM=linux-amd64
    ;;
  "${GO_KUBE_VERSION%.*}" | "$GO_KUBE_VERSION" | "v$GO_KUBE_VERSION")
    BUILD=go-modules
    KUBE_VERSION="$GO_KUBE_VERSION"
    case "$(uname -m)" in
      x86_64) GO_ARCH=amd64 ;;
      aarch64 | arm64) GO_ARCH=arm64 ;;
      *) die "no Go-module build for $(uname -m)" ;;
    esac
    PLATFORM="linux-$GO_ARCH"
    ;;
  *)
    die "KUBE_VERSION=$KUBE_VERSION: this script builds 1.20.2 (the default, from Debian source) or $GO_KUBE_VERSION (KUBE_VERSION=${GO_KUBE_VERSION%.*}, from Go modules)"
    ;;
esac

DEBIAN_SOURCE_PACKAGE=kubernetes
DEBIAN_SOURCE_VERSION="1.20.5+really1.20.2-1.1+deb12u1"
DEBIAN_SUITE=bookworm
GO_BIN_DIR=/usr/lib/go-1.19/bin
REFLECT2_SRC=/usr/share/gocode/src/github.com/modern-go/reflect2
APT_PACKAGES=(golang-1.19-go etcd-server dpkg-dev rsync jq golang-github-modern-go-reflect2-dev)

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

# From here on the Debian build installs packages, so it needs root (or sudo).
SUDO=()
if [[ "$BUILD" == debian && "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || die "need root or sudo to install Debian packages"
  SUDO=(sudo)
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
  if [[ "$BUILD" == debian ]]; then
    "$STAGE/kubectl" version --client --short >&2 || die "kubectl does not run"
  else
    # kubectl 1.28 dropped --short (its output is short now).
    "$STAGE/kubectl" version --client >&2 || die "kubectl does not run"
    "$STAGE/etcd" --version >&2
    local reported
    reported="$("$STAGE/kube-apiserver" --version)"
    [[ "$reported" == "Kubernetes v$KUBE_VERSION" ]] ||
      die "kube-apiserver says \"$reported\", not \"Kubernetes v$KUBE_VERSION\": version not stamped in"
  fi
  rm -rf "$CACHE_DIR"
  mv "$STAGE" "$CACHE_DIR"
  say "done in $(( $(date +%s) - started_at )) s: $CACHE_DIR"
  echo "$CACHE_DIR"
}

# The Go-module build (see the header): fills $STAGE with all four binaries.
build_with_go_modules() {
  command -v go >/dev/null || die "KUBE_VERSION=$KUBE_VERSION needs Go $GO_MIN_VERSION or newer in PATH"
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
    die "KUBE_VERSION=$KUBE_VERSION needs Go $GO_MIN_VERSION or newer; $(command -v go) is $go_version"

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

if [[ "$BUILD" == go-modules ]]; then
  STAGE="$WORK/out"
  mkdir -p "$STAGE"
  build_with_go_modules
  finish
  exit 0
fi

# ---------------------------------------------------------------------------
# 1. Debian packages (system apt, normal configuration).
# ---------------------------------------------------------------------------
missing_packages=()
for pkg in "${APT_PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing_packages+=("$pkg")
  fi
done
if ((${#missing_packages[@]})); then
  say "installing Debian packages: ${missing_packages[*]} (about 1 minute)"
  "${SUDO[@]}" apt-get update -q >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_packages[@]}" >&2
fi
[[ -x /usr/bin/etcd ]] || die "/usr/bin/etcd missing after installing etcd-server"
[[ -x "$GO_BIN_DIR/go" ]] || die "$GO_BIN_DIR/go missing after installing golang-1.19-go"
[[ -d "$REFLECT2_SRC" ]] || die "$REFLECT2_SRC missing after installing golang-github-modern-go-reflect2-dev"

# The new cache is assembled here and moved into place at the very end.
STAGE="$WORK/out"
mkdir -p "$STAGE"

# etcd: a copy, not a symlink, so the cache keeps working even where the
# etcd-server package is not installed.
cp /usr/bin/etcd "$STAGE/etcd"

# ---------------------------------------------------------------------------
# 2. kube-apiserver, kube-controller-manager and kubectl: reuse them from an
#    old cache if all three are there, otherwise build all three from
#    Debian's source package.
# ---------------------------------------------------------------------------
have_all_kube_binaries() {
  local name
  for name in "${KUBE_BINARIES[@]}"; do
    [[ -f "$CACHE_DIR/$name" && -x "$CACHE_DIR/$name" ]] || return 1
  done
}
if have_all_kube_binaries; then
  say "reusing ${KUBE_BINARIES[*]} already in $CACHE_DIR"
  for name in "${KUBE_BINARIES[@]}"; do
    cp "$CACHE_DIR/$name" "$STAGE/"
  done
else
  # Find the Debian mirror this machine already uses for bookworm: read the
  # one-line sources (*.list) and the deb822 sources (*.sources).
  find_debian_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f "$f" ]] || continue
      # "deb [options] URI SUITE COMPONENTS..."; options may hold spaces.
      awk -v suite="$DEBIAN_SUITE" '
        $1 == "deb" || $1 == "deb-src" {
          i = 2
          if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($(i + 1) == suite) print $i
        }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f "$f" ]] || continue
      # One stanza per paragraph: take URIs of enabled stanzas listing the suite.
      awk -v suite="$DEBIAN_SUITE" '
        BEGIN { RS = ""; FS = "\n" }
        {
          uris = ""; suites = ""; enabled = "yes"
          for (i = 1; i <= NF; i++) {
            line = $i
            if (line ~ /^[ \t]*#/) continue
            if (tolower(line) ~ /^uris:/)    { sub(/^[^:]*:[ \t]*/, "", line); uris = line }
            if (tolower(line) ~ /^suites:/)  { sub(/^[^:]*:[ \t]*/, "", line); suites = line }
            if (tolower(line) ~ /^enabled:/) { sub(/^[^:]*:[ \t]*/, "", line); enabled = tolower(line) }
          }
          if (enabled == "no") next
          n = split(suites, s, /[ \t]+/)
          for (j = 1; j <= n; j++) if (s[j] == suite) { split(uris, u, /[ \t]+/); print u[1]; break }
        }' "$f"
    done
  }
  MIRROR="${KUBE_DEBIAN_MIRROR:-$(find_debian_mirror | head -n1)}"
  [[ -n "$MIRROR" ]] || die "no Debian $DEBIAN_SUITE mirror found in /etc/apt/sources.list{,.d}; set KUBE_DEBIAN_MIRROR"
  MIRROR="${MIRROR%/}"

  say "building ${KUBE_BINARIES[*]} $KUBE_VERSION from Debian source: about 5 to 7 minutes on 2 cores"

  # Private apt configuration: only a deb-src line for bookworm, with its own
  # lists and cache, so the system's apt setup is not changed.
  APT_DIR="$WORK/apt"
  mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  keyring=""
  [[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] &&
    keyring="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
  echo "deb-src ${keyring}${MIRROR} ${DEBIAN_SUITE} main" >"$APT_DIR/sources.list"
  PRIVATE_APT=(
    -o "Dir::Etc::sourcelist=$APT_DIR/sources.list"
    -o "Dir::Etc::sourceparts=$APT_DIR/sources.list.d"
    -o "Dir::State::Lists=$APT_DIR/lists"
    -o "Dir::Cache=$APT_DIR/cache"
    -o "APT::Sandbox::User=root"
  )
  say "downloading source package $DEBIAN_SOURCE_PACKAGE from $MIRROR (about 35 MB)"
  apt-get "${PRIVATE_APT[@]}" -q update >&2
  mkdir -p "$WORK/src"
  if ! (cd "$WORK/src" && apt-get "${PRIVATE_APT[@]}" -q source --download-only \
          "$DEBIAN_SOURCE_PACKAGE=$DEBIAN_SOURCE_VERSION" >&2); then
    say "version $DEBIAN_SOURCE_VERSION not found; trying the mirror's current $DEBIAN_SOURCE_PACKAGE source"
    (cd "$WORK/src" && apt-get "${PRIVATE_APT[@]}" -q source --download-only "$DEBIAN_SOURCE_PACKAGE" >&2)
  fi
  dsc="$(find "$WORK/src" -maxdepth 1 -name "${DEBIAN_SOURCE_PACKAGE}_*.dsc" | head -n1)"
  [[ -n "$dsc" ]] || die "source package download gave no .dsc file"
  TREE="$WORK/src/tree"
  dpkg-source -x "$dsc" "$TREE" >&2

  # Replace vendored reflect2 1.0.1 with Debian's 1.0.2 (Go 1.19 compatible).
  vendored="$TREE/vendor/github.com/modern-go/reflect2"
  [[ -d "$vendored" ]] || die "unexpected source tree: $vendored missing"
  find "$vendored" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -delete
  find "$REFLECT2_SRC" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -exec cp {} "$vendored/" \;

  # Build. Go's build cache lives under _output inside the tree, so it is
  # deleted with the work directory.
  build_start=$(date +%s)
  say "compiling (cold: about 5 minutes on 2 cores; log: $WORK/build.log)"
  if ! (cd "$TREE" &&
        env PATH="$GO_BIN_DIR:$PATH" GOPROXY=off GOFLAGS=-mod=vendor CGO_ENABLED=0 \
          make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kubectl" >"$WORK/build.log" 2>&1); then
    tail -n 40 "$WORK/build.log" >&2
    die "build failed"
  fi
  say "compiled in $(( $(date +%s) - build_start )) s"
  for name in "${KUBE_BINARIES[@]}"; do
    [[ -x "$TREE/_output/bin/$name" ]] || die "build gave no $name"
    cp "$TREE/_output/bin/$name" "$STAGE/"
  done
fi

finish
