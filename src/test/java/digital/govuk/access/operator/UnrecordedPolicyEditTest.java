package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicyStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.PolicyInForce;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Decision 73, as a restart finds it: an earlier process used a valid edit of the policy (generation 2, which took
 * pia's exception away) but never recorded it, and an invalid edit (generation 3) followed. The record names
 * generation 1, which would grant pia's exception again; it may only take access away until the policy is valid.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = UnrecordedPolicyEditTest.StateLeftByAnEarlierProcess.class)
class UnrecordedPolicyEditTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    KubernetesClient client;

    public static class StateLeftByAnEarlierProcess implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient c = server.getClient();
            c.resource(Fixtures.namespace("apps", Fixtures.DEPLOY_LABEL, Fixtures.ADMIN_LABEL)).create();
            AccessPolicy policy = c.resource(Fixtures.policy(Fixtures.APPROVERS)).create();
            AccessPolicyStatus status = new AccessPolicyStatus();
            status.observedGeneration = policy.getMetadata().getGeneration();
            status.inForce = new PolicyInForce(policy.getMetadata().getGeneration(), policy.getSpec());
            policy.setStatus(status);
            c.resource(policy).updateStatus();
            // The valid edit the earlier process used, and could not record: pia's 3-day exception is over its 1 day.
            edit(c, p -> p.getSpec().maxExceptionDays = 1);
            edit(c, p -> p.getSpec().timeZone = "Mars/Olympus_Mons");

            // START is 2026-12-02T12:00:00Z. Under generation 1 pia has Admin; generation 2 took it away.
            EngineerAccess pia = c.resource(Fixtures.engineer("pia",
                    Fixtures.exception("2026-12-02T09:00:00Z", "2026-12-05T09:00:00Z"))).create();
            c.resource(Fixtures.managedBinding(pia, "apps", ManagedBindings.DEPLOY, null)).create();
            // abe approved himself: even generation 1 takes his Deploy away.
            EngineerAccess abe = c.resource(Fixtures.engineer("abe", "", "abe@example.gov.uk")).create();
            c.resource(Fixtures.managedBinding(abe, "apps", ManagedBindings.DEPLOY, null)).create();
        }

        private static void edit(KubernetesClient c, Consumer<AccessPolicy> change) {
            c.resources(AccessPolicy.class).withName("default").edit(p -> {
                change.accept(p);
                return p;
            });
        }
    }

    @Test
    void theRecordedPolicyOnlyTakesAccessAwayUntilThePolicyIsValidAgain() {
        TestCluster cluster = new TestCluster(client, WAIT);
        AccessPolicy policy = client.resources(AccessPolicy.class).withName("default").get();
        assertThat(policy.getMetadata().getGeneration()).as("two edits after the record").isEqualTo(3L);

        // A revocation by the recorded policy still happens.
        cluster.awaitBinding("apps", "abe-deploy", false);
        // What the recorded policy would grant again does not come back.
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.condition("pia", "Ready").reason)
                .isEqualTo(StatusBuilder.GRANTS_WITHHELD_REASON));
        assertThat(cluster.binding("apps", "pia-admin")).as("the Admin generation 2 took away stays away").isNull();
        assertThat(cluster.binding("apps", "pia-deploy")).isNotNull();
        assertThat(cluster.fetch("pia").getStatus().level).as("the level the bindings give").isEqualTo(Level.Deploy);
        assertThat(cluster.condition("pia", "PolicyValid").message).contains("only takes access away");

        // The record says so, so that the next restart finds it even though generation 3 is now recorded as observed.
        await().atMost(WAIT).untilAsserted(() -> {
            AccessPolicyStatus status = Written.policyInForce(client, "default");
            assertThat(status.observedGeneration).isEqualTo(3L);
            assertThat(status.inForce.generation).isEqualTo(1L);
            assertThat(status.inForce.grantsWithheld).isTrue();
            assertThat(status.conditions).anySatisfy(c -> {
                assertThat(c.type).isEqualTo("InForce");
                assertThat(c.message).contains("only takes access away");
            });
        });

        // Valid again (the limit back to its default): decisions are made with it, grants included.
        cluster.edit(AccessPolicy.class, "default", p -> {
            p.getSpec().timeZone = "Europe/London";
            p.getSpec().maxExceptionDays = null;
        });
        cluster.awaitBinding("apps", "pia-admin", true);
        await().atMost(WAIT).untilAsserted(() -> {
            AccessPolicyStatus status = Written.policyInForce(client, "default");
            assertThat(status.inForce.generation).isEqualTo(4L);
            assertThat(status.inForce.grantsWithheld).isNull();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.condition("pia", "Ready").status).isEqualTo("True"));
    }
}
