package digital.govuk.access.chart;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.UpgradeCommand;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Installs the chart as a user would, and gives the token of the ServiceAccount it creates, so the operator
 * (or a test) can act with exactly the rights the chart grants.
 */
public final class ChartInstall {
    private ChartInstall() {
    }

    /**
     * {@code helm install engineer-access-operator helm/engineer-access-operator -n engineer-access --create-namespace}
     * into the cluster of this kubeconfig, with {@link Chart#TEST_VALUES} and these values (YAML, as in a values
     * file; "" for the defaults).
     */
    public static Release install(Path kubeconfig, String valuesYaml) {
        return install(Chart.DIR, kubeconfig, valuesYaml);
    }

    /** As {@link #install(Path, String)}, from another copy of the chart (an earlier release, say). */
    public static Release install(Path chartDir, Path kubeconfig, String valuesYaml) {
        return Chart.withValuesFiles(List.of(Chart.TEST_VALUES, valuesYaml), files -> {
            InstallCommand install = new Helm(chartDir).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                    .createNamespace().withKubeConfig(kubeconfig);
            for (Path file : files) {
                install = install.withValuesFile(file);
            }
            return install.call();
        });
    }

    /**
     * {@code helm upgrade} of the release {@link #install} made, with {@link Chart#TEST_VALUES} and these values (YAML)
     * instead of the earlier ones.
     */
    public static Release upgrade(Path kubeconfig, String valuesYaml) {
        return upgrade(Chart.DIR, kubeconfig, valuesYaml);
    }

    /** As {@link #upgrade(Path, String)}, to another copy of the chart. */
    public static Release upgrade(Path chartDir, Path kubeconfig, String valuesYaml) {
        return Chart.withValuesFiles(List.of(Chart.TEST_VALUES, valuesYaml), files -> {
            UpgradeCommand upgrade = new Helm(chartDir).upgrade().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                    .withKubeConfig(kubeconfig);
            for (Path file : files) {
                upgrade = upgrade.withValuesFile(file);
            }
            return upgrade.call();
        });
    }

    /** {@code helm history engineer-access-operator -n engineer-access}: each revision's number and status, oldest first. */
    public static List<String> history(Path kubeconfig) {
        return Helm.history(Chart.RELEASE).withNamespace(Chart.NAMESPACE).withKubeConfig(kubeconfig).call().stream()
                .sorted(java.util.Comparator.comparingInt(com.marcnuri.helm.ReleaseHistory::getRevision))
                .map(h -> h.getRevision() + " " + h.getStatus()).toList();
    }

    /** {@code helm uninstall engineer-access-operator -n engineer-access}: what Helm printed. */
    public static String uninstall(Path kubeconfig) {
        return Helm.uninstall(Chart.RELEASE).withNamespace(Chart.NAMESPACE).withKubeConfig(kubeconfig).call();
    }

    /** The token of the chart's ServiceAccount, installed with the default release name and namespace. */
    public static String serviceAccountToken(KubernetesClient admin) {
        return serviceAccountToken(admin, Chart.NAMESPACE, Chart.RELEASE, Duration.ofSeconds(60));
    }

    /**
     * A bearer token for the ServiceAccount from the TokenRequest API ({@code kubectl create token}), valid for
     * {@link #TOKEN_LIFETIME}. Kubernetes 1.24 and later no longer write a token Secret for every ServiceAccount
     * (the local 1.34 control plane does not), and a pod gets its token this way too; 1.20 serves TokenRequest
     * as well, so both test servers use it. Waits up to {@code timeout} for the ServiceAccount to exist.
     */
    public static String serviceAccountToken(KubernetesClient admin, String namespace, String serviceAccount, Duration timeout) {
        AtomicReference<String> token = new AtomicReference<>();
        Awaitility.await("a token for ServiceAccount " + namespace + "/" + serviceAccount).atMost(timeout)
                .pollInterval(Duration.ofMillis(250)).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException
                        && ((KubernetesClientException) e).getCode() == 404)
                .until(() -> {
                    TokenRequest answer = admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
                            .tokenRequest(new TokenRequestBuilder().withNewSpec()
                                    .withExpirationSeconds(TOKEN_LIFETIME.toSeconds()).endSpec().build());
                    token.set(answer.getStatus().getToken());
                    return token.get() != null && !token.get().isEmpty();
                });
        return token.get();
    }

    /** Longer than any test run (the server caps a TokenRequest only when --service-account-max-token-expiration is set). */
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(24);
}
