package digital.govuk.access.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}, built by {@code mvn package} before the
 * integration tests run) as a separate process, as it runs in a cluster: started with a kubeconfig, stopped
 * gently or killed with SIGKILL. Its log goes to a file the tests read.
 */
public final class OperatorProcess implements AutoCloseable {
    /** The packaged operator; -Doperator.jar=PATH runs another build (make bench compares builds that way). */
    public static final Path JAR = Path.of(System.getProperty("operator.jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    private final String name;
    private final Process process;
    private final Path log;
    private final int managementPort;
    private final boolean nativeMemoryTracked;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private OperatorProcess(String name, Process process, Path log, int managementPort, boolean nativeMemoryTracked) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
        this.nativeMemoryTracked = nativeMemoryTracked;
    }

    /**
     * Starts the operator as the user of {@code kubeconfig}, with these extra environment variables. Its HTTP
     * ports are free ones, so several can run side by side.
     */
    public static OperatorProcess start(String name, Path kubeconfig, Path logDir, Map<String, String> extraEnv) {
        return start(name, kubeconfig, logDir, extraEnv, List.of("-XX:+UseSerialGC", "-Xmx256m"));
    }

    /** The java command the operator runs with: this JVM's, or the JDK at system property operator.java.home. */
    public static Path java() {
        return Path.of(System.getProperty("operator.java.home", System.getProperty("java.home")), "bin", "java");
    }

    /** As {@link #start(String, Path, Path, Map)}, with these options for the JVM (for example the chart's jvmOptions). */
    public static OperatorProcess start(String name, Path kubeconfig, Path logDir, Map<String, String> extraEnv, List<String> jvmOptions) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the integration tests run after mvn package (make test runs mvn verify)");
        }
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            List<String> command = new ArrayList<>();
            command.add(java().toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", JAR.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            env.put("KUBECONFIG", kubeconfig.toString());
            int managementPort = freePort();
            env.put("QUARKUS_HTTP_PORT", "0");
            env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
            env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
            env.put("ENGINEER_ACCESS_LEASE_NAMESPACE", "default");
            env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
            env.putAll(new HashMap<>(extraEnv));
            Files.writeString(log, "----- " + name + " started at " + Instant.now() + " -----\n");
            return new OperatorProcess(name, builder.start(), log, managementPort,
                    jvmOptions.stream().anyMatch(o -> o.startsWith("-XX:NativeMemoryTracking=") && !o.endsWith("=off")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    /**
     * GETs a path of the management port (health, metrics): the status code and the body. HTTP/1.1 only: the JDK's
     * client otherwise asks a plain-HTTP server to upgrade to HTTP/2 (h2c), and on a busy machine that exchange with
     * Vert.x can end in "EOF reached while reading" with no answer. A read that fails while the process still runs is
     * tried again (twice, 200 ms apart: health and metrics are only read); once the process has exited, the failure says
     * so with the end of its log.
     */
    public java.util.Map.Entry<Integer, String> management(String path) {
        IOException failed = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            if (attempt > 0) {
                HostileClusterIT.sleep(Duration.ofMillis(200));
            }
            try {
                return get(path);
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw exited(e);
                }
                failed = e;
            }
        }
        throw new UncheckedIOException(failed);
    }

    private java.util.Map.Entry<Integer, String> get(String path) throws IOException {
        try {
            var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort + path))
                    .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return java.util.Map.entry(response.statusCode(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until {@code /q/health/ready} answers 200, polling every 20 ms. Until Quarkus has finished starting, its
     * management port is not open at all (and the Lease can be taken before that), so a refused connection is waited
     * out; an exited process ends the wait at once, with the end of its log.
     */
    public void awaitReady(Duration timeout) {
        Awaitility.await(name + " to be ready").atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!process.isAlive()) {
                throw exited(null);
            }
            try {
                return get("/q/health/ready").getKey() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The failure to report once the process has exited: its name and the end of its log. */
    private IllegalStateException exited(Throwable cause) {
        return new IllegalStateException(name + " exited:\n" + tail(), cause);
    }

    /** The value of one Prometheus sample, {@code name{labels}} exactly as printed; 0 when absent. */
    public double metric(String nameAndLabels) {
        for (String line : management("/q/metrics").getValue().split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim());
            }
        }
        return 0;
    }

    /** The sum of every sample of a metric whose labels contain all of {@code labels} (for example verb="create"). */
    public double sum(String metric, String... labels) {
        double total = 0;
        for (String line : management("/q/metrics").getValue().split("\n")) {
            if (line.startsWith(metric + "{") && java.util.Arrays.stream(labels).allMatch(line::contains)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Whether the JVM was started with native memory tracking (jcmd PID VM.native_memory then answers). */
    public boolean nativeMemoryTracked() {
        return nativeMemoryTracked;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The exit code of a process that has ended. */
    public int exitValue() {
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs, nothing is finished or cleaned up. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** SIGTERM, then SIGKILL if it has not stopped after 20 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    private void waitForExit() {
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a line of the log contains {@code text}. */
    public void awaitLog(String text, Duration timeout) {
        Awaitility.await(name + " to log \"" + text + "\"").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw exited(null);
                    }
                    return log().contains(text);
                });
    }

    /** The instants of the log lines containing {@code text} (the log's times are local). */
    public List<Instant> logTimes(String text) {
        List<Instant> times = new ArrayList<>();
        Pattern line = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}) .*" + Pattern.quote(text) + ".*$",
                Pattern.MULTILINE);
        Matcher m = line.matcher(log());
        while (m.find()) {
            times.add(LocalDateTime.parse(m.group(1), LOG_TIME).atZone(ZoneId.systemDefault()).toInstant());
        }
        return times;
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        String[] lines = log().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}
