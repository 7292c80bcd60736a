package digital.govuk.access.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import digital.govuk.access.chart.Chart;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real kube-apiserver (the pinned release) with etcd on 127.0.0.1 ({@link LocalControlPlane}), set up as a platform
 * team would: CRDs from crds/, the two policy ClusterRoles, and the operator's ClusterRole as the chart
 * renders it, bound to the user the operator runs as. The operator under test gets only that user's token.
 * Stops the processes (by PID, through the script) after the tests, and from a shutdown hook if the JVM
 * is ended early.
 */
public class RealApiServer implements QuarkusTestResourceLifecycleManager {
    static final Path DIR = Path.of("target", "control-plane-it").toAbsolutePath();
    public static final String OPERATOR_USER = "engineer-access-operator";

    private static final List<String> LEFTOVER_PROPERTIES = List.of("kubernetes.master", "kubernetes.namespace",
            "kubernetes.auth.token", "kubernetes.certs.ca.file", "kubernetes.trust.certificates",
            "kubernetes.auth.tryKubeConfig", "kubernetes.auth.tryServiceAccount", "quarkus.tls.trust-all");

    private static LocalControlPlane controlPlane;
    private static KubernetesClient admin;

    @Override
    public Map<String, String> start() {
        try {
            controlPlane = LocalControlPlane.start(DIR);
            admin = controlPlane.admin();
            install();
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop();
            throw new IllegalStateException("could not start the local control plane: " + e.getMessage(), e);
        }
        // The mock-server test resource of other test classes leaves Fabric8 system properties behind
        // (kubernetes.master and others), which would point the operator's client at a mock server that
        // is gone. Set them for this server instead, and clear them in stop().
        for (String key : LEFTOVER_PROPERTIES) {
            System.clearProperty(key);
        }
        System.setProperty("kubernetes.master", controlPlane.env("KUBE_API_URL"));
        System.setProperty("kubernetes.auth.token", controlPlane.env("KUBE_OPERATOR_TOKEN"));
        System.setProperty("kubernetes.certs.ca.file", controlPlane.env("KUBE_CA_FILE"));
        System.setProperty("kubernetes.namespace", "default");
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.kubernetes-client.api-server-url", controlPlane.env("KUBE_API_URL"));
        config.put("quarkus.kubernetes-client.token", controlPlane.env("KUBE_OPERATOR_TOKEN"));
        config.put("quarkus.kubernetes-client.ca-cert-file", controlPlane.env("KUBE_CA_FILE"));
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
        if (controlPlane != null) {
            controlPlane.close();
            controlPlane = null;
        }
    }

    /** A client with every right (system:masters), for the tests' own setup and checks. */
    static KubernetesClient admin() {
        return admin;
    }

    /** A new client acting as the operator's user, holding only the chart's ClusterRole. */
    static KubernetesClient asOperatorUser() {
        return controlPlane.client(controlPlane.env("KUBE_OPERATOR_TOKEN"));
    }

    /** A new client acting as {@code user} (the admin impersonating them), holding only that user's rights. */
    static KubernetesClient as(String user) {
        return controlPlane.as(user);
    }

    /** Runs the cached kubectl (the server's own release) as the admin; returns its output. */
    static String kubectl(String... args) throws IOException, InterruptedException {
        return controlPlane.kubectl(args);
    }

    /** Runs {@code kubectl ARGS} with bin/ first on the PATH, so that {@code kubectl access} is bin/kubectl-access. */
    static LocalControlPlane.Output kubectlWithPlugins(String... args) throws IOException, InterruptedException {
        return controlPlane.kubectlWithPlugins(Path.of("bin"), args);
    }

    private static void install() throws IOException {
        install(admin);
    }

    /**
     * Waits until the API server lists the CRD's resources from its watch cache, as an informer's first list asks
     * (resourceVersion=0). Kubernetes 1.31 and later answer that with 429 "storage is (re)initializing" for a moment
     * after the CRD is Established, while the cache fills; the operator, whose client does not retry, would fail to
     * start if it came up in that moment.
     */
    private static void awaitServedFromCache(KubernetesClient admin, CustomResourceDefinition crd) {
        CustomResourceDefinitionContext context = CustomResourceDefinitionContext.fromCrd(crd);
        Awaitility.await("the API server serving " + crd.getMetadata().getName() + " from its watch cache").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 429)
                .until(() -> admin.genericKubernetesResources(context).list(new ListOptionsBuilder().withResourceVersion("0").build()) != null);
    }

    /**
     * Sets up a fresh control plane as a platform team would: the CRDs (waiting until they are established),
     * the two policy ClusterRoles of examples/, and the chart's ClusterRole for the operator, bound to the
     * user {@value #OPERATOR_USER} (the control plane's KUBE_OPERATOR_TOKEN).
     */
    public static void install(KubernetesClient admin) throws IOException {
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
                awaitServedFromCache(admin, crd);
            }
        }
        try (InputStream in = Files.newInputStream(Path.of("examples/02-cluster-roles.yaml"))) {
            for (HasMetadata item : admin.load(in).items()) {
                admin.resource(item).create();
            }
        }
        ClusterRole operatorRole = Chart.render().one("ClusterRole", ClusterRole.class);
        admin.resource(operatorRole).create();
        admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(OPERATOR_USER).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(operatorRole.getMetadata().getName()).endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(OPERATOR_USER).endSubject()
                .build()).create();
    }
}
