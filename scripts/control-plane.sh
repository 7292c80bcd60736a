#!/usr/bin/env bash
# A real local Kubernetes control plane (etcd 3.4 + kube-apiserver 1.20.2)
# for tests and "make run". Everything listens on 127.0.0.1 only.
#
# Usage:
#   scripts/control-plane.sh start DIR    start etcd and kube-apiserver; prints DIR/env last
#   scripts/control-plane.sh stop DIR     stop them (safe to run any time)
#   scripts/control-plane.sh status DIR   say whether each runs (exit 0 if both run, 3 if not)
#
# What "start" leaves in DIR:
#   env                 KUBE_API_URL, KUBE_ADMIN_TOKEN, KUBE_OPERATOR_TOKEN, KUBECONFIG,
#                       KUBE_CA_FILE, ETCD_PID, APISERVER_PID (shell "NAME=value" lines)
#   kubeconfig          admin user (group system:masters)
#   operator.kubeconfig user "engineer-access-operator", no groups and no RBAC rights
#   admin.token, operator.token, tokens.csv
#   ca.crt              the certificate that signed the API server's serving cert
#   etcd.pid, kube-apiserver.pid, etcd.log, kube-apiserver.log
#
# Each start begins with an empty etcd (the old DIR/etcd-data is deleted).
# Only etcd and kube-apiserver run: no controller-manager, scheduler or kubelet,
# so e.g. garbage collection, namespace deletion and service account tokens
# do not happen by themselves.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
READY_TIMEOUT_SECONDS="${CONTROL_PLANE_READY_TIMEOUT:-60}"

say() { echo "control-plane: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

usage() {
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
}

# The PID stored in DIR/NAME.pid, if that process is still NAME (checked via
# /proc/PID/cmdline, so a reused PID of some other program is never touched).
# Prints nothing when it does not run.
running_pid() {
  local name="$1" pid_file="$DIR/$1.pid" pid argv0
  [[ -f "$pid_file" ]] || return 0
  pid="$(tr -dc '0-9' <"$pid_file")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  argv0="$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -n1)"
  [[ "$(basename -- "$argv0")" == "$name" ]] && echo "$pid"
  return 0
}

# Stop one process by its pid file: TERM, wait up to 10 s, then KILL.
stop_one() {
  local name="$1" pid i
  pid="$(running_pid "$name")"
  if [[ -n "$pid" ]]; then
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      [[ -n "$(running_pid "$name")" ]] || break
      sleep 0.1
    done
    if [[ -n "$(running_pid "$name")" ]]; then
      say "$name did not stop within 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        [[ -n "$(running_pid "$name")" ]] || break
        sleep 0.1
      done
    fi
  fi
  rm -f "$DIR/$name.pid"
}

cmd_stop() {
  [[ -d "$DIR" ]] || return 0
  # API server first, so it does not complain about etcd going away.
  stop_one kube-apiserver
  stop_one etcd
}

cmd_status() {
  local name pid all_running=0
  for name in etcd kube-apiserver; do
    pid=""
    [[ -d "$DIR" ]] && pid="$(running_pid "$name")"
    if [[ -n "$pid" ]]; then
      echo "$name: running (pid $pid)"
    else
      echo "$name: not running"
      all_running=3
    fi
  done
  if ((all_running == 0)) && [[ -f "$DIR/env" ]]; then
    grep '^KUBE_API_URL=' "$DIR/env" || true
  fi
  return "$all_running"
}

# Print N free TCP ports on 127.0.0.1 (all held open together while picking,
# so they differ from each other).
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# Write a kubeconfig for one token user.
write_kubeconfig() {
  local file="$1" user="$2" token="$3"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $API_URL
    certificate-authority: $DIR/ca.crt
users:
- name: $user
  user:
    token: $token
contexts:
- name: $user@local
  context:
    cluster: local
    user: $user
    namespace: default
current-context: $user@local
EOF
  chmod 600 "$file"
}

# Set to 1 once "start" has fully succeeded; until then a failure stops
# whatever was started.
started_ok=0

cmd_start() {
  local etcd_pid="" apiserver_pid=""

  if [[ -n "$(running_pid etcd)" && -n "$(running_pid kube-apiserver)" && -f "$DIR/env" ]]; then
    say "already running in $DIR (use 'stop' first for a fresh one)"
    echo "$DIR/env"
    return 0
  fi
  # Something half-running (e.g. only etcd): clear it out first.
  cmd_stop

  local bin_dir
  bin_dir="$("$SCRIPT_DIR/kube-binaries.sh" | tail -n1)"
  [[ -x "$bin_dir/etcd" && -x "$bin_dir/kube-apiserver" ]] || die "kube-binaries.sh gave no binaries"

  # If anything below fails, stop what we started and show the logs.
  on_exit() {
    local rc=$?
    if ((started_ok == 0)); then
      say "start failed (exit $rc); stopping what was started"
      local log
      for log in etcd.log kube-apiserver.log; do
        if [[ -f "$DIR/$log" ]]; then
          echo "----- last 30 lines of $DIR/$log -----" >&2
          tail -n 30 "$DIR/$log" >&2
        fi
      done
      cmd_stop || true
      ((rc != 0)) || rc=1
    fi
    exit "$rc"
  }
  trap on_exit EXIT

  # Fresh state: delete what an earlier start left behind.
  rm -rf "$DIR/etcd-data" "$DIR/certs"
  rm -f "$DIR"/{env,kubeconfig,operator.kubeconfig,tokens.csv,admin.token,operator.token} \
        "$DIR"/{sa.key,sa.pub,ca.crt,etcd.log,kube-apiserver.log}
  mkdir -p "$DIR/etcd-data" "$DIR/certs"
  chmod 700 "$DIR/etcd-data" "$DIR/certs"

  local etcd_client_port etcd_peer_port etcd_metrics_port api_port
  read -r etcd_client_port etcd_peer_port etcd_metrics_port api_port <<<"$(free_ports 4)"

  # Random bearer tokens and the static token file: token,user,uid[,"groups"].
  local admin_token operator_token
  admin_token="$(openssl rand -hex 24)"
  operator_token="$(openssl rand -hex 24)"
  (
    umask 077
    printf '%s\n' "$admin_token" >"$DIR/admin.token"
    printf '%s\n' "$operator_token" >"$DIR/operator.token"
    {
      echo "$admin_token,admin,admin,system:masters"
      echo "$operator_token,engineer-access-operator,engineer-access-operator"
    } >"$DIR/tokens.csv"
    # Key pair used to sign and check service account tokens.
    openssl genrsa -out "$DIR/sa.key" 2048 2>/dev/null
    openssl rsa -in "$DIR/sa.key" -pubout -out "$DIR/sa.pub" 2>/dev/null
  )

  say "starting etcd on 127.0.0.1:$etcd_client_port"
  setsid "$bin_dir/etcd" \
    --name default \
    --data-dir "$DIR/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_client_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_client_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "default=http://127.0.0.1:$etcd_peer_port" \
    --listen-metrics-urls "http://127.0.0.1:$etcd_metrics_port" \
    --logger zap --log-outputs stderr \
    </dev/null >"$DIR/etcd.log" 2>&1 &
  etcd_pid=$!
  echo "$etcd_pid" >"$DIR/etcd.pid"

  API_URL="https://127.0.0.1:$api_port"
  say "starting kube-apiserver on $API_URL"
  setsid "$bin_dir/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_client_port" \
    --bind-address 127.0.0.1 \
    --advertise-address 127.0.0.1 \
    --secure-port "$api_port" \
    --insecure-port 0 \
    --endpoint-reconciler-type none \
    --authorization-mode RBAC \
    --token-auth-file "$DIR/tokens.csv" \
    --service-account-key-file "$DIR/sa.pub" \
    --service-account-signing-key-file "$DIR/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range 10.0.0.0/24 \
    --cert-dir "$DIR/certs" \
    --allow-privileged=false \
    --profiling=false \
    </dev/null >"$DIR/kube-apiserver.log" 2>&1 &
  apiserver_pid=$!
  echo "$apiserver_pid" >"$DIR/kube-apiserver.pid"

  # Wait for /readyz (it waits for etcd too).
  local started_at waited answer
  started_at=$(date +%s)
  while :; do
    waited=$(( $(date +%s) - started_at ))
    [[ -n "$(running_pid etcd)" ]] || die "etcd exited"
    [[ -n "$(running_pid kube-apiserver)" ]] || die "kube-apiserver exited"
    answer="$(curl -sk --max-time 2 -H "Authorization: Bearer $admin_token" "$API_URL/readyz" 2>/dev/null || true)"
    [[ "$answer" == "ok" ]] && break
    ((waited < READY_TIMEOUT_SECONDS)) || die "kube-apiserver not ready after $READY_TIMEOUT_SECONDS s"
    if ((waited > 0 && waited % 5 == 0)); then
      say "waiting for $API_URL/readyz ($waited s)"
      sleep 1
    else
      sleep 0.5
    fi
  done
  say "ready after $(( $(date +%s) - started_at )) s"

  # The API server made its own serving certificate in DIR/certs; the file
  # holds the serving cert followed by the CA cert that signed it.
  [[ -f "$DIR/certs/apiserver.crt" ]] || die "no $DIR/certs/apiserver.crt"
  cp "$DIR/certs/apiserver.crt" "$DIR/ca.crt"

  write_kubeconfig "$DIR/kubeconfig" admin "$admin_token"
  write_kubeconfig "$DIR/operator.kubeconfig" engineer-access-operator "$operator_token"

  (
    umask 077
    cat >"$DIR/env" <<EOF
KUBE_API_URL=$API_URL
KUBE_ADMIN_TOKEN=$admin_token
KUBE_OPERATOR_TOKEN=$operator_token
KUBECONFIG=$DIR/kubeconfig
KUBE_CA_FILE=$DIR/ca.crt
ETCD_PID=$etcd_pid
APISERVER_PID=$apiserver_pid
EOF
  )

  started_ok=1
  trap - EXIT
  echo "$DIR/env"
}

[[ $# -eq 2 ]] || usage
ACTION="$1"
if [[ "$ACTION" == start ]]; then
  mkdir -p -- "$2" || die "cannot create $2"
fi
DIR="$(realpath -m -- "$2")"

case "$ACTION" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
