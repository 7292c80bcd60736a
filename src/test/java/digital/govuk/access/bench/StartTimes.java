package digital.govuk.access.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.it.LocalControlPlane;
import digital.govuk.access.it.OperatorProcess;
import digital.govuk.access.it.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * {@code make bench-start}: start to ready of the operator on each JVM worth comparing (docs/benchmarks.md, "Start"),
 * on one local control plane with a few engineers, the chart's JVM options, leader election off, the JVMs alternated
 * round by round so a slower minute of a shared machine falls on all of them. For each start: seconds to
 * {@code /q/health/ready}, RSS once converged, and the start's timeline from the log. The class archives are recorded
 * first: Java 25's AOT cache (JEP 483/515) and Java 17's AppCDS archive each by a training run against the same
 * cluster, and each also by a run with no API server to reach (the operator starts, cannot list, and exits), which
 * needs no cluster and so could run in an image build. Settings: START_ROUNDS (3), START_ENGINEERS (10), START_JVMS
 * (names separated by semicolons, all by default), JAVA25_HOME (/usr/lib/jvm/temurin-25-jdk-amd64). Prints a table and
 * writes target/bench/start-times.json. Exits 0 whatever it measures.
 */
public final class StartTimes {
    record Jvm(String name, String javaHome, List<String> extra) {
    }

    private StartTimes() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(env("START_ROUNDS", "3"));
        int engineers = Integer.parseInt(env("START_ENGINEERS", "10"));
        String java17 = System.getProperty("java.home");
        String java25 = env("JAVA25_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64");
        Path aot = Bench.OUT.resolve("operator.aot");
        Path aotCoh = Bench.OUT.resolve("operator-coh.aot");
        Path cds17 = Bench.OUT.resolve("operator17.jsa");
        Path cds17NoCluster = Bench.OUT.resolve("operator17-nocluster.jsa");
        Path aotNoCluster = Bench.OUT.resolve("operator-nocluster.aot");
        List<String> only = env("START_JVMS", "").isEmpty() ? List.of() : List.of(env("START_JVMS", "").split(";"));
        List<Jvm> jvms = new ArrayList<>(List.of(new Jvm("java17", java17, List.of()),
                new Jvm("java17 AppCDS", java17, List.of("-XX:SharedArchiveFile=" + cds17)),
                new Jvm("java17 AppCDS trained without a cluster", java17, List.of("-XX:SharedArchiveFile=" + cds17NoCluster)),
                new Jvm("java25", java25, List.of()),
                new Jvm("java25 compact headers", java25, List.of("-XX:+UseCompactObjectHeaders")),
                new Jvm("java25 AOT cache", java25, List.of("-XX:AOTCache=" + aot)),
                new Jvm("java25 AOT cache trained without a cluster", java25, List.of("-XX:AOTCache=" + aotNoCluster)),
                new Jvm("java25 compact headers, AOT cache", java25, List.of("-XX:+UseCompactObjectHeaders", "-XX:AOTCache=" + aotCoh))));
        List<String> chart = Bench.chartJvmOptions();
        Files.createDirectories(Bench.OUT);
        Path dir = Bench.OUT.resolve("control-plane");
        Map<String, List<Map<String, Object>>> results = new LinkedHashMap<>();
        try (LocalControlPlane cp = LocalControlPlane.start(dir); KubernetesClient admin = cp.admin()) {
            RealApiServer.install(admin);
            Workload workload = new Workload(10, 3, 20261202L);
            workload.namespaces().forEach(ns -> admin.resource(ns).create());
            try (var in = Files.newInputStream(Path.of("examples/00-policy.yaml"))) {
                admin.resource(admin.resources(AccessPolicy.class).load(in).item()).create();
            }
            workload.engineers(0, engineers, Instant.now()).forEach(ea -> admin.resource(ea).create());
            Path kubeconfig = cp.kubeconfigFor(RealApiServer.OPERATOR_USER, cp.env("KUBE_OPERATOR_TOKEN"));
            // Training runs: the archives are written when the JVM exits.
            train(java17, chart, List.of("-XX:ArchiveClassesAtExit=" + cds17), kubeconfig);
            trainWithoutCluster(java17, chart, List.of("-XX:ArchiveClassesAtExit=" + cds17NoCluster));
            train(java25, chart, List.of("-XX:AOTCacheOutput=" + aot), kubeconfig);
            trainWithoutCluster(java25, chart, List.of("-XX:AOTCacheOutput=" + aotNoCluster));
            train(java25, chart, List.of("-XX:+UseCompactObjectHeaders", "-XX:AOTCacheOutput=" + aotCoh), kubeconfig);
            for (int round = 1; round <= rounds; round++) {
                for (Jvm jvm : jvms) {
                    if (!only.isEmpty() && !only.contains(jvm.name()) || jvm.extra().stream().filter(o -> o.startsWith("-XX:AOTCache=")
                            || o.startsWith("-XX:SharedArchiveFile=")).anyMatch(o -> !Files.exists(Path.of(o.substring(o.indexOf('=') + 1))))) {
                        continue;
                    }
                    Map<String, Object> r = once(jvm, chart, kubeconfig, "start-" + round);
                    results.computeIfAbsent(jvm.name(), k -> new ArrayList<>()).add(r);
                    Bench.say("%s, round %d: ready %.2f s, RSS %s MiB, timeline %s", jvm.name(), round, (Double) r.get("ready_seconds"),
                            r.get("rss_mib"), r.get("timeline"));
                }
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("engineers", engineers);
        json.put("rounds", rounds);
        json.put("chart_jvm_options", chart);
        json.put("machine", Bench.machine());
        json.put("results", results);
        Files.writeString(Bench.OUT.resolve("start-times.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        System.out.printf(Locale.ROOT, "%n%-44s %-24s %-24s%n", "JVM", "ready s (each round)", "RSS MiB (each round)");
        results.forEach((name, runs) -> System.out.printf(Locale.ROOT, "%-44s %-24s %-24s%n", name,
                runs.stream().map(r -> String.format(Locale.ROOT, "%.2f", (Double) r.get("ready_seconds"))).toList(),
                runs.stream().map(r -> String.valueOf(r.get("rss_mib"))).toList()));
        System.out.println("results: " + Bench.OUT.resolve("start-times.json"));
        System.exit(0);
    }

    private static void train(String javaHome, List<String> chart, List<String> extra, Path kubeconfig) {
        System.setProperty("operator.java.home", javaHome);
        List<String> options = new ArrayList<>(chart);
        options.addAll(extra);
        long t = System.nanoTime();
        try (OperatorProcess p = OperatorProcess.start("aot-training", kubeconfig, Bench.OUT.resolve("logs"),
                Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false"), options)) {
            Bench.awaitReady(p);
            Bench.sleep(Duration.ofSeconds(15)); // the first reconciliations, a status write, a metrics scrape's worth of code
            p.management("/q/metrics");
        }
        Bench.say("AOT training run %s: %.1f s", extra, (System.nanoTime() - t) / 1e9);
    }

    /**
     * Training with no API server: the operator starts, finds no cluster (no kubeconfig, and no
     * {@code kubernetes.default.svc} outside a pod), says it cannot start and exits with status 1 (decision 72), its
     * archive written. What it loads on the way (Quarkus, the client, Vert.x, TLS) is much of a start; since decision 72 it
     * stops at its check before JOSDK starts its informers.
     */
    private static void trainWithoutCluster(String javaHome, List<String> chart, List<String> extra) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(javaHome, "bin", "java").toString()));
        command.addAll(chart);
        command.addAll(extra);
        command.addAll(List.of("-jar", OperatorProcess.JAR.toString()));
        long t = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Bench.OUT.resolve("logs").resolve("training-without-cluster.log").toFile()));
        builder.environment().put("KUBECONFIG", "/nonexistent");
        Process p = builder.start();
        boolean ended = p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES);
        Bench.say("training run without a cluster %s: %s in %.1f s", extra, ended ? "ended" : "still running, stopped", (System.nanoTime() - t) / 1e9);
        p.destroyForcibly();
    }

    private static Map<String, Object> once(Jvm jvm, List<String> chart, Path kubeconfig, String name) throws Exception {
        System.setProperty("operator.java.home", jvm.javaHome());
        List<String> options = new ArrayList<>(chart);
        options.addAll(jvm.extra());
        Map<String, Object> r = new LinkedHashMap<>();
        Instant started = Instant.now();
        try (OperatorProcess p = OperatorProcess.start(name, kubeconfig, Bench.OUT.resolve("logs"), Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false"),
                options)) {
            Instant ready = Bench.awaitReady(p);
            r.put("ready_seconds", Bench.round(Duration.between(started, ready).toNanos() / 1e9, 3));
            Bench.sleep(Duration.ofSeconds(3));
            r.put("rss_mib", (long) Bench.statusMib(p.pid(), "VmRSS"));
            r.put("timeline", Bench.logTimeline(p, started));
        }
        return r;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
