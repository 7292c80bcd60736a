package digital.govuk.access.chart;

import java.io.IOException;
import java.nio.file.Path;

import digital.govuk.access.it.LocalControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A fresh local control plane with the chart installed by the real helm command ({@link ChartInstall}), as the
 * real-server chart tests start it, and its admin client; closing it closes both. If the install fails, what was
 * started is stopped before the failure goes on.
 */
public record ChartedControlPlane(LocalControlPlane controlPlane, KubernetesClient admin, HelmCli.Release release) implements AutoCloseable {

    /** The chart of this checkout, with these values (YAML; "" for the defaults). */
    public static ChartedControlPlane install(Path dir, String valuesYaml) throws IOException, InterruptedException {
        return install(dir, Chart.DIR, valuesYaml);
    }

    /** Another copy of the chart (an earlier release, say), with these values. */
    public static ChartedControlPlane install(Path dir, Path chartDir, String valuesYaml) throws IOException, InterruptedException {
        LocalControlPlane controlPlane = LocalControlPlane.start(dir);
        KubernetesClient admin = null;
        try {
            admin = controlPlane.admin();
            return new ChartedControlPlane(controlPlane, admin, ChartInstall.install(chartDir, controlPlane.kubeconfig(), valuesYaml));
        } catch (RuntimeException | Error e) {
            if (admin != null) {
                admin.close();
            }
            controlPlane.close();
            throw e;
        }
    }

    @Override
    public void close() {
        admin.close();
        controlPlane.close();
    }
}
