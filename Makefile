# engineer-access-operator: the commands a developer needs. `make help` lists them.
SHELL := /bin/bash
MVN ?= mvn -B
# The instant `make plan` shows; the examples are written around it. Override: make plan AT=now
AT ?= 2026-12-02T12:00:00Z

.PHONY: help test test-oldest soak kube-binaries kube-binaries-oldest helm-binary run plan crds docs build image bench bench-start bench-decision bench-bounds clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

# The oldest Kubernetes the chart supports (kubeVersion >=1.30, pinned in scripts/k8s-oldest/go.mod), and the tests
# that run on it too: every surefire test on a real API server, i.e. what the server itself enforces (the CRDs'
# schema and CEL rules, the chart's admission policies, RBAC and its escalation check) and the chart installed by
# helm (decision 60 in docs/access-rules.md); and, with the packaged operator, that access ends on it too: orphans,
# CRD skew, an invalid policy, duplicate people, finalizers and the garbage collector of that release.
OLDEST_KUBE := 1.30
OLDEST_TESTS := CurrentKubernetesTest,OperatorOwnBindingsTest,RealApiServerTest,ChartInstallTest
OLDEST_ITS := AccessAlwaysEndsIT
TEST_OLDEST = KUBE_VERSION=$(OLDEST_KUBE) $(MVN) -q verify -Dtest='$(OLDEST_TESTS)' -Dit.test='$(OLDEST_ITS)' \
	-Dsurefire.failIfNoSpecifiedTests=false

test: kube-binaries kube-binaries-oldest helm-binary ## Run every test tier (what CI runs): rules, mock server, real API server (Kubernetes 1.37, and 1.30 for what it enforces and that access ends), the packaged operator
	$(MVN) verify
	$(TEST_OLDEST)

test-oldest: kube-binaries-oldest helm-binary ## On the oldest supported Kubernetes (1.30): what the API server enforces, and that access ends
	$(TEST_OLDEST)

# The longer fault soak: SOAK_RUNS runs of the mock-server soak (1,000 engineers, SOAK_STEPS random changes,
# 5% of requests failing), each with a new seed it prints; SOAK_SEED=N replays one run.
SOAK_RUNS ?= 3
SOAK_STEPS ?= 600
soak: ## The fault soak, longer than in make test: 3 runs of 600 random changes (SOAK_SEED=N replays a run)
	@set -o pipefail; for i in $$(seq 1 $(SOAK_RUNS)); do \
	  $(MVN) -q test -Dtest=FaultSoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dsoak.steps=$(SOAK_STEPS) \
	    $(if $(SOAK_SEED),-Dsoak.seed=$(SOAK_SEED),) 2>&1 | { grep -E '^fault soak|FAIL|ERROR\]' || true; } || exit 1; \
	done

kube-binaries: ## Build Kubernetes 1.37 and etcd from Go modules once (about 10 minutes) into ~/.cache; later runs take no time
	@scripts/kube-binaries.sh >/dev/null

kube-binaries-oldest: ## The same for Kubernetes 1.30, the oldest supported (about 5 minutes once)
	@KUBE_VERSION=$(OLDEST_KUBE) scripts/kube-binaries.sh >/dev/null

helm-binary: ## Build the helm command the install tests run, from Go modules once (about 3 minutes) into ~/.cache
	@scripts/helm-binary.sh >/dev/null

plan: ## Show the access the examples/ grant at $(AT)
	@if [ "$(AT)" = "now" ]; then bin/engineer-access plan examples/; else bin/engineer-access plan --at $(AT) examples/; fi

run: ## Run the operator: on the KUBECONFIG cluster, or on a local control plane with examples/ (Ctrl-C stops all)
	scripts/run-local.sh $(ARGS)

crds: ## Regenerate crds/ (and the chart's CRD templates) from the Java API types (commit the result)
	$(MVN) -q test -Dtest=CrdFilesTest -Dcrds.write=true -Dsurefire.failIfNoSpecifiedTests=false

docs: ## Regenerate docs/permissions.md (from the chart's roles) and docs/access-flow.md (from the rules); commit them
	$(MVN) -q test -Dtest=GeneratedDocsTest -Ddocs.write=true -Dsurefire.failIfNoSpecifiedTests=false

build: ## Compile and package the operator (target/quarkus-app)
	$(MVN) -DskipTests package

image: ## Build the image tagged with the version and the commit (IMAGE=repository, PUSH=1 pushes; says so when no docker or podman works)
	@IMAGE="$(IMAGE)" PUSH="$(PUSH)" scripts/build-image.sh

JAR := target/quarkus-app/quarkus-run.jar
# Packages the operator when src/main changed since the last package, and compiles the tests either way.
define packaged
@if [ ! -f $(JAR) ] || [ -n "$$(find src/main pom.xml -newer $(JAR) -print -quit)" ]; then \
  $(MVN) -q -DskipTests package; else $(MVN) -q -DskipTests test-compile; fi
endef

bench: kube-binaries ## The operator against the floor on a local control plane: writes, lateness, memory, scaling (BENCH_QUICK=1: smoke test)
	$(packaged)
	java -cp "target/classes:target/test-classes:$$(cat target/test-classpath.txt)" digital.govuk.access.bench.Bench

bench-start: kube-binaries ## Start to ready on Java 17, Java 25, compact headers and an AOT cache, alternated (START_ROUNDS=3)
	$(packaged)
	java -cp "target/classes:target/test-classes:$$(cat target/test-classpath.txt)" digital.govuk.access.bench.StartTimes

bench-decision: ## Decisions per second for 10,000 engineers on one core
	$(MVN) -q -DskipTests test-compile
	java -XX:ActiveProcessorCount=1 -cp "target/classes:target/test-classes:$$(cat target/cli-classpath.txt)" \
	  digital.govuk.access.rules.DecisionBenchmark

bench-bounds: ## How long one decision takes for the largest spec the bounds allow
	$(MVN) -q -DskipTests test-compile
	java -XX:ActiveProcessorCount=1 -cp "target/classes:target/test-classes:$$(cat target/cli-classpath.txt)" \
	  digital.govuk.access.rules.BoundsBenchmark $(ARGS)

clean: ## Remove build output
	$(MVN) -q clean
