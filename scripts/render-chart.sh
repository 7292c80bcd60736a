#!/usr/bin/env bash
# Prints the chart's manifests as `helm template` would, on machines without a helm binary: Helm's own code
# runs inside the JVM through helm-java, a test dependency (src/test/java/.../chart/RenderChart.java).
#
# Usage: scripts/render-chart.sh [--set KEY=VALUE]... [--values FILE]... [--kube-version VERSION] [--namespace NAMESPACE]
#                                [--only KIND]...
#   --only KIND   print only the documents of this kind (repeatable), e.g. --only ClusterRole
# The release is "engineer-access-operator" in namespace "engineer-access" (or NAMESPACE), as in the chart's README.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

main_class=target/test-classes/digital/govuk/access/chart/RenderChart.class
if [[ ! -f "$main_class" || ! -f target/test-classpath.txt ]] ||
   [[ -n "$(find src/test/java/digital/govuk/access/chart pom.xml -newer "$main_class" -print -quit)" ]]; then
  echo "render-chart: compiling the chart renderer (mvn test-compile)..." >&2
  mvn -q -B test-compile >&2
fi
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  digital.govuk.access.chart.RenderChart "$@"
