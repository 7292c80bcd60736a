package digital.govuk.access.chart;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Installs the chart as a user would, and gives the token of the ServiceAccount it creates, so the operator
 * (or a test) can act with exactly the rights the chart grants.
 */
public final class ChartInstall {
    private ChartInstall() {
    }

    /**
     * {@code helm install engineer-access-operator helm/engineer-access-operator -n engineer-access --create-namespace}
     * into the cluster of this kubeconfig, with these values (YAML, as in a values file; "" for the defaults).
     */
    public static Release install(Path kubeconfig, String valuesYaml) {
        return Chart.withValuesFile(valuesYaml, values -> {
            InstallCommand install = new Helm(Chart.DIR).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                    .createNamespace().withKubeConfig(kubeconfig).withValuesFile(values);
            return install.call();
        });
    }

    /** The token of the chart's ServiceAccount, installed with the default release name and namespace. */
    public static String serviceAccountToken(KubernetesClient admin) {
        return serviceAccountToken(admin, Chart.NAMESPACE, Chart.RELEASE, Duration.ofSeconds(60));
    }

    /**
     * The bearer token the control plane's token controller writes into the ServiceAccount's token Secret
     * (Kubernetes before 1.24 does this for every ServiceAccount, as the local 1.20 control plane does).
     * Waits for the Secret and its token, up to {@code timeout}.
     */
    public static String serviceAccountToken(KubernetesClient admin, String namespace, String serviceAccount, Duration timeout) {
        AtomicReference<String> token = new AtomicReference<>();
        Awaitility.await("a token Secret for ServiceAccount " + namespace + "/" + serviceAccount).atMost(timeout)
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    ServiceAccount sa = admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount).get();
                    if (sa == null || sa.getSecrets() == null) {
                        return false;
                    }
                    for (ObjectReference ref : sa.getSecrets()) {
                        Secret secret = admin.secrets().inNamespace(namespace).withName(ref.getName()).get();
                        if (secret != null && "kubernetes.io/service-account-token".equals(secret.getType())
                                && secret.getData() != null && secret.getData().get("token") != null) {
                            token.set(new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8));
                            return true;
                        }
                    }
                    return false;
                });
        return token.get();
    }
}
