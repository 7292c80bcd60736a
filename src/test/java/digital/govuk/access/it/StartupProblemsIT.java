package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import digital.govuk.access.chart.ChartInstall;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Decision 72 with the packaged operator on a real kube-apiserver: a start that cannot work (the first install's usual
 * mistakes) ends with exit status 1 and one sentence saying what is wrong and what to check, with no Java class name
 * and no stack trace in the log. Before, JOSDK stopped the process with "Informer startup error", a chain of Java
 * exceptions and their stack traces.
 */
class StartupProblemsIT {
    static final Duration EXIT = Duration.ofSeconds(60);

    static KubernetesClient admin;
    static String url;
    static String ca;

    @BeforeAll
    static void cluster() {
        admin = InstalledCluster.get().admin;
        url = admin.getConfiguration().getMasterUrl().replaceAll("/+$", "");
        ca = InstalledCluster.get().controlPlane.env("KUBE_CA_FILE");
    }

    @Test
    void nothingAnswersAtTheAddress() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String log = startAndAwaitExit("startup-no-server", kubeconfig("no-server", "https://127.0.0.1:" + port, ca, "x"));
        assertThat(log).contains("cannot start: the API server at https://127.0.0.1:" + port + "/ cannot be reached: nothing answers at 127.0.0.1:"
                + port + " (connection refused). The operator stops (exit status 1), and its pod starts again.");
    }

    @Test
    void aCertificateAuthorityThatDidNotSignTheApiServer() {
        // A certificate of the same control plane, but not its CA: the API server's certificate cannot be checked against it.
        String other = Path.of(ca).resolveSibling("certs").resolve("kube-controller-manager.crt").toString();
        String log = startAndAwaitExit("startup-wrong-ca", kubeconfig("wrong-ca", url, other, InstalledCluster.get().controlPlane.env("KUBE_ADMIN_TOKEN")));
        assertThat(log).contains("cannot be used: the TLS handshake failed, since its certificate is not signed by the certificate authority"
                + " the operator trusts");
    }

    @Test
    void aServiceAccountWithoutTheChartsRights() {
        admin.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata().withName("no-rights")
                .endMetadata().build()).serverSideApply();
        String token = ChartInstall.serviceAccountToken(admin, "default", "no-rights", Duration.ofSeconds(30));
        String log = startAndAwaitExit("startup-no-rights", kubeconfig("no-rights", url, ca, token));
        assertThat(log).contains("does not let the operator list engineeraccesses.access.govuk.digital (engineeraccesses.access.govuk.digital"
                + " is forbidden: User \"system:serviceaccount:default:no-rights\" cannot list resource \"engineeraccesses\"")
                .contains("the chart's ClusterRole grants that right");
    }

    @Test
    void credentialsTheApiServerDoesNotAccept() {
        String log = startAndAwaitExit("startup-bad-token", kubeconfig("bad-token", url, ca, "not-a-token"));
        assertThat(log).contains("does not accept the operator's credentials (401 Unauthorized)");
    }

    /** Starts the operator with {@code kubeconfig}, waits for it to exit, checks it said why in plain words, and returns its log. */
    static String startAndAwaitExit(String name, Path kubeconfig) {
        OperatorProcess operator = OperatorProcess.start(name, kubeconfig, InstalledCluster.LOGS, Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false"));
        try {
            await().atMost(EXIT).pollInterval(Duration.ofMillis(100)).until(() -> !operator.alive());
            String log = operator.log();
            System.out.printf("startup problems: %s exited %d: %s%n", name, operator.exitValue(),
                    log.lines().filter(l -> l.contains("cannot start")).findFirst().orElse("(no sentence)"));
            assertThat(operator.exitValue()).as("exit status").isEqualTo(1);
            assertThat(log.lines().filter(l -> l.contains("cannot start"))).as("one sentence").hasSize(1);
            assertThat(log.lines()).as("no Java class name, exception or stack trace")
                    .noneMatch(l -> l.contains("Exception") || l.matches("\\s+at .*") || l.contains("Informer startup error"));
            return log;
        } finally {
            operator.close();
        }
    }

    static Path kubeconfig(String user, String server, String caFile, String token) {
        try {
            return InstalledCluster.get().controlPlane.kubeconfig("startup-" + user + ".kubeconfig", server, caFile, user, token);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
