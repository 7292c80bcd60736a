package digital.govuk.access.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real kube-apiserver 1.20.2 with etcd on 127.0.0.1 (scripts/control-plane.sh), set up as a platform
 * team would: CRDs from crds/, the two policy ClusterRoles, and the operator's ClusterRole from the chart
 * bound to the user the operator runs as. The operator under test gets only that user's token.
 * Stops the processes (by PID, through the script) after the tests, and from a shutdown hook if the JVM
 * is ended early.
 */
public class RealApiServer implements QuarkusTestResourceLifecycleManager {
    static final Path DIR = Path.of("target", "control-plane-it").toAbsolutePath();
    static final String OPERATOR_USER = "engineer-access-operator";

    private static final List<String> LEFTOVER_PROPERTIES = List.of("kubernetes.master", "kubernetes.namespace",
            "kubernetes.auth.token", "kubernetes.certs.ca.file", "kubernetes.trust.certificates",
            "kubernetes.auth.tryKubeConfig", "kubernetes.auth.tryServiceAccount", "quarkus.tls.trust-all");

    private static Map<String, String> env;
    private static Path binaries;
    private static KubernetesClient admin;
    private Thread shutdownHook;

    @Override
    public Map<String, String> start() {
        try {
            binaries = Path.of(lastLine(run(List.of("scripts/kube-binaries.sh"), 60 * 30)));
            shutdownHook = new Thread(RealApiServer::stopControlPlane, "stop-control-plane");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            run(List.of("scripts/control-plane.sh", "start", DIR.toString()), 180);
            env = readEnv(DIR.resolve("env"));
            admin = client(env.get("KUBE_ADMIN_TOKEN"));
            install();
        } catch (IOException | InterruptedException e) {
            stopControlPlane();
            throw new IllegalStateException("could not start the local control plane: " + e.getMessage(), e);
        }
        // The mock-server test resource of other test classes leaves Fabric8 system properties behind
        // (kubernetes.master and others), which would point the operator's client at a mock server that
        // is gone. Set them for this server instead, and clear them in stop().
        for (String key : LEFTOVER_PROPERTIES) {
            System.clearProperty(key);
        }
        System.setProperty("kubernetes.master", env.get("KUBE_API_URL"));
        System.setProperty("kubernetes.auth.token", env.get("KUBE_OPERATOR_TOKEN"));
        System.setProperty("kubernetes.certs.ca.file", env.get("KUBE_CA_FILE"));
        System.setProperty("kubernetes.namespace", "default");
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kubernetes-client.api-server-url", env.get("KUBE_API_URL"));
        config.put("quarkus.kubernetes-client.token", env.get("KUBE_OPERATOR_TOKEN"));
        config.put("quarkus.kubernetes-client.ca-cert-file", env.get("KUBE_CA_FILE"));
        config.put("quarkus.kubernetes-client.namespace", "default");
        return config;
    }

    @Override
    public void stop() {
        for (String key : LEFTOVER_PROPERTIES) {
            System.clearProperty(key);
        }
        if (admin != null) {
            admin.close();
            admin = null;
        }
        stopControlPlane();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    /** A client with every right (system:masters), for the tests' own setup and checks. */
    static KubernetesClient admin() {
        return admin;
    }

    /** A new client acting as the operator's user, holding only the chart's ClusterRole. */
    static KubernetesClient asOperatorUser() {
        return client(env.get("KUBE_OPERATOR_TOKEN"));
    }

    /** Runs the cached kubectl (1.20.2, matching the server) as the admin; returns its output. */
    static String kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve("kubectl").toString());
        command.add("--kubeconfig=" + DIR.resolve("kubeconfig"));
        command.addAll(List.of(args));
        return run(command, 60);
    }

    private static KubernetesClient client(String token) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(env.get("KUBE_API_URL")).withOauthToken(token)
                .withCaCertFile(env.get("KUBE_CA_FILE")).withNamespace("default").build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void install() throws IOException {
        for (Path crdFile : List.of(Path.of("crds/engineeraccesses.access.govuk.digital-v1.yml"),
                Path.of("crds/accesspolicies.access.govuk.digital-v1.yml"))) {
            try (InputStream in = Files.newInputStream(crdFile)) {
                CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
                admin.resource(crd).create();
                admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                        .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                                && c.getStatus().getConditions().stream()
                                        .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")),
                                60, TimeUnit.SECONDS);
            }
        }
        for (Path manifest : List.of(Path.of("examples/02-cluster-roles.yaml"),
                Path.of("helm/engineer-access-operator/templates/clusterrole.yaml"))) {
            try (InputStream in = Files.newInputStream(manifest)) {
                for (HasMetadata item : admin.load(in).items()) {
                    admin.resource(item).create();
                }
            }
        }
        admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(OPERATOR_USER).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(OPERATOR_USER).endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(OPERATOR_USER).endSubject()
                .build()).create();
    }

    private static void stopControlPlane() {
        try {
            run(List.of("scripts/control-plane.sh", "stop", DIR.toString()), 60);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not stop the local control plane: " + e.getMessage());
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
        Path log = Files.createTempFile("control-plane", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
