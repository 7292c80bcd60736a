package digital.govuk.access.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** Decision 72: why the operator cannot start, in one sentence a platform team can act on, without Java's words. */
class StartupProblemsTest {
    static final String RESOURCE = "engineeraccesses.access.govuk.digital";
    static final String SERVER = "https://kubernetes.default.svc/";
    /** A Java class name (package.Class) or an exception's name. */
    static final Pattern JAVA = Pattern.compile("[a-z]+\\.[a-z]+\\.[A-Z]|Exception");

    @Test
    void aHostNameNobodyKnows() {
        String why = problem(new KubernetesClientException("An error has occurred.", new UnknownHostException("kubernetes.default.svc")));
        assertThat(why).isEqualTo("the API server at " + SERVER + " cannot be reached: the host name kubernetes.default.svc is not known"
                + " (the cluster's DNS, or the server named in the kubeconfig)");
    }

    @Test
    void nothingListening() {
        String why = StartupWait.problem(RESOURCE, "https://127.0.0.1:6443",
                new KubernetesClientException("An error has occurred.", new ConnectException("Connection refused")));
        assertThat(why).endsWith("cannot be reached: nothing answers at 127.0.0.1:6443 (connection refused)");
        assertThat(StartupWait.problem(RESOURCE, "https://api.example", new KubernetesClientException("x", new ConnectException("refused"))))
                .contains("nothing answers at api.example:443");
    }

    @Test
    void aCertificateNotSignedByTheTrustedAuthority() {
        String why = problem(new KubernetesClientException("An error has occurred.", new SSLHandshakeException("PKIX path building failed:"
                + " sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target")));
        assertThat(why).contains("the TLS handshake failed, since its certificate is not signed by the certificate authority the operator trusts");
        assertThat(problem(new KubernetesClientException("x", new SSLHandshakeException("Received fatal alert: handshake_failure"))))
                .contains("the TLS handshake failed, with no certificate problem named");
    }

    @Test
    void noAnswerInTime() {
        String why = problem(new KubernetesClientException("x", new RuntimeException("The timeout period of 10000ms has been exceeded while"
                + " executing GET /apis/access.govuk.digital/v1alpha1/engineeraccesses for server null")));
        assertThat(why).contains("cannot be reached: no answer within the request timeout");
    }

    @Test
    void refusedCredentialsRightsOrResources() {
        assertThat(problem(answer(401, "Unauthorized"))).contains("does not accept the operator's credentials (401 Unauthorized)");
        String forbidden = "engineeraccesses.access.govuk.digital is forbidden: User \"system:serviceaccount:default:nobody\" cannot list"
                + " resource \"engineeraccesses\" in API group \"access.govuk.digital\" at the cluster scope";
        assertThat(problem(answer(403, forbidden))).isEqualTo("the API server at " + SERVER + " does not let the operator list " + RESOURCE
                + " (" + forbidden + "): the chart's ClusterRole grants that right; check that it is installed and bound to the operator's"
                + " ServiceAccount");
        assertThat(problem(answer(404, "the server could not find the requested resource")))
                .contains("does not serve " + RESOURCE + ": the operator's CRDs are not installed");
        assertThat(problem(answer(500, "etcdserver: request timed out"))).endsWith("answered 500 to a list of " + RESOURCE
                + ": etcdserver: request timed out");
    }

    @Test
    void noSentenceNamesJava() {
        for (RuntimeException e : new RuntimeException[] {
                new KubernetesClientException("An error has occurred.", new UnknownHostException("x")),
                new KubernetesClientException("An error has occurred.", new ConnectException("Connection refused")),
                new KubernetesClientException("x", new SSLHandshakeException("PKIX path building failed: sun.security.provider.certpath.X")),
                new KubernetesClientException("x", new java.io.IOException("java.io.EOFException: closed")),
                new IllegalStateException("java.lang.IllegalStateException: boom"),
                answer(401, "Unauthorized"), answer(404, "not found"), answer(503, "the server is currently unable to handle the request")}) {
            assertThat(problem(e)).doesNotContainPattern(JAVA).startsWith("the API server at " + SERVER);
        }
    }

    static String problem(RuntimeException e) {
        return StartupWait.problem(RESOURCE, SERVER, e);
    }

    static KubernetesClientException answer(int code, String message) {
        return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
    }
}
