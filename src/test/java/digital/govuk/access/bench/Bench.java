package digital.govuk.access.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.it.Convergence;
import digital.govuk.access.it.LocalControlPlane;
import digital.govuk.access.it.OperatorProcess;
import digital.govuk.access.it.RealApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * {@code make bench}: what the operator costs the API server, how late it acts and how it scales, side by side with
 * the floor, on a local control plane it starts and stops itself (docs/benchmarks.md). Prints a table and writes
 * target/bench/results.json. Exits 1 only on a wrong result: RoleBinding writes other than one per change, a write in
 * the steady state, an early or missed transition, or a cluster that does not end as plan says. Never on timing.
 * <p>
 * Settings (system properties, or the environment variables in brackets): BENCH_QUICK=1 for the smoke test;
 * bench.engineers [BENCH_ENGINEERS], bench.series [BENCH_SERIES, comma-separated, "" for none; N@M runs
 * N engineers with a memory limit of M MiB instead of the chart's], bench.concurrency
 * [BENCH_CONCURRENCY, the floor's thread counts to try], bench.transitions [BENCH_TRANSITIONS], bench.grants
 * [BENCH_GRANTS], bench.burst [BENCH_BURST], bench.window [BENCH_WINDOW, seconds], bench.series-floor
 * [BENCH_SERIES_FLOOR=0: the series without the floor, for the long 10,000-engineer point], bench.deploy-namespaces,
 * bench.admin-namespaces, bench.seed; BENCH_JVM_EXTRA adds JVM options after the chart's and BENCH_JAVA runs the operator on
 * the JDK at that path (experiments); BENCH_HISTOGRAM=1 writes the operator's heap histogram at each point to target/bench/logs.
 */
public final class Bench {
    static final Path OUT = Path.of("target", "bench").toAbsolutePath();
    static final Path VALUES = Path.of("helm", "engineer-access-operator", "values.yaml");
    static final Duration CONVERGE = Duration.ofMinutes(10);

    /** A point of the series: this many engineers, with the chart's memory limit or {@code memoryMib} ("10000@768"). */
    record Point(int engineers, Integer memoryMib) {
        static List<Point> parse(String csv) {
            return Arrays.stream(csv.split(",")).map(String::strip).filter(p -> !p.isEmpty()).map(p -> {
                String[] parts = p.split("@");
                return new Point(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.valueOf(parts[1]) : null);
            }).toList();
        }
    }

    record Options(boolean quick, int engineers, List<Point> series, boolean seriesFloor, List<Integer> concurrencies, int deployNamespaces,
            int adminNamespaces, long seed, int transitions, int grants, int burst, int windowSeconds) {
        static Options read() {
            boolean quick = "1".equals(setting("bench.quick", "BENCH_QUICK", "0"));
            return new Options(quick,
                    Integer.parseInt(setting("bench.engineers", "BENCH_ENGINEERS", quick ? "100" : "2000")),
                    Point.parse(setting("bench.series", "BENCH_SERIES", quick ? "" : "500,1000,2000,10000")),
                    !"0".equals(setting("bench.series-floor", "BENCH_SERIES_FLOOR", "0")),
                    ints(setting("bench.concurrency", "BENCH_CONCURRENCY", quick ? "16" : "64")),
                    Integer.parseInt(setting("bench.deploy-namespaces", "BENCH_DEPLOY_NAMESPACES", "10")),
                    Integer.parseInt(setting("bench.admin-namespaces", "BENCH_ADMIN_NAMESPACES", "3")),
                    Long.parseLong(setting("bench.seed", "BENCH_SEED", "20261202")),
                    Integer.parseInt(setting("bench.transitions", "BENCH_TRANSITIONS", quick ? "50" : "1000")),
                    Integer.parseInt(setting("bench.grants", "BENCH_GRANTS", quick ? "10" : "200")),
                    Integer.parseInt(setting("bench.burst", "BENCH_BURST", "50")),
                    Integer.parseInt(setting("bench.window", "BENCH_WINDOW", quick ? "5" : "60")));
        }

        private static String setting(String property, String env, String fallback) {
            String v = System.getProperty(property);
            if (v == null) {
                v = System.getenv(env);
            }
            return v == null ? fallback : v.strip();
        }

        private static List<Integer> ints(String csv) {
            return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
        }
    }

    /** The figures of one scale. */
    static final class Scale {
        int engineers;
        int namespaces;
        int bindingsNeeded;
        Map<Integer, Double> rawTrials = new LinkedHashMap<>();
        double rawSeconds;
        int rawConcurrency;
        double operatorSeconds;
        double readySeconds;
        double listFloorSeconds = Double.NaN;
        Integer memoryLimitMib;
        OnTime.Result lag;
        OnTime.Result floorLag;
        double operatorCpuSeconds = Double.NaN;
        double floorCpuSeconds = Double.NaN;
        long bindingWrites;
        long statusWrites;
        Map<String, Long> otherWrites = new LinkedHashMap<>();
        double rssMib;
        double heapUsedMib;
        boolean exact;
        Map<String, Object> extra = new LinkedHashMap<>();

        /** Operator seconds over floor seconds; NaN for a series point measured without the floor. */
        double ratio() {
            return rawSeconds > 0 ? operatorSeconds / rawSeconds : Double.NaN;
        }

        double writesPerChange() {
            return bindingsNeeded == 0 ? 1 : (double) bindingWrites / bindingsNeeded;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("engineers", engineers);
            m.put("memory_limit_mib", memoryLimitMib);
            m.put("namespaces", namespaces);
            m.put("bindings_needed", bindingsNeeded);
            m.put("raw_seconds", round(rawSeconds, 3));
            m.put("raw_concurrency", rawConcurrency);
            Map<String, Object> trials = new LinkedHashMap<>();
            rawTrials.forEach((c, s) -> trials.put(String.valueOf(c), round(s, 3)));
            m.put("raw_trials", trials);
            m.put("operator_seconds", round(operatorSeconds, 3));
            m.put("ratio", rawSeconds > 0 ? round(ratio(), 3) : null);
            m.put("binding_writes", bindingWrites);
            m.put("writes_per_change", round(writesPerChange(), 4));
            m.put("status_writes", statusWrites);
            m.put("status_writes_per_engineer", round((double) statusWrites / engineers, 3));
            m.put("other_writes", otherWrites);
            m.put("other_writes_per_engineer", round(otherWrites.values().stream().mapToLong(Long::longValue).sum() / (double) engineers, 3));
            m.put("operator_ms_per_engineer", round(operatorSeconds * 1000 / engineers, 3));
            m.put("raw_ms_per_engineer", round(rawSeconds * 1000 / engineers, 3));
            m.put("operator_rss_mib", round(rssMib, 1));
            m.put("heap_used_mib", round(heapUsedMib, 1));
            m.put("heap_after_gc_mib", round(heapUsedMib, 1));
            m.put("ready_seconds", round(readySeconds, 3));
            m.put("list_floor_seconds", round(listFloorSeconds, 3));
            m.put("ready_over_list_floor_seconds", round(readySeconds - listFloorSeconds, 3));
            Map<String, Object> cpu = new LinkedHashMap<>();
            cpu.put("operator_seconds", round(operatorCpuSeconds, 2));
            cpu.put("floor_seconds", round(floorCpuSeconds, 2));
            cpu.put("operator_ms_per_engineer", round(operatorCpuSeconds * 1000 / engineers, 3));
            cpu.put("floor_ms_per_engineer", round(floorCpuSeconds * 1000 / engineers, 3));
            m.put("cpu", cpu);
            m.put("converged_exactly", exact);
            m.putAll(extra);
            return m;
        }
    }

    private final Options options;
    private final Workload workload;
    private final List<String> jvmOptions;
    private final Integer chartMemoryMib;
    private final List<String> problems = new ArrayList<>();

    private Bench(Options options) throws IOException {
        this.options = options;
        this.workload = new Workload(options.deployNamespaces(), options.adminNamespaces(), options.seed());
        this.jvmOptions = chartJvmOptions();
        this.chartMemoryMib = chartMemoryMib();
    }

    public static void main(String[] args) {
        try {
            run();
        } catch (Exception | Error e) {
            // The control plane is stopped by its shutdown hook; non-daemon client threads must not keep the JVM alive.
            e.printStackTrace();
            System.out.println("make bench could not finish: " + e);
            System.exit(2);
        }
    }

    private static void run() throws Exception {
        long t0 = System.nanoTime();
        Options options = Options.read();
        String javaHome = System.getenv("BENCH_JAVA");
        if (javaHome != null && !javaHome.isBlank()) {
            System.setProperty("operator.java.home", javaHome.strip()); // another JDK for the operator, for experiments
        }
        Files.createDirectories(OUT);
        Bench bench = new Bench(options);
        say("make bench%s: %d engineers, %d deploy + %d admin namespaces, seed %d; operator JVM: %s", options.quick() ? " (quick)" : "",
                options.engineers(), options.deployNamespaces(), options.adminNamespaces(), options.seed(), String.join(" ", bench.jvmOptions));
        Scale head = bench.scale(options.engineers(), null, true, options.concurrencies());
        List<Scale> series = new ArrayList<>();
        for (Point p : options.series()) {
            series.add(p.engineers() == options.engineers() && p.memoryMib() == null ? head
                    : bench.scale(p.engineers(), p.memoryMib(), false, options.seriesFloor() ? List.of(head.rawConcurrency) : List.of()));
        }
        double decisions = decisionsPerSecond(options.quick());
        Map<String, Object> json = bench.json(head, series, decisions, (System.nanoTime() - t0) / 1e9);
        Files.writeString(OUT.resolve("results.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        bench.print(head, series, decisions, (System.nanoTime() - t0) / 1e9);
        if (!bench.problems.isEmpty()) {
            System.out.println("WRONG RESULTS:");
            bench.problems.forEach(p -> System.out.println("  - " + p));
            System.exit(1);
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // One scale: a fresh control plane, the workload, the floor, the operator.

    private Scale scale(int n, Integer memoryMib, boolean full, List<Integer> concurrencies) throws Exception {
        Path dir = OUT.resolve("control-plane");
        AuditLog.enable(dir);
        say("[%d engineers] starting a fresh local control plane", n);
        try (LocalControlPlane cp = LocalControlPlane.start(dir); KubernetesClient admin = client(cp, cp.env("KUBE_ADMIN_TOKEN"), 16)) {
            RealApiServer.install(admin);
            AuditLog audit = new AuditLog(dir);
            ApiServerWrites writes = new ApiServerWrites(admin);
            List<Namespace> namespaces = workload.namespaces();
            namespaces.forEach(ns -> admin.resource(ns).create());
            try (InputStream in = Files.newInputStream(Path.of("examples/00-policy.yaml"))) {
                admin.resource(admin.resources(AccessPolicy.class).load(in).item()).create();
            }
            long t = System.nanoTime();
            createAll(admin, workload.engineers(0, n, Instant.now()));
            say("[%d engineers] created in %.1f s", n, (System.nanoTime() - t) / 1e9);

            Scale s = new Scale();
            s.engineers = n;
            s.namespaces = namespaces.size();
            Path operatorKubeconfig = cp.kubeconfigFor(RealApiServer.OPERATOR_USER, cp.env("KUBE_OPERATOR_TOKEN"));
            if (concurrencies.isEmpty()) {
                s.bindingsNeeded = Floor.work(admin, Instant.now()).bindings().size();
                s.rawSeconds = Double.NaN;
            } else {
                floor(s, cp, admin, writes, namespaces, concurrencies);
            }

            // What a plain client takes to list what the operator's informers list, as it is at the cold start.
            s.listFloorSeconds = listFloor(cp);
            // The operator, from a cold start: the engineers exist, no binding or status does.
            ApiServerWrites.Snapshot before = writes.snapshot();
            long auditFrom = audit.end();
            Instant started = Instant.now();
            s.memoryLimitMib = memoryMib != null ? memoryMib : chartMemoryMib;
            OperatorProcess operator = startOperator("operator-" + n, operatorKubeconfig, memoryMib);
            try {
                s.readySeconds = secondsSince(started, awaitReady(operator));
                OperatorProcess running = operator;
                awaitUntil("the operator to converge", CONVERGE, () -> {
                    if (!running.alive()) {
                        throw new IllegalStateException(running.name() + " exited before converging:\n" + running.tail());
                    }
                    ApiServerWrites.Snapshot d = writes.snapshot().minus(before);
                    return d.of("rolebindings", "POST") >= s.bindingsNeeded && d.to("engineeraccesses/status") >= n
                            && Convergence.of(admin, Instant.now()).exact();
                });
                awaitQuiet(writes);
                ApiServerWrites.Snapshot d = writes.snapshot().minus(before);
                s.exact = Convergence.of(admin, Instant.now()).exact();
                s.operatorSeconds = secondsSince(started, lastWrite(audit, auditFrom));
                s.bindingWrites = d.to("rolebindings");
                s.statusWrites = d.to("engineeraccesses/status");
                s.otherWrites = d.except("rolebindings", "engineeraccesses/status");
                s.operatorCpuSeconds = cpuSeconds(operator.pid());
                s.extra.put("start_timeline_seconds", timeline(operator, started, s.readySeconds, audit, auditFrom));
                footprint(s, operator);
                say("[%d engineers] operator: ready %.2f s (list floor %.2f s), CPU %.1f s, converged %.2f s (%s); RoleBinding writes %d for %d"
                        + " needed; status writes %d; other %s; RSS %.0f MiB, heap %.0f MiB", n, s.readySeconds, s.listFloorSeconds,
                        s.operatorCpuSeconds, s.operatorSeconds,
                        s.rawSeconds > 0 ? fmt("floor %.2f s, ratio %.2f", s.rawSeconds, s.ratio()) : "no floor at this point",
                        s.bindingWrites, s.bindingsNeeded, s.statusWrites, s.otherWrites, s.rssMib, s.heapUsedMib);
                check(s.exact, n + " engineers: the cluster did not end exactly as plan says");
                check(s.bindingWrites == s.bindingsNeeded, n + " engineers: " + s.bindingWrites + " RoleBinding writes for "
                        + s.bindingsNeeded + " needed (writes_per_change must be 1.00)");
                if (full) {
                    operator = steady(s, cp, admin, writes, audit, operator, operatorKubeconfig);
                    onTime(s, admin, writes, audit, operator);
                    // The floor of the same phase, with the operator stopped: it must not touch the floor's engineers.
                    operator.close();
                    onTimeFloor(s, cp, admin, audit);
                }
            } finally {
                operator.close();
            }
            return s;
        }
    }

    private void floor(Scale s, LocalControlPlane cp, KubernetesClient admin, ApiServerWrites writes, List<Namespace> namespaces,
            List<Integer> concurrencies) {
        List<String> names = namespaces.stream().map(ns -> ns.getMetadata().getName()).toList();
        for (int c : concurrencies) {
            // Read again for each trial: the status writes need each engineer's resourceVersion as it is now.
            Floor.Work work = Floor.work(admin, Instant.now());
            s.bindingsNeeded = work.bindings().size();
            try (KubernetesClient client = floorClient(cp, c)) {
                ApiServerWrites.Snapshot before = writes.snapshot();
                double cpu0 = benchCpuSeconds();
                double seconds = Floor.run(client, work, c);
                double cpu = benchCpuSeconds() - cpu0;
                ApiServerWrites.Snapshot d = writes.snapshot().minus(before);
                s.rawTrials.put(c, seconds);
                if (seconds <= s.rawTrials.values().stream().mapToDouble(Double::doubleValue).min().orElse(seconds)) {
                    s.floorCpuSeconds = cpu;
                }
                say("[%d engineers] floor, %d threads: %.2f s (%d RoleBinding and %d status writes)", s.engineers, c, seconds,
                        d.to("rolebindings"), d.to("engineeraccesses/status"));
                if (s.rawTrials.size() == 1) {
                    check(Convergence.of(admin, Instant.now()).exact(), s.engineers + " engineers: the floor did not make the cluster plan says");
                }
            }
            Floor.undo(admin, names);
            awaitUntil("the floor's bindings to be gone", CONVERGE, () -> admin.rbac().roleBindings().inAnyNamespace()
                    .withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).list().getItems().isEmpty());
        }
        var best = s.rawTrials.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow();
        s.rawConcurrency = best.getKey();
        s.rawSeconds = best.getValue();
    }

    /** A plain client as the operator's user, its connection limits raised to the concurrency (the floor's best chance). */
    private static KubernetesClient floorClient(LocalControlPlane cp, int concurrency) {
        return client(cp, cp.env("KUBE_OPERATOR_TOKEN"), concurrency);
    }

    /** A client with this token; requests may take minutes (deleting every binding of a namespace at once does). */
    private static KubernetesClient client(LocalControlPlane cp, String token, int concurrency) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(cp.env("KUBE_API_URL")).withOauthToken(token)
                .withCaCertFile(cp.env("KUBE_CA_FILE")).withNamespace("default").withRequestTimeout(600_000)
                .withMaxConcurrentRequests(Math.max(64, concurrency)).withMaxConcurrentRequestsPerHost(Math.max(64, concurrency)).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Steady flow and steady state.

    private OperatorProcess steady(Scale s, LocalControlPlane cp, KubernetesClient admin, ApiServerWrites writes, AuditLog audit,
            OperatorProcess operator, Path kubeconfig) throws Exception {
        int n = s.engineers;
        // Steady flow: engineers created while the operator runs.
        int flow = Math.max(20, n / 10);
        List<EngineerAccess> newcomers = workload.engineers(n, n + flow, Instant.now());
        ApiServerWrites.Snapshot before = writes.snapshot();
        long auditFrom = audit.end();
        Instant started = Instant.now();
        createAll(admin, newcomers);
        int needed = Floor.work(admin, Instant.now()).bindings().size() - s.bindingsNeeded;
        awaitUntil("the newcomers to converge", CONVERGE, () -> writes.snapshot().minus(before).of("rolebindings", "POST") >= needed
                && Convergence.of(admin, Instant.now()).exact());
        awaitQuiet(writes);
        ApiServerWrites.Snapshot d = writes.snapshot().minus(before);
        double seconds = secondsSince(started, lastWrite(audit, auditFrom));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("engineers", flow);
        f.put("bindings_needed", needed);
        f.put("seconds", round(seconds, 3));
        f.put("binding_writes", d.to("rolebindings"));
        f.put("status_writes", d.to("engineeraccesses/status"));
        Map<String, Long> other = d.except("rolebindings", "engineeraccesses/status");
        other.computeIfPresent("engineeraccesses POST", (k, v) -> v - flow == 0 ? null : v - flow); // the harness's creates
        f.put("other_writes", other);
        s.extra.put("flow", f);
        say("[%d engineers] steady flow: %d engineers created while it runs converged %.2f s after the first create; RoleBinding"
                + " writes %d for %d needed; %s", n, flow, seconds, d.to("rolebindings"), needed, d.counts());
        check(d.to("rolebindings") == needed, "steady flow: " + d.to("rolebindings") + " RoleBinding writes for " + needed + " needed");
        int all = n + flow;

        // Restart.
        operator.close();
        Map<String, Object> steady = new LinkedHashMap<>();
        steady.put("restart_list_floor_seconds", round(listFloor(cp), 3));
        ApiServerWrites.Snapshot b1 = writes.snapshot();
        Instant restarted = Instant.now();
        operator = startOperator("operator-restarted", kubeconfig, null);
        double ready = secondsSince(restarted, awaitReady(operator));
        OperatorProcess restartedOperator = operator;
        awaitUntil("a pass over every engineer after the restart", CONVERGE, () -> reconciled(restartedOperator) >= all);
        awaitQuiet(writes);
        ApiServerWrites.Snapshot restart = writes.snapshot().minus(b1);
        steady.put("restart", restart.counts());
        steady.put("restart_ready_seconds", round(ready, 3));
        steady.put("restart_cpu_seconds", round(cpuSeconds(operator.pid()), 2));

        // A policy change that changes no decision: one more tech lead, who approved nobody.
        double r0 = reconciled(operator);
        ApiServerWrites.Snapshot b2 = writes.snapshot();
        admin.resources(AccessPolicy.class).withName("default").edit(p -> {
            p.getSpec().techLeads.add("bench.lead@example.gov.uk");
            return p;
        });
        awaitUntil("a pass over every engineer after the policy change", CONVERGE, () -> reconciled(restartedOperator) >= r0 + all);
        // The policy's own acknowledgement of the edit (its status's observedGeneration) belongs to this phase, however late.
        awaitUntil("the policy's status to acknowledge the edit", CONVERGE, () -> {
            AccessPolicy p = admin.resources(AccessPolicy.class).withName("default").get();
            return p.getStatus() != null && Objects.equals(p.getStatus().observedGeneration, p.getMetadata().getGeneration());
        });
        awaitQuiet(writes);
        ApiServerWrites.Snapshot policy = writes.snapshot().minus(b2);
        steady.put("policy_change", policy.counts());

        // A namespace no selector matches, relabelled.
        double r1 = reconciled(operator);
        ApiServerWrites.Snapshot b3 = writes.snapshot();
        admin.namespaces().withName(Workload.UNSELECTED).edit(ns -> {
            ns.getMetadata().getLabels().put("team", "bench");
            return ns;
        });
        awaitUntil("a pass over every engineer after the relabel", CONVERGE, () -> reconciled(restartedOperator) >= r1 + all);
        awaitQuiet(writes);
        ApiServerWrites.Snapshot relabel = writes.snapshot().minus(b3);
        steady.put("namespace_relabel", relabel.counts());

        // Not counted (docs/benchmarks.md): the harness's own edits; the AccessPolicy's status write recording the
        // edit's observedGeneration (the edit's acknowledgement, not a write about any engineer); and
        // SelfSubjectAccessReviews, which the API server counts as a create but stores nothing (a question: may the
        // operator bind its roles).
        long steadyWrites = operatorWrites(restart) + operatorWrites(policy) - policy.of("accesspolicies", "PATCH")
                - policy.to("accesspolicies/status") + operatorWrites(relabel) - relabel.of("namespaces", "PATCH");
        s.extra.put("steady_state_writes", steadyWrites);
        s.extra.put("steady_state", steady);
        say("[%d engineers] steady state: restart %s (ready %.2f s), policy change %s, namespace relabel %s", n, restart.counts(), ready,
                policy.counts(), relabel.counts());
        check(steadyWrites == 0, "steady state: " + steadyWrites + " writes (must be 0)");
        return operator;
    }

    /** Writes that store something (SelfSubjectAccessReviews store nothing). */
    static long operatorWrites(ApiServerWrites.Snapshot d) {
        return d.total() - d.to("selfsubjectaccessreviews");
    }

    private static double reconciled(OperatorProcess p) {
        return p.sum("operator_sdk_reconciliations_success_total", "kind=\"EngineerAccess\"");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // On time.

    /** The RoleBindings the on-time engineers hold before their window: Deploy for all, and Admin for those expiring. */
    private int onTimeSetupBindings() {
        return options.transitions() * (options.deployNamespaces() + options.adminNamespaces()) + options.grants() * options.deployNamespaces();
    }

    /**
     * The on-time phase's engineers and changes, named with {@code prefix}, its window starting once there has been
     * time to set it up: at the rate of {@code secondsFor} the scale's bindings, twice over, and at least 15 s (10 s quick).
     */
    private OnTime.Plan onTimePlan(String prefix, Scale s, double secondsFor, Instant now) {
        List<String> adminNamespaces = workload.namespaces().stream().map(ns -> ns.getMetadata().getName())
                .filter(name -> name.startsWith("admin-")).toList();
        double rate = s.bindingsNeeded / Math.max(0.1, secondsFor);
        long lead = Math.max(options.quick() ? 10 : 15, (long) Math.ceil(2 * onTimeSetupBindings() / rate) + 5);
        return OnTime.plan(prefix, options.transitions(), options.grants(), options.burst(), Duration.ofSeconds(options.windowSeconds()),
                now, now.plusSeconds(lead), adminNamespaces);
    }

    private void onTime(Scale s, KubernetesClient admin, ApiServerWrites writes, AuditLog audit, OperatorProcess operator) {
        int setupBindings = onTimeSetupBindings();
        OnTime.Plan plan = onTimePlan("ot-", s, s.operatorSeconds, Instant.now());
        say("[%d engineers] on time: %d exceptions ending and %d starting between %s and %s, in bursts of up to %d", s.engineers,
                options.transitions(), options.grants(), plan.windowStart(), plan.windowEnd(), options.burst());
        double lateBefore = operator.metric("engineer_access_transition_lateness_seconds_count");
        double lateSumBefore = operator.metric("engineer_access_transition_lateness_seconds_sum");
        ApiServerWrites.Snapshot b0 = writes.snapshot();
        createAll(admin, plan.engineers());
        awaitUntil("the on-time engineers to converge", Duration.between(Instant.now(), plan.windowStart()).plusSeconds(60),
                () -> writes.snapshot().minus(b0).of("rolebindings", "POST") >= setupBindings);
        awaitQuiet(writes);
        long offset = audit.end();
        Instant set = Instant.now();
        if (!set.isBefore(plan.windowStart())) {
            problems.add("on time: the phase was not set up before its window began (" + set + " >= " + plan.windowStart() + ")");
        }
        ApiServerWrites.Snapshot b1 = writes.snapshot();
        sleepUntil(plan.windowEnd().plusSeconds(options.quick() ? 5 : 10));
        awaitQuiet(writes);
        ApiServerWrites.Snapshot d = writes.snapshot().minus(b1);
        OnTime.Result r = OnTime.measure(plan, audit, offset);
        Map<String, Object> lag = r.json();
        lag.put("transitions", r.transitions());
        lag.put("extra_binding_writes", r.extraWrites());
        lag.put("writes_in_window", d.counts());
        double count = operator.metric("engineer_access_transition_lateness_seconds_count") - lateBefore;
        double sum = operator.metric("engineer_access_transition_lateness_seconds_sum") - lateSumBefore;
        lag.put("operator_histogram_count", (long) count);
        lag.put("operator_histogram_mean_ms", count == 0 ? null : round(sum / count * 1000, 1));
        s.extra.put("lag_ms", lag);
        s.lag = r;
        say("[%d engineers] on time: %d binding changes for %d transitions: lateness p50 %d ms, p99 %d ms, max %d ms; early %d, missed %d;"
                + " extra writes %d; %s", s.engineers, plan.changes().size(), r.transitions(), r.percentile(50), r.percentile(99), r.max(),
                r.early(), r.missed(), r.extraWrites(), r.examples());
        check(r.early() == 0, "on time: " + r.early() + " early changes " + r.examples());
        check(r.missed() == 0, "on time: " + r.missed() + " missed changes " + r.examples());
        check(r.extraWrites() == 0, "on time: " + r.extraWrites() + " RoleBinding writes beyond one per change");
        check(Convergence.of(admin, Instant.now()).exact(), "on time: the cluster did not end exactly as plan says");
    }

    /**
     * The on-time floor: the same bursts (new engineers, a new window), sent by a plain client that sleeps until each
     * instant, over the floor's best thread count; the ratio operator / floor for p50, p99 and max.
     */
    private void onTimeFloor(Scale s, LocalControlPlane cp, KubernetesClient admin, AuditLog audit) {
        int threads = s.rawConcurrency > 0 ? s.rawConcurrency : 64;
        Instant now = Instant.now();
        OnTime.Plan plan = onTimePlan("of-", s, s.rawSeconds > 0 ? s.rawSeconds : s.operatorSeconds, now);
        say("[%d engineers] on-time floor: the same bursts between %s and %s, %d threads", s.engineers, plan.windowStart(),
                plan.windowEnd(), threads);
        try (KubernetesClient client = floorClient(cp, threads)) {
            OnTimeFloor.Script script = OnTimeFloor.setUp(admin, client, plan, now, threads);
            long offset = audit.end();
            if (!Instant.now().isBefore(plan.windowStart())) {
                problems.add("on-time floor: the phase was not set up before its window began");
            }
            OnTimeFloor.run(client, script, threads);
            sleep(Duration.ofSeconds(2)); // the audit log is written after the answer
            OnTime.Result r = OnTime.measure(plan, audit, offset);
            s.floorLag = r;
            Map<String, Object> lag = r.json();
            lag.put("threads", threads);
            s.extra.put("floor_lag_ms", lag);
            if (s.lag != null) {
                Map<String, Object> ratio = new LinkedHashMap<>();
                ratio.put("p50", lagRatio(s.lag.percentile(50), r.percentile(50)));
                ratio.put("p99", lagRatio(s.lag.percentile(99), r.percentile(99)));
                ratio.put("max", lagRatio(s.lag.max(), r.max()));
                s.extra.put("lag_ratio", ratio);
            }
            say("[%d engineers] on-time floor: %d binding changes: lateness p50 %d ms, p99 %d ms, max %d ms; early %d, missed %d %s",
                    s.engineers, r.changes(), r.percentile(50), r.percentile(99), r.max(), r.early(), r.missed(), r.examples());
            check(r.early() == 0 && r.missed() == 0, "on-time floor: " + r.early() + " early and " + r.missed()
                    + " missed changes: the harness itself is wrong " + r.examples());
        }
    }

    /** Operator lateness over the floor's; the floor's is at least 1 ms, so a ratio always exists. */
    static Double lagRatio(long operator, long floor) {
        return round((double) operator / Math.max(1, floor), 2);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The operator process.

    /** The operator as the chart runs it; with {@code memoryMib}, as if its memory limit were that instead. */
    private OperatorProcess startOperator(String name, Path kubeconfig, Integer memoryMib) {
        // "{name}" in an option becomes the process's name, so that each operator's recording has a file of its own
        // (BENCH_JVM_EXTRA=-XX:StartFlightRecording=filename=/tmp/{name}.jfr,settings=profile).
        return OperatorProcess.start(name, kubeconfig, OUT.resolve("logs"), Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false"),
                jvmOptions.stream().map(o -> o.replace("{name}", name))
                        .map(o -> memoryMib != null && o.startsWith("-XX:MaxRAM=") ? "-XX:MaxRAM=" + memoryMib + "m" : o).toList());
    }

    /** The chart's memory limit in MiB (null when it is not given in Mi). */
    static Integer chartMemoryMib() throws IOException {
        Matcher m = Pattern.compile("(\\d+)Mi").matcher(new YAMLMapper().readTree(VALUES.toFile()).path("resources").path("limits").path("memory").asText());
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }

    /** The chart's jvmOptions, and -XX:MaxRAM standing in for its memory limit (a pod's JVM reads that from the cgroup). */
    static List<String> chartJvmOptions() throws IOException {
        JsonNode values = new YAMLMapper().readTree(VALUES.toFile());
        List<String> out = new ArrayList<>(Arrays.asList(values.path("jvmOptions").asText().strip().split("\\s+")));
        Integer limit = chartMemoryMib();
        if (limit != null) {
            out.add("-XX:MaxRAM=" + limit + "m");
        }
        // For experiments only (docs/benchmarks.md): options added after the chart's.
        String extra = System.getenv("BENCH_JVM_EXTRA");
        if (extra != null && !extra.isBlank()) {
            out.addAll(Arrays.asList(extra.strip().split("\\s+")));
        }
        return out;
    }

    static Instant awaitReady(OperatorProcess p) {
        p.awaitReady(Duration.ofSeconds(120));
        return Instant.now();
    }

    /**
     * The list floor: what a plain client (new, as the operator's user) takes to list what the operator's informers
     * list at start, the same way (pages of 1,000, the kinds side by side): every EngineerAccess, the managed
     * RoleBindings, the namespaces and the policies.
     */
    private static double listFloor(LocalControlPlane cp) {
        long start = System.nanoTime();
        try (KubernetesClient client = client(cp, cp.env("KUBE_OPERATOR_TOKEN"), 4)) {
            List<Runnable> lists = List.of(
                    () -> pages(o -> client.resources(EngineerAccess.class).list(o)),
                    () -> pages(o -> client.rbac().roleBindings().inAnyNamespace()
                            .withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).list(o)),
                    () -> client.namespaces().list().getItems().size(),
                    () -> client.resources(AccessPolicy.class).list().getItems().size());
            Parallel.run(lists.size(), lists, "the list floor");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Lists every item, 1,000 at a time, as the operator's informers do; returns how many there were. */
    private static int pages(Function<ListOptions, ? extends KubernetesResourceList<?>> list) {
        int n = 0;
        String token = null;
        do {
            KubernetesResourceList<?> page = list.apply(new ListOptionsBuilder().withLimit(1000L).withContinue(token).build());
            n += page.getItems().size();
            token = page.getMetadata().getContinue();
        } while (token != null && !token.isEmpty());
        return n;
    }

    /**
     * Where a cold start's time goes, in seconds from the process start: the JVM and Quarkus until the first log line,
     * the operator starting, each controller's informers synced, Quarkus started, ready, and the first write answered.
     */
    private static Map<String, Object> timeline(OperatorProcess p, Instant started, double ready, AuditLog audit, long auditFrom) {
        Map<String, Object> m = logTimeline(p, started);
        m.put("ready", round(ready, 3));
        m.put("first_write_answered", audit.since(auditFrom, RealApiServer.OPERATOR_USER).stream().map(AuditLog.Write::answered)
                .min(Instant::compareTo).map(t -> round(secondsSince(started, t), 3)).orElse(null));
        return m;
    }

    /** The start's marks in the operator's log, in seconds from {@code started} (the process start). */
    static Map<String, Object> logTimeline(OperatorProcess p, Instant started) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("first_log_line", firstLogged(p, "", started));
        m.put("operator_starting", firstLogged(p, "Starting operator", started));
        m.put("policy_controller_started", firstLogged(p, "'accesspolicy' controller started", started));
        m.put("engineer_controller_started", firstLogged(p, "'engineeraccess' controller started", started));
        m.put("quarkus_started", firstLogged(p, "started in", started));
        return m;
    }

    private static Double firstLogged(OperatorProcess p, String text, Instant started) {
        return p.logTimes(text).stream().findFirst().map(t -> round(secondsSince(started, t), 3)).orElse(null);
    }

    /** A memory figure of /proc/PID/status (VmRSS: resident now; VmHWM: the most it has been), in MiB. */
    static double statusMib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** User and system CPU seconds a process has used (/proc/PID/stat, in clock ticks of 1/100 s). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** This JVM's CPU seconds (the floor's client runs in it, and nothing else while it runs). */
    private static double benchCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** The operator's JVM: its version (java -version) and the options it runs with. */
    private Map<String, Object> operatorJvm() {
        Map<String, Object> m = new LinkedHashMap<>();
        String version = "unknown";
        try {
            Process p = new ProcessBuilder(OperatorProcess.java().toString(), "-version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            version = out.lines().filter(l -> l.contains("Runtime Environment")).findFirst().orElse(out.lines().findFirst().orElse(version)).strip();
        } catch (IOException e) {
            // reported as unknown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        m.put("version", version);
        m.put("java", OperatorProcess.java().toString());
        m.put("options", jvmOptions);
        return m;
    }

    /** RSS now; heap in use after a full collection (what the operator keeps). */
    private static void footprint(Scale s, OperatorProcess p) throws IOException, InterruptedException {
        s.rssMib = statusMib(p.pid(), "VmRSS");
        s.extra.put("operator_peak_rss_mib", round(statusMib(p.pid(), "VmHWM"), 1));
        Process gc = new ProcessBuilder("jcmd", String.valueOf(p.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gc.waitFor(60, TimeUnit.SECONDS);
        s.heapUsedMib = p.sum("jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024);
        // What the process holds once that collection has run: lower than RSS only when the JVM gives heap back.
        s.extra.put("operator_rss_after_gc_mib", round(statusMib(p.pid(), "VmRSS"), 1));
        s.extra.put("heap_committed_after_gc_mib", round(p.sum("jvm_memory_committed_bytes", "area=\"heap\"") / (1024 * 1024), 1));
        if ("1".equals(System.getenv("BENCH_HISTOGRAM"))) {
            Process histogram = new ProcessBuilder("jcmd", String.valueOf(p.pid()), "GC.class_histogram").redirectErrorStream(true)
                    .redirectOutput(OUT.resolve("logs").resolve(p.name() + "-" + s.engineers + "-histogram.txt").toFile()).start();
            histogram.waitFor(60, TimeUnit.SECONDS);
        }
        if (p.nativeMemoryTracked()) {
            s.extra.put("native_memory_committed_mib", nativeMemory(p));
        }
        s.extra.put("heap_max_mib", round(p.sum("jvm_memory_max_bytes", "area=\"heap\"") / (1024 * 1024), 1));
    }

    /**
     * Where the operator's memory goes, by the JVM's own account (with BENCH_JVM_EXTRA=-XX:NativeMemoryTracking=summary):
     * committed MiB by category, as {@code jcmd PID VM.native_memory summary} reports it.
     */
    private static Map<String, Object> nativeMemory(OperatorProcess p) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder("jcmd", String.valueOf(p.pid()), "VM.native_memory", "summary", "scale=KB").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(60, TimeUnit.SECONDS);
        Files.writeString(OUT.resolve("logs").resolve(p.name() + "-native-memory.txt"), out);
        Map<String, Object> m = new LinkedHashMap<>();
        Matcher line = Pattern.compile("(?m)^-?\\s*([A-Za-z][A-Za-z ]*?)\\s*\\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(out);
        while (line.find()) {
            m.put(line.group(1).strip(), round(Long.parseLong(line.group(2)) / 1024.0, 1));
        }
        return m;
    }

    /** When the operator's last RoleBinding or status write after {@code offset} was answered. */
    private static Instant lastWrite(AuditLog audit, long offset) {
        return audit.since(offset, RealApiServer.OPERATOR_USER).stream().map(AuditLog.Write::answered).max(Instant::compareTo)
                .orElseThrow(() -> new IllegalStateException("the operator wrote nothing"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers.

    private static void createAll(KubernetesClient admin, List<? extends HasMetadata> items) {
        Parallel.run(16, items.stream().<Runnable>map(item -> () -> admin.resource(item).create()).toList(), "creating the workload");
    }

    /** Waits until no write has reached the API server for 2 s. */
    private static void awaitQuiet(ApiServerWrites writes) {
        long last = writes.snapshot().total();
        Instant quietSince = Instant.now();
        while (Duration.between(quietSince, Instant.now()).compareTo(Duration.ofSeconds(2)) < 0) {
            sleep(Duration.ofMillis(250));
            long now = writes.snapshot().total();
            if (now != last) {
                last = now;
                quietSince = Instant.now();
            }
        }
    }

    private static void awaitUntil(String what, Duration timeout, BooleanSupplier done) {
        awaitUntil(what, timeout, done, Duration.ofMillis(250));
    }

    private static void awaitUntil(String what, Duration timeout, BooleanSupplier done, Duration poll) {
        Instant end = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            sleep(poll);
        }
    }

    private static void sleepUntil(Instant t) {
        Duration d = Duration.between(Instant.now(), t);
        if (!d.isNegative()) {
            sleep(d);
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double secondsSince(Instant start, Instant end) {
        return Duration.between(start, end).toNanos() / 1e9;
    }

    private void check(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
            say("WRONG: %s", problem);
        }
    }

    /** Rounded; null for a figure not measured (NaN). */
    static Double round(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return null;
        }
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    static void say(String format, Object... args) {
        System.out.printf(Locale.ROOT, "bench %s  " + format + "%n", prepend(Instant.now().toString().substring(11, 19), args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Decisions per second: make bench-decision, run as it runs there (one core).

    static double decisionsPerSecond(boolean quick) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ActiveProcessorCount=1"));
        if (quick) {
            command.addAll(List.of("-Dbench.warmup=2", "-Dbench.passes=3"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "digital.govuk.access.rules.DecisionBenchmark"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Matcher m = Pattern.compile("decisions/s: median ([0-9,]+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("DecisionBenchmark printed no median:\n" + out);
        }
        double perSecond = Double.parseDouble(m.group(1).replace(",", ""));
        say("decisions/s (make bench-decision, one core): %,.0f", perSecond);
        return perSecond;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Output.

    private Map<String, Object> json(Scale head, List<Scale> series, double decisions, double elapsed) {
        Map<String, Object> m = new LinkedHashMap<>(head.json());
        m.put("series", series.stream().map(Scale::json).toList());
        m.put("decisions_per_second", Math.round(decisions));
        m.put("quick", options.quick());
        m.put("date", Instant.now().toString());
        m.put("elapsed_seconds", round(elapsed, 1));
        m.put("workload", Map.of("deploy_namespaces", options.deployNamespaces(), "admin_namespaces", options.adminNamespaces(),
                "seed", options.seed(), "transitions", options.transitions(), "grants", options.grants(), "burst", options.burst(),
                "window_seconds", options.windowSeconds()));
        m.put("operator_jvm_options", jvmOptions);
        m.put("jvm", operatorJvm());
        m.put("machine", machine());
        m.put("wrong_results", problems);
        return m;
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        m.put("cpu", cpu);
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        try {
            // The machine may be shared: its load says how much the figures can be trusted.
            String[] load = Files.readString(Path.of("/proc/loadavg")).strip().split(" +");
            m.put("load_average_1_5_15", load[0] + " " + load[1] + " " + load[2]);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private void print(Scale h, List<Scale> series, double decisions, double elapsed) {
        Map<String, Object> machine = machine();
        System.out.println();
        System.out.printf(Locale.ROOT, "make bench%s, %s: %d engineers, %d namespaces, %d RoleBindings needed; %s, %s cores, Java %s,"
                + " load average %s%n", options.quick() ? " (quick)" : "", Instant.now().toString().substring(0, 10), h.engineers,
                h.namespaces, h.bindingsNeeded, machine.get("cpu"), machine.get("cores"), machine.get("java"), machine.get("load_average_1_5_15"));
        String row = "%-34s %-18s %-30s %s%n";
        System.out.printf(row, "measure", "value", "goal", "");
        System.out.printf(row, "floor (best of " + h.rawTrials.keySet() + " threads)", fmt("%.2f s", h.rawSeconds), "", "");
        System.out.printf(row, "operator, start to converged", fmt("%.2f s", h.operatorSeconds), "", "");
        System.out.printf(row, "ratio", fmt("%.2f", h.ratio()), "<= 1.2", mark(h.ratio() <= 1.2));
        System.out.printf(row, "RoleBinding writes per change", fmt("%.2f", h.writesPerChange()), "1.00", mark(h.bindingWrites == h.bindingsNeeded));
        System.out.printf(row, "status writes per engineer", fmt("%.2f", (double) h.statusWrites / h.engineers), "1.00 (floor)", "");
        System.out.printf(row, "other writes", h.otherWrites.toString(), "each justified", "");
        Object steadyWrites = h.extra.get("steady_state_writes");
        if (steadyWrites != null) {
            System.out.printf(row, "steady-state writes", steadyWrites, "0", mark(((Long) steadyWrites) == 0));
        }
        Map<String, Object> lag = (Map<String, Object>) h.extra.get("lag_ms");
        if (lag != null) {
            long p50 = (Long) lag.get("p50");
            long p99 = (Long) lag.get("p99");
            long max = (Long) lag.get("max");
            System.out.printf(row, "lateness p50 / p99 / max", p50 + " / " + p99 + " / " + max + " ms", "", "");
            System.out.printf(row, "early / missed (of " + lag.get("count") + " changes)", lag.get("early") + " / " + lag.get("missed"), "0 / 0",
                    mark((Integer) lag.get("early") == 0 && (Integer) lag.get("missed") == 0));
        }
        if (h.floorLag != null && h.lag != null) {
            System.out.printf(row, "lateness floor p50 / p99 / max", h.floorLag.percentile(50) + " / " + h.floorLag.percentile(99) + " / "
                    + h.floorLag.max() + " ms", "", "");
            double r50 = lagRatio(h.lag.percentile(50), h.floorLag.percentile(50));
            double r99 = lagRatio(h.lag.percentile(99), h.floorLag.percentile(99));
            double rMax = lagRatio(h.lag.max(), h.floorLag.max());
            System.out.printf(row, "lateness / floor p50 / p99 / max", fmt("%.2f / %.2f / %.2f", r50, r99, rMax), "each <= 1.2",
                    mark(r50 <= 1.2 && r99 <= 1.2 && rMax <= 1.2));
        }
        System.out.printf(row, "operator RSS / heap after GC", fmt("%.0f / %.0f MiB", h.rssMib, h.heapUsedMib), "RSS <= 200 MiB at 10,000", "");
        System.out.printf(row, "CPU s per engineer, op / floor", fmt("%.2f / %.2f ms", h.operatorCpuSeconds * 1000 / h.engineers,
                h.floorCpuSeconds * 1000 / h.engineers), "", "");
        System.out.printf(row, "start to ready (list floor)", fmt("%.2f s (%.2f s)", h.readySeconds, h.listFloorSeconds), "<= list floor + 1 s",
                mark(h.readySeconds <= h.listFloorSeconds + 1));
        System.out.printf(row, "decisions/s (one core)", fmt("%,.0f", decisions), ">= 300,000", mark(decisions >= 300_000));
        if (!series.isEmpty()) {
            System.out.println();
            String srow = "%9s %9s %8s %8s %6s %12s %12s %10s %8s %8s %8s %8s%n";
            System.out.printf(srow, "engineers", "bindings", "floor s", "op s", "ratio", "op ms/eng", "writes/eng", "RSS MiB", "heap MiB",
                    "ready s", "list s", "exact");
            for (Scale s : series) {
                long all = s.bindingWrites + s.statusWrites + s.otherWrites.values().stream().mapToLong(Long::longValue).sum();
                System.out.printf(Locale.ROOT, srow, s.engineers, s.bindingsNeeded, s.rawSeconds > 0 ? fmt("%.2f", s.rawSeconds) : "-",
                        fmt("%.2f", s.operatorSeconds), s.rawSeconds > 0 ? fmt("%.2f", s.ratio()) : "-", fmt("%.2f", s.operatorSeconds * 1000 / s.engineers), fmt("%.2f", (double) all / s.engineers),
                        fmt("%.0f", s.rssMib), fmt("%.0f", s.heapUsedMib), fmt("%.2f", s.readySeconds), fmt("%.2f", s.listFloorSeconds), s.exact);
            }
            double lo = series.stream().mapToDouble(s -> s.operatorSeconds / s.engineers).min().orElse(0);
            double hi = series.stream().mapToDouble(s -> s.operatorSeconds / s.engineers).max().orElse(0);
            System.out.printf(Locale.ROOT, "cost per engineer, most / least: %.2f (goal <= 1.2)%n", hi / lo);
        }
        System.out.printf(Locale.ROOT, "results: %s (%.0f s in all)%n", OUT.resolve("results.json"), elapsed);
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }

    private static String mark(boolean met) {
        return met ? "met" : "NOT MET";
    }
}
