#!/usr/bin/env bash
# A real local Kubernetes control plane (etcd 3.7 + kube-apiserver 1.37 +
# kube-controller-manager 1.37, built from Go modules by
# scripts/kube-binaries.sh) for tests and "make run". Everything listens on
# 127.0.0.1 only. ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1)
# is among 1.37's default admission plugins and needs no flag. "resume" uses
# the binaries "start" used.
#
# Usage:
#   scripts/control-plane.sh start DIR    start etcd, kube-apiserver and kube-controller-manager;
#                                         prints DIR/env last
#   scripts/control-plane.sh stop DIR     stop them (safe to run any time); the data stays in DIR
#   scripts/control-plane.sh resume DIR   start them again after "stop", with the same data, ports,
#                                         certificates and tokens (an outage, and its end)
#   scripts/control-plane.sh status DIR   say whether each runs (exit 0 if all run, 3 if not)
#
# What "start" leaves in DIR:
#   env                 KUBE_API_URL, KUBE_ADMIN_TOKEN, KUBE_OPERATOR_TOKEN, KUBECONFIG,
#                       KUBE_CA_FILE, ETCD_PID, APISERVER_PID, CONTROLLER_MANAGER_PID
#                       (shell "NAME=value" lines)
#   kubeconfig          admin user (group system:masters)
#   operator.kubeconfig user "engineer-access-operator", no groups and no RBAC rights
#   controller-manager.kubeconfig
#                       user "system:kube-controller-manager" (see below)
#   admin.token, operator.token, tokens.csv
#   ca.crt              the certificate that signed the API server's serving cert
#   binaries            the folder of the binaries "start" used
#   etcd.pid, kube-apiserver.pid, kube-controller-manager.pid,
#   etcd.log, kube-apiserver.log, kube-controller-manager.log
#   audit.log           only when DIR/audit-policy.yaml exists before "start" (see below)
#
# Audit log (for make bench): when DIR/audit-policy.yaml exists (an audit.k8s.io/v1 Policy),
# kube-apiserver writes the requests it selects to DIR/audit.log, one JSON event per line,
# with microsecond timestamps of when each request arrived and was answered. Off otherwise.
#
# Each start begins with an empty etcd (the old DIR/etcd-data is deleted).
# There is no scheduler and no kubelet, so pods never run. The controller
# manager runs only these controllers:
#   garbagecollector         deletes objects whose ownerReferences point at
#                            owners that are gone
#   namespace                empties deleted namespaces so they go away
#   serviceaccount-token     token secrets for service accounts (no default
#                            service account is made: that is the
#                            "serviceaccount" controller, not run). Since
#                            Kubernetes 1.24 it no longer
#                            makes a Secret for every ServiceAccount: it only
#                            fills in Secrets of type
#                            kubernetes.io/service-account-token made by hand
#                            (or use the TokenRequest API).
#   clusterrole-aggregation  fills ClusterRoles that have an aggregationRule
# All of them use the one identity "system:kube-controller-manager"
# (--use-service-account-credentials=false). Kubernetes' built-in
# ClusterRole for that user lets it read everything but delete almost nothing,
# so "start" also binds the user to the built-in roles of those controllers,
# in ClusterRoleBindings named "local-control-plane:<role>" (labelled
# local-control-plane=true).
# The garbage collector learns about new resource types (e.g. a CRD created
# after start) only on its next discovery pass, every 30 s: until then objects
# owned by such a custom resource are not collected (it catches up then).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
READY_TIMEOUT_SECONDS="${CONTROL_PLANE_READY_TIMEOUT:-60}"
CONTROLLER_MANAGER_READY_TIMEOUT_SECONDS="${CONTROLLER_MANAGER_READY_TIMEOUT:-30}"
CONTROLLER_MANAGER_USER=system:kube-controller-manager
CONTROLLER_MANAGER_CONTROLLERS=garbagecollector,namespace,serviceaccount-token,clusterrole-aggregation
# Built-in ClusterRoles the controller manager's user is bound to, one per
# controller above (except serviceaccount-token, which the user's own
# built-in role already covers).
CONTROLLER_MANAGER_ROLES=(
  system:controller:generic-garbage-collector
  system:controller:namespace-controller
  system:controller:clusterrole-aggregation-controller
)

say() { echo "control-plane: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# wait_until_ok WHAT URL TIMEOUT "PROCESS..." [CURL-ARGS...]
# Polls URL until it answers "ok", failing at once if one of the named processes has exited, and
# after TIMEOUT seconds. Sets WAITED to the seconds it took.
WAITED=0
wait_until_ok() {
  local what="$1" url="$2" timeout="$3" processes="$4"
  shift 4
  local started_at waited answer name
  started_at=$(date +%s)
  while :; do
    waited=$(( $(date +%s) - started_at ))
    for name in $processes; do
      has_exited "$name" && die "$name exited"
    done
    answer="$(curl -sk --max-time 2 "$@" "$url" 2>/dev/null || true)"
    [[ "$answer" == "ok" ]] && break
    ((waited < timeout)) || die "$what not ready after $timeout s"
    if ((waited > 0 && waited % 5 == 0)); then
      say "waiting for $url ($waited s)"
      sleep 1
    else
      sleep 0.5
    fi
  done
  WAITED=$(( $(date +%s) - started_at ))
}

# True when the process this script started from DIR/NAME.pid has exited. Unlike running_pid, a process
# that has not yet exec'd NAME (on a busy machine its command line can still be this script's or setsid's
# for a while) counts as running: only a missing or zombie process has exited.
has_exited() {
  local pid state
  pid="$(tr -dc '0-9' <"$DIR/$1.pid" 2>/dev/null || true)"
  [[ -n "$pid" && -r "/proc/$pid/stat" ]] || return 0
  state="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -z "$state" || "$state" == Z ]]
}

usage() {
  echo "usage: $0 start|stop|resume|status DIR" >&2
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
  # Controller manager first, then the API server, so neither complains
  # about what it talks to going away.
  stop_one kube-controller-manager
  stop_one kube-apiserver
  stop_one etcd
}

cmd_status() {
  local name pid all_running=0
  for name in etcd kube-apiserver kube-controller-manager; do
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

# The three processes, started in the background with the ports in the globals etcd_client_port,
# etcd_peer_port, etcd_metrics_port, api_port and controller_manager_port, and the binaries in bin_dir.
# "start" picks the ports and writes them to DIR/ports; "resume" reads them back.
etcd_pid="" apiserver_pid="" controller_manager_pid=""
etcd_client_port="" etcd_peer_port="" etcd_metrics_port="" api_port="" controller_manager_port=""
admin_token="" operator_token="" controller_manager_token="" bin_dir=""

launch_etcd() {
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
    </dev/null >>"$DIR/etcd.log" 2>&1 &
  etcd_pid=$!
  echo "$etcd_pid" >"$DIR/etcd.pid"
}

# Starts kube-apiserver and waits until /readyz answers ok (it waits for etcd too).
launch_apiserver() {
  API_URL="https://127.0.0.1:$api_port"
  local audit_flags=()
  if [[ -f "$DIR/audit-policy.yaml" ]]; then
    audit_flags=(--audit-policy-file "$DIR/audit-policy.yaml" --audit-log-path "$DIR/audit.log" --audit-log-maxbackup 0)
  fi
  # MutatingAdmissionPolicy was beta and off by default in 1.34 and 1.35 (GA and on from 1.36): on where this release
  # has it as beta, so that the tests can alter a binding on its way in as a mutating webhook would (decision 75).
  local admission_flags=()
  local help
  help=$("$bin_dir/kube-apiserver" --help 2>/dev/null || true)
  if [[ "$help" == *'MutatingAdmissionPolicy=true|false (BETA'* ]]; then
    admission_flags=(--feature-gates MutatingAdmissionPolicy=true --runtime-config admissionregistration.k8s.io/v1beta1=true)
  fi
  say "starting kube-apiserver on $API_URL"
  setsid "$bin_dir/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_client_port" \
    --bind-address 127.0.0.1 \
    --advertise-address 127.0.0.1 \
    --secure-port "$api_port" \
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
    "${audit_flags[@]}" \
    "${admission_flags[@]}" \
    </dev/null >>"$DIR/kube-apiserver.log" 2>&1 &
  apiserver_pid=$!
  echo "$apiserver_pid" >"$DIR/kube-apiserver.pid"
  wait_until_ok kube-apiserver "$API_URL/readyz" "$READY_TIMEOUT_SECONDS" "etcd kube-apiserver" \
    -H "Authorization: Bearer $admin_token"
  say "ready after $WAITED s"
}

# Starts kube-controller-manager and waits until it is healthy. It serves only HTTPS (health checks) on
# 127.0.0.1, with a self-signed certificate it writes to DIR/certs; before 1.24, --port 0 turns off its
# plain-HTTP port (1.24 removed that port and the flag). /healthz needs no credentials (it is in
# --authorization-always-allow-paths by default).
launch_controller_manager() {
  local controller_manager_url="https://127.0.0.1:$controller_manager_port"
  say "starting kube-controller-manager on $controller_manager_url"
  setsid "$bin_dir/kube-controller-manager" \
    --kubeconfig "$DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 \
    --secure-port "$controller_manager_port" \
    --cert-dir "$DIR/certs" \
    --leader-elect=false \
    --use-service-account-credentials=false \
    --controllers "$CONTROLLER_MANAGER_CONTROLLERS" \
    --service-account-private-key-file "$DIR/sa.key" \
    --root-ca-file "$DIR/ca.crt" \
    --profiling=false \
    </dev/null >>"$DIR/kube-controller-manager.log" 2>&1 &
  controller_manager_pid=$!
  echo "$controller_manager_pid" >"$DIR/kube-controller-manager.pid"
  wait_until_ok kube-controller-manager "$controller_manager_url/healthz" "$CONTROLLER_MANAGER_READY_TIMEOUT_SECONDS" \
    "kube-controller-manager"
  say "kube-controller-manager healthy after $WAITED s"
}

# Finds the binaries and checks them (sets bin_dir): on "resume", those "start" used (DIR/binaries),
# otherwise the ones kube-binaries.sh gives.
find_binaries() {
  local name
  if [[ "$ACTION" == resume && -f "$DIR/binaries" ]]; then
    bin_dir="$(cat "$DIR/binaries")"
    for name in etcd kube-apiserver kube-controller-manager kubectl; do
      [[ -x "$bin_dir/$name" ]] || die "$bin_dir/$name (used by start, see $DIR/binaries) is gone"
    done
  else
    bin_dir="$("$SCRIPT_DIR/kube-binaries.sh" | tail -n1)"
    for name in etcd kube-apiserver kube-controller-manager kubectl; do
      [[ -x "$bin_dir/$name" ]] || die "kube-binaries.sh gave no $name"
    done
  fi
  say_kube_version
}

# Says which release runs (and checks the binary runs at all).
say_kube_version() {
  local reported
  reported="$("$bin_dir/kube-apiserver" --version)" || die "$bin_dir/kube-apiserver does not run"
  say "using $reported from $bin_dir"
}

# Writes DIR/env (see the header).
write_env() {
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
CONTROLLER_MANAGER_PID=$controller_manager_pid
EOF
  )
}

# Set to 1 once "start" has fully succeeded; until then a failure stops
# whatever was started.
started_ok=0

cmd_start() {

  if [[ -n "$(running_pid etcd)" && -n "$(running_pid kube-apiserver)" &&
        -n "$(running_pid kube-controller-manager)" && -f "$DIR/env" ]]; then
    say "already running in $DIR (use 'stop' first for a fresh one)"
    echo "$DIR/env"
    return 0
  fi
  # Something half-running (e.g. only etcd, or an etcd and kube-apiserver
  # started by an older version of this script): clear it out first.
  cmd_stop

  find_binaries

  # If anything below fails, stop what we started and show the logs.
  on_exit() {
    local rc=$?
    if ((started_ok == 0)); then
      say "start failed (exit $rc); stopping what was started"
      local log
      for log in etcd.log kube-apiserver.log kube-controller-manager.log; do
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
  rm -f "$DIR"/{env,ports,binaries,kubeconfig,operator.kubeconfig,controller-manager.kubeconfig} \
        "$DIR"/{tokens.csv,admin.token,operator.token} \
        "$DIR"/{sa.key,sa.pub,ca.crt,etcd.log,kube-apiserver.log,kube-controller-manager.log,audit.log}
  mkdir -p "$DIR/etcd-data" "$DIR/certs"
  chmod 700 "$DIR/etcd-data" "$DIR/certs"

  read -r etcd_client_port etcd_peer_port etcd_metrics_port api_port controller_manager_port \
    <<<"$(free_ports 5)"
  echo "$etcd_client_port $etcd_peer_port $etcd_metrics_port $api_port $controller_manager_port" >"$DIR/ports"
  echo "$bin_dir" >"$DIR/binaries"

  # Random bearer tokens and the static token file: token,user,uid[,"groups"].
  admin_token="$(openssl rand -hex 24)"
  operator_token="$(openssl rand -hex 24)"
  controller_manager_token="$(openssl rand -hex 24)"
  (
    umask 077
    printf '%s\n' "$admin_token" >"$DIR/admin.token"
    printf '%s\n' "$operator_token" >"$DIR/operator.token"
    {
      echo "$admin_token,admin,admin,system:masters"
      echo "$operator_token,engineer-access-operator,engineer-access-operator"
      echo "$controller_manager_token,$CONTROLLER_MANAGER_USER,$CONTROLLER_MANAGER_USER"
    } >"$DIR/tokens.csv"
    # Key pair used to sign and check service account tokens.
    openssl genrsa -out "$DIR/sa.key" 2048 2>/dev/null
    openssl rsa -in "$DIR/sa.key" -pubout -out "$DIR/sa.pub" 2>/dev/null
  )

  launch_etcd

  launch_apiserver

  # The API server made its own serving certificate in DIR/certs; the file
  # holds the serving cert followed by the CA cert that signed it.
  [[ -f "$DIR/certs/apiserver.crt" ]] || die "no $DIR/certs/apiserver.crt"
  cp "$DIR/certs/apiserver.crt" "$DIR/ca.crt"

  write_kubeconfig "$DIR/kubeconfig" admin "$admin_token"
  write_kubeconfig "$DIR/operator.kubeconfig" engineer-access-operator "$operator_token"
  write_kubeconfig "$DIR/controller-manager.kubeconfig" "$CONTROLLER_MANAGER_USER" \
    "$controller_manager_token"

  # Let the controller manager's user do what its controllers need (see the
  # header comment).
  local role
  for role in "${CONTROLLER_MANAGER_ROLES[@]}"; do
    cat <<EOF
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: local-control-plane:$role
  labels:
    local-control-plane: "true"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: $role
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: $CONTROLLER_MANAGER_USER
EOF
  done | "$bin_dir/kubectl" --kubeconfig "$DIR/kubeconfig" create -f - >/dev/null ||
    die "cannot create the controller manager's ClusterRoleBindings"

  launch_controller_manager

  write_env

  started_ok=1
  trap - EXIT
  echo "$DIR/env"
}

# Starts again what "stop" stopped in DIR, with the same ports, certificates, tokens and etcd data: the
# same cluster, back after an outage. Clients keep their kubeconfig and tokens.
cmd_resume() {
  [[ -f "$DIR/ports" && -f "$DIR/env" && -d "$DIR/etcd-data" ]] || die "nothing to resume in $DIR (use start)"
  if [[ -n "$(running_pid etcd)" && -n "$(running_pid kube-apiserver)" && -n "$(running_pid kube-controller-manager)" ]]; then
    say "already running in $DIR"
    echo "$DIR/env"
    return 0
  fi
  cmd_stop
  find_binaries
  read -r etcd_client_port etcd_peer_port etcd_metrics_port api_port controller_manager_port <"$DIR/ports"
  admin_token="$(cat "$DIR/admin.token")"
  operator_token="$(cat "$DIR/operator.token")"
  on_resume_failure() {
    local rc=$?
    if ((started_ok == 0)); then
      say "resume failed (exit $rc); stopping what was started"
      cmd_stop || true
      ((rc != 0)) || rc=1
    fi
    exit "$rc"
  }
  trap on_resume_failure EXIT
  launch_etcd
  launch_apiserver
  launch_controller_manager
  write_env
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
  resume) cmd_resume ;;
  status) cmd_status ;;
  *) usage ;;
esac
