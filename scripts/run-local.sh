#!/usr/bin/env bash
# make run: run the operator.
#   With KUBECONFIG set (or --kubeconfig FILE): against that cluster, as that user.
#   Without: on a local control plane (kube-apiserver 1.37 + etcd on 127.0.0.1), with the CRDs,
#   the example ClusterRoles, namespaces and engineers installed, the operator running as a user that
#   holds only its own ClusterRole, and a live table of engineers. Ctrl-C stops everything.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Messages may go to a pipe that Ctrl-C has already closed: never let that stop the clean-up.
say() { echo "run: $*" >&2 2>/dev/null || true; }

kubeconfig="${KUBECONFIG:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kubeconfig) kubeconfig="$2"; shift 2 ;;
    --kubeconfig=*) kubeconfig="${1#*=}"; shift ;;
    *) echo "usage: $0 [--kubeconfig FILE]" >&2; exit 2 ;;
  esac
done

jar="$root/target/quarkus-app/quarkus-run.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]]; then
  say "building the operator (mvn package, about 1 minute; the first build downloads about 180 MB)..."
  mvn -q -B -DskipTests package
fi

if [[ -n "$kubeconfig" ]]; then
  say "running the operator against the cluster in $kubeconfig (Ctrl-C stops it)"
  KUBECONFIG="$kubeconfig" exec java -jar "$jar"
fi

dir="$root/.local/control-plane"
bin="$(scripts/kube-binaries.sh)"
kubectl=("$bin/kubectl" "--kubeconfig=$dir/kubeconfig")
operator_pid=""

stop_all() {
  trap - EXIT
  trap '' INT TERM HUP PIPE
  if [[ -n "$operator_pid" ]] && kill -0 "$operator_pid" 2>/dev/null; then
    say "stopping the operator (pid $operator_pid)"
    kill "$operator_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$operator_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$operator_pid" 2>/dev/null || true
  fi
  say "stopping kube-apiserver and etcd"
  scripts/control-plane.sh stop "$dir" || true
  say "stopped; nothing is left running"
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP

say "starting the local control plane in $dir"
scripts/control-plane.sh start "$dir" >/dev/null

say "installing the CRDs, the example ClusterRoles and the operator's own ClusterRole"
# The kubectl of the server's own release, with its default validation, as a user applies them.
"${kubectl[@]}" apply -f crds/ >/dev/null
"${kubectl[@]}" wait --for condition=established --timeout=60s crd/engineeraccesses.access.govuk.digital crd/accesspolicies.access.govuk.digital >/dev/null
"${kubectl[@]}" apply -f examples/02-cluster-roles.yaml >/dev/null
# The operator's ClusterRole exactly as the Helm chart renders it (no helm binary needed; no pod runs here, so
# no image either: image.allowLocal).
scripts/render-chart.sh --set image.allowLocal=true --only ClusterRole | "${kubectl[@]}" apply -f - >/dev/null
"${kubectl[@]}" create clusterrolebinding engineer-access-operator --clusterrole=engineer-access-operator \
  --user=engineer-access-operator >/dev/null
# Its Lease, as the chart grants it: a Role limited to the Lease's name, here in namespace default.
scripts/render-chart.sh --set image.allowLocal=true --namespace default --only Role | "${kubectl[@]}" apply -f - >/dev/null
"${kubectl[@]}" create rolebinding engineer-access-operator-leader-election -n default \
  --role=engineer-access-operator-leader-election --user=engineer-access-operator >/dev/null
say "installing examples/: the policy, namespaces and engineers"
"${kubectl[@]}" apply -f examples/00-policy.yaml -f examples/01-namespaces.yaml -f examples/10-engineers.yaml >/dev/null

say "starting the operator as user engineer-access-operator (log: $dir/operator.log)"
# As in a cluster it elects a leader on a Lease (here in namespace default); its HTTP and management
# endpoints (health and metrics on port 9000) listen on loopback only.
KUBECONFIG="$dir/operator.kubeconfig" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
  ENGINEER_ACCESS_LEASE_NAMESPACE=default java -jar "$jar" >"$dir/operator.log" 2>&1 &
operator_pid=$!

cat >&2 <<MSG

  In another terminal:
    export KUBECONFIG=$dir/kubeconfig
    kubectl get ea
    kubectl describe ea ada-admin-shadow
    kubectl get rolebindings -A -l app.kubernetes.io/managed-by=engineer-access-operator
    curl -s http://127.0.0.1:9000/q/health     # the operator's health
    curl -s http://127.0.0.1:9000/q/metrics | grep ^engineer_access   # its metrics

  Ctrl-C here stops the operator, kube-apiserver and etcd.

MSG

columns='NAME:.metadata.name,ENGINEER:.spec.fullName,LEVEL:.status.level,SUPERVISED:.status.supervised,NEXT CHANGE:.status.nextTransitionTime,SEEN:.status.observedGeneration'
previous=""
while true; do
  if ! kill -0 "$operator_pid" 2>/dev/null; then
    say "the operator stopped; the end of its log:"
    tail -n 30 "$dir/operator.log" >&2
    exit 1
  fi
  table="$("${kubectl[@]}" get ea -o custom-columns="$columns" 2>/dev/null || true)"
  if [[ "$table" != "$previous" ]]; then
    total=$(("$(printf '%s\n' "$table" | wc -l)" - 1))
    done_count=$(printf '%s\n' "$table" | tail -n +2 | awk '$NF != "<none>"' | wc -l)
    state="converging"
    [[ "$done_count" -eq "$total" && "$total" -gt 0 ]] && state="converged"
    echo "$(date +%H:%M:%S)  $done_count of $total engineers reconciled ($state)"
    printf '%s\n\n' "$table"
    previous="$table"
  fi
  sleep 2
done
