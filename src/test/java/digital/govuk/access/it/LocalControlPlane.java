package digital.govuk.access.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real kube-apiserver, etcd and kube-controller-manager on 127.0.0.1, started and stopped through
 * scripts/control-plane.sh (which stops them by PID). Which Kubernetes: the release pinned in scripts/k8s/go.mod
 * (the release pinned in scripts/k8s/go.mod; see scripts/kube-binaries.sh). {@link #close()} stops them, and so does a shutdown
 * hook if the JVM ends first.
 */
public final class LocalControlPlane implements AutoCloseable {
    private final Path dir;
    private final Path binaries;
    private final Map<String, String> env;
    private final Thread shutdownHook;

    private LocalControlPlane(Path dir, Path binaries, Map<String, String> env, Thread shutdownHook) {
        this.dir = dir;
        this.binaries = binaries;
        this.env = env;
        this.shutdownHook = shutdownHook;
    }

    /** Starts a fresh control plane whose files (env, kubeconfig, logs, etcd data) live in {@code dir}. */
    public static LocalControlPlane start(Path dir) throws IOException, InterruptedException {
        Path binaries = Path.of(lastLine(run(List.of("scripts/kube-binaries.sh"), 60 * 30)));
        Thread hook = new Thread(() -> stop(dir), "stop-control-plane");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run(List.of("scripts/control-plane.sh", "start", dir.toString()), 180);
            return new LocalControlPlane(dir, binaries, readEnv(dir.resolve("env")), hook);
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(dir);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
    }

    /** KUBE_API_URL, KUBE_ADMIN_TOKEN, KUBE_OPERATOR_TOKEN, KUBE_CA_FILE and the rest of DIR/env. */
    public String env(String name) {
        return env.get(name);
    }

    /** The minor version of the Kubernetes this client talks to (e.g. 34; a trailing "+" is ignored). */
    public static int minorVersion(KubernetesClient client) {
        return Integer.parseInt(client.getKubernetesVersion().getMinor().replaceAll("[^0-9]", ""));
    }

    /** The admin's kubeconfig (group system:masters). */
    public Path kubeconfig() {
        return dir.resolve("kubeconfig");
    }

    /** A new client authenticating with this bearer token. */
    public KubernetesClient client(String token) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(env("KUBE_API_URL")).withOauthToken(token)
                .withCaCertFile(env("KUBE_CA_FILE")).withNamespace("default").build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** A new client with every right (system:masters). */
    public KubernetesClient admin() {
        return client(env("KUBE_ADMIN_TOKEN"));
    }

    /**
     * A new client that acts as {@code user}: the admin impersonating them (the Impersonate-User header, as
     * {@code kubectl --as}). The API server authorises and admits each request as that user, in the group
     * system:authenticated, exactly as if they had signed in.
     */
    public KubernetesClient as(String user) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(env("KUBE_API_URL")).withOauthToken(env("KUBE_ADMIN_TOKEN"))
                .withCaCertFile(env("KUBE_CA_FILE")).withNamespace("default").withImpersonateUsername(user).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * The minor version of the kube-apiserver a control plane started now would run (37 for 1.37.2), without starting one: for a test that needs a newer server to skip early.
     */
    public static int selectedMinorVersion() throws IOException, InterruptedException {
        Path binaries = Path.of(lastLine(run(List.of("scripts/kube-binaries.sh"), 60 * 30)));
        String reported = run(List.of(binaries.resolve("kube-apiserver").toString(), "--version"), 60).strip();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kubernetes v1\\.(\\d+)\\.").matcher(reported);
        if (!m.find()) {
            throw new IOException("cannot tell the release of " + binaries + "/kube-apiserver from \"" + reported + "\"");
        }
        return Integer.parseInt(m.group(1));
    }

    /** Runs the cached kubectl (the release of the server, so the two always match) as the admin; returns its output. */
    public String kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve("kubectl").toString());
        command.add("--kubeconfig=" + kubeconfig());
        command.addAll(List.of(args));
        return run(command, 60);
    }

    /**
     * Runs the cached kubectl as the admin, through $KUBECONFIG, with {@code plugins} first on the PATH (kubectl
     * passes a plugin none of its own flags, so a plugin finds the cluster as kubectl would by default).
     */
    public Output kubectlWithPlugins(Path plugins, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve("kubectl").toString());
        command.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("PATH", plugins.toAbsolutePath() + java.io.File.pathSeparator + System.getenv("PATH"));
        env.put("KUBECONFIG", kubeconfig().toString());
        // The tests run after the build: bin/engineer-access need not check whether to build again.
        env.put("ENGINEER_ACCESS_BUILT", "1");
        return runApart(command, env, 120);
    }

    /** What a command printed: standard output and standard error apart, as a pipe or a file would take them. */
    public record Output(String out, String err) {
    }

    /** An outage: stops etcd, kube-apiserver and kube-controller-manager, keeping their data for {@link #resume()}. */
    public void suspend() throws IOException, InterruptedException {
        run(List.of("scripts/control-plane.sh", "stop", dir.toString()), 60);
    }

    /** The end of an outage: the same cluster (data, ports, certificates, tokens) starts again; returns once it is ready. */
    public void resume() throws IOException, InterruptedException {
        run(List.of("scripts/control-plane.sh", "resume", dir.toString()), 180);
    }

    /** Writes a kubeconfig for this cluster that authenticates with {@code token}. */
    public Path kubeconfigFor(String user, String token) throws IOException {
        return kubeconfig(user.replaceAll("[^A-Za-z0-9.-]", "_") + ".kubeconfig", env("KUBE_API_URL"), env("KUBE_CA_FILE"), user, token);
    }

    /**
     * A kubeconfig in this control plane's directory, named {@code fileName}, for {@code user} with {@code token},
     * reaching {@code server} and trusting {@code caFile}: any of them may be wrong on purpose.
     */
    public Path kubeconfig(String fileName, String server, String caFile, String user, String token) throws IOException {
        Path file = dir.resolve(fileName);
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: local
                  cluster: {server: "%s", certificate-authority: "%s"}
                users:
                - name: "%s"
                  user: {token: "%s"}
                contexts:
                - name: local
                  context: {cluster: local, user: "%s", namespace: default}
                current-context: local
                """.formatted(server, caFile, user, token, user));
        return file;
    }

    /** Stops etcd, kube-apiserver and kube-controller-manager. */
    @Override
    public void close() {
        stop(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    private static void stop(Path dir) {
        try {
            run(List.of("scripts/control-plane.sh", "stop", dir.toString()), 60);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not stop the local control plane in " + dir + ": " + e.getMessage());
        }
    }

    private static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> map = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return map;
    }

    /** Runs a command, failing with its output when it fails or takes longer than {@code seconds}. */
    static String run(List<String> command, long seconds) throws IOException, InterruptedException {
        return run(command, Map.of(), seconds);
    }

    /** Runs a command with these environment variables added; returns standard output and standard error apart. */
    public static Output runApart(List<String> command, Map<String, String> env, long seconds) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("control-plane", ".err");
        try {
            String out = run(command, env, seconds, ProcessBuilder.Redirect.to(errors.toFile()));
            return new Output(out, Files.readString(errors));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + Files.readString(errors), e);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** Runs a command with these environment variables added. */
    static String run(List<String> command, Map<String, String> env, long seconds) throws IOException, InterruptedException {
        return run(command, env, seconds, null);
    }

    /** Runs a command; its standard error goes to {@code errors}, or is merged with its output when null. */
    private static String run(List<String> command, Map<String, String> env, long seconds, ProcessBuilder.Redirect errors)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("control-plane", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(log.toFile());
            if (errors == null) {
                builder.redirectErrorStream(true);
            } else {
                builder.redirectError(errors);
            }
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " took longer than " + seconds + " s:\n" + Files.readString(log));
            }
            String out = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
