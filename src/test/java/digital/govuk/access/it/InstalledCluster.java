package digital.govuk.access.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import digital.govuk.access.chart.ChartInstall;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * One local control plane for the integration tests that run the packaged operator, set up as a platform team
 * would: the chart installed with {@code helm install} (CRDs, the operator's ServiceAccount and rights, the
 * example ClusterRoles), then the policy, namespaces and engineers of {@code examples/}. The operator runs with
 * the token of the chart's ServiceAccount: exactly the rights the chart grants. Started by the first test that
 * asks, and stopped when the test JVM ends.
 */
final class InstalledCluster {
    static final Path DIR = Path.of("target", "control-plane-installed").toAbsolutePath();
    static final Path LOGS = Path.of("target", "operator-logs").toAbsolutePath();

    private static InstalledCluster instance;

    final LocalControlPlane controlPlane;
    final KubernetesClient admin;
    final Path operatorKubeconfig;

    private InstalledCluster(LocalControlPlane controlPlane, KubernetesClient admin, Path operatorKubeconfig) {
        this.controlPlane = controlPlane;
        this.admin = admin;
        this.operatorKubeconfig = operatorKubeconfig;
    }

    static synchronized InstalledCluster get() {
        if (instance == null) {
            try {
                LocalControlPlane cp = LocalControlPlane.start(DIR);
                KubernetesClient admin = cp.admin();
                ChartInstall.install(cp.kubeconfig(), """
                        policy:
                          create: false
                        policyClusterRoles:
                          create: true
                        """);
                Path kubeconfig = cp.kubeconfigFor("chart-service-account", ChartInstall.serviceAccountToken(admin));
                for (String file : List.of("examples/00-policy.yaml", "examples/01-namespaces.yaml", "examples/10-engineers.yaml")) {
                    try (InputStream in = Files.newInputStream(Path.of(file))) {
                        for (HasMetadata item : admin.load(in).items()) {
                            admin.resource(item).create();
                        }
                    }
                }
                instance = new InstalledCluster(cp, admin, kubeconfig);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }
}
