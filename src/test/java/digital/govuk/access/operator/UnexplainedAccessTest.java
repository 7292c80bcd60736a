package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import digital.govuk.access.operator.runtime.AccessMetrics;
import digital.govuk.access.rules.EffectivePolicy;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The gauge of access the operator did not grant says what a recent look found, and NaN (not known) when no look has
 * read the bindings lately: a number kept from an old look would claim that nothing changed since.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class UnexplainedAccessTest {
    KubernetesClient client;
    final TestClock clock = new TestClock();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    double gauge() {
        return registry.get("engineer.access.unexplained.bindings").gauge().value();
    }

    @Test
    void theGaugeSaysWhatARecentLookFoundAndNothingOnceTheLookIsOld() {
        UnexplainedAccess unexplained = new UnexplainedAccess(client, new AccessMetrics(registry), clock, Duration.ofMinutes(5));
        assertThat(gauge()).as("before the first look nothing is known").isNaN();

        client.rbac().roleBindings().inNamespace("apps").resource(new RoleBindingBuilder()
                .withNewMetadata().withName("break-glass").withNamespace("apps").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(EffectivePolicy.defaults().adminClusterRole()).endRoleRef()
                .addNewSubject().withKind("User").withApiGroup("rbac.authorization.k8s.io").withName("mallory@example.gov.uk").endSubject()
                .build()).create();
        assertThat(unexplained.find(EffectivePolicy.defaults()).grants()).hasSize(1);
        assertThat(gauge()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(10));
        assertThat(gauge()).as("one look late or failed still leaves the last one standing").isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(gauge()).as("no look for more than two periods (no usable policy, or the bindings unreadable)").isNaN();

        client.rbac().roleBindings().inNamespace("apps").withName("break-glass").delete();
        assertThat(unexplained.find(EffectivePolicy.defaults()).grants()).isEmpty();
        assertThat(gauge()).isZero();
    }
}
