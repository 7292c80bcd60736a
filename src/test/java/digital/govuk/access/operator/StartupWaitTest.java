package digital.govuk.access.operator;

import static digital.govuk.access.operator.Fixtures.ADMIN_LABEL;
import static digital.govuk.access.operator.Fixtures.APPROVERS;
import static digital.govuk.access.operator.Fixtures.DEPLOY_LABEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Issue 16: the operator starts on an API server that is still loading its resources. Just after the CRDs are
 * created, Kubernetes 1.31 and later answer the first lists of EngineerAccess and AccessPolicy with 429 "storage is
 * (re)initializing"; here the mock server answers so the first {@link #REFUSED} lists of each. Without the wait,
 * the operator stopped at startup (the application did not start).
 */
@QuarkusTest
@WithTestResource(StartupWaitTest.StorageInitializing.class)
class StartupWaitTest {
    static final int REFUSED = 2;
    static final Pattern LIST = Pattern.compile("^/apis/access\\.govuk\\.digital/v1alpha1/(engineeraccesses|accesspolicies)(\\?.*)?$");
    static final Map<String, AtomicInteger> refused = new ConcurrentHashMap<>();

    /** The faulty mock server, holding an engineer and the policy, whose first lists of our resources are refused. */
    public static class StorageInitializing extends FaultyKubernetesServer {
        @Override
        public Map<String, String> start() {
            Map<String, String> properties = super.start();
            refused.clear();
            KubernetesClient c = client();
            c.resource(Fixtures.namespace("apps", DEPLOY_LABEL, ADMIN_LABEL)).create();
            c.resource(Fixtures.policy(APPROVERS)).create();
            c.resource(Fixtures.engineer("early", "")).create();
            faults().rule("storage is (re)initializing", StartupWaitTest::refuse, 429);
            return properties;
        }
    }

    static boolean refuse(RecordedRequest r) {
        Matcher m = LIST.matcher(r.getPath());
        if (!r.getMethod().equals("GET") || !m.matches() || r.getPath().contains("watch=true")) {
            return false;
        }
        return refused.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet() <= REFUSED;
    }

    @Test
    void theOperatorWaitsWhileTheApiServerLoadsItsResourcesThenStartsAndGrants() {
        KubernetesClient client = FaultyKubernetesServer.client();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.rbac().roleBindings().inNamespace("apps").withName("early-deploy").get() != null);
        assertThat(refused.get("engineeraccesses").get()).as("lists of engineeraccesses asked").isGreaterThan(REFUSED);
        assertThat(refused.get("accesspolicies").get()).as("lists of accesspolicies asked").isGreaterThan(REFUSED);
    }
}
