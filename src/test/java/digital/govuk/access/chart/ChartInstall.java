package digital.govuk.access.chart;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;

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
     * file; "" for the defaults), run with the real helm command ({@link HelmCli}).
     */
    public static HelmCli.Release install(Path kubeconfig, String valuesYaml) {
        return install(Chart.DIR, kubeconfig, valuesYaml);
    }

    /** As {@link #install(Path, String)}, from another copy of the chart (an earlier release, say). */
    public static HelmCli.Release install(Path chartDir, Path kubeconfig, String valuesYaml) {
        return Chart.withValuesFiles(List.of(Chart.TEST_VALUES, valuesYaml), files -> HelmCli.release(kubeconfig,
                withValues(files, "install", Chart.RELEASE, chartDir.toString(), "--namespace", Chart.NAMESPACE, "--create-namespace")));
    }

    /**
     * {@code helm upgrade} of the release {@link #install} made, with {@link Chart#TEST_VALUES} and these values (YAML)
     * instead of the earlier ones.
     */
    public static HelmCli.Release upgrade(Path kubeconfig, String valuesYaml) {
        return upgrade(Chart.DIR, kubeconfig, valuesYaml);
    }

    /** As {@link #upgrade(Path, String)}, to another copy of the chart. */
    public static HelmCli.Release upgrade(Path chartDir, Path kubeconfig, String valuesYaml) {
        return Chart.withValuesFiles(List.of(Chart.TEST_VALUES, valuesYaml), files -> HelmCli.release(kubeconfig,
                withValues(files, "upgrade", Chart.RELEASE, chartDir.toString(), "--namespace", Chart.NAMESPACE)));
    }

    /** {@code helm history engineer-access-operator -n engineer-access}: each revision's number and status, oldest first. */
    public static List<String> history(Path kubeconfig) {
        String json = HelmCli.run(kubeconfig, "history", Chart.RELEASE, "--namespace", Chart.NAMESPACE, "-o", "json");
        try {
            List<String> out = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode revision : new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)) {
                out.add(revision.path("revision").asInt() + " " + revision.path("status").asText());
            }
            out.sort(java.util.Comparator.comparingInt(line -> Integer.parseInt(line.substring(0, line.indexOf(' ')))));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("helm history printed no list: " + json, e);
        }
    }

    /** {@code helm uninstall engineer-access-operator -n engineer-access}: what Helm printed. */
    public static String uninstall(Path kubeconfig) {
        return HelmCli.run(kubeconfig, "uninstall", Chart.RELEASE, "--namespace", Chart.NAMESPACE);
    }

    /** The helm command's words, then "--values FILE" for each file in order. */
    private static String[] withValues(List<Path> files, String... words) {
        List<String> args = new java.util.ArrayList<>(List.of(words));
        for (Path file : files) {
            args.add("--values");
            args.add(file.toString());
        }
        return args.toArray(String[]::new);    }

    /** The token of the chart's ServiceAccount, installed with the default release name and namespace. */
    public static String serviceAccountToken(KubernetesClient admin) {
        return serviceAccountToken(admin, Chart.NAMESPACE, Chart.RELEASE, Duration.ofSeconds(60));
    }

    /**
     * A bearer token for the ServiceAccount from the TokenRequest API ({@code kubectl create token}), valid for
     * {@link #TOKEN_LIFETIME}. Kubernetes 1.24 and later no longer write a token Secret for every ServiceAccount
     * (the local control plane does not), and a pod gets its token this way too. Waits up to {@code timeout} for the ServiceAccount to exist.
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
