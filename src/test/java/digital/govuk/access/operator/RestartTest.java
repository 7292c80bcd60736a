package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.ManagedBindings;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * The cluster as the operator finds it after an outage: an exception expired while it was down (its
 * binding must go at once) and another started while it was down (its binding must appear at once).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = RestartTest.StateLeftByAnOutage.class)
class RestartTest {
    @Inject
    KubernetesClient client;

    public static class StateLeftByAnOutage implements Consumer<KubernetesServer> {
        @Override
        public void accept(KubernetesServer server) {
            KubernetesClient c = server.getClient();
            c.resource(Fixtures.namespace("apps", Fixtures.DEPLOY_LABEL, Fixtures.ADMIN_LABEL)).create();
            c.resource(Fixtures.policy(Fixtures.APPROVERS)).create();
            // START is 2026-12-02T12:00:00Z: this exception ended an hour before.
            EngineerAccess expired = c.resource(Fixtures.engineer("expired-while-down",
                    Fixtures.exception("2026-11-25T09:00:00Z", "2026-12-02T11:00:00Z"))).create();
            c.resource(new RoleBindingBuilder(staleAdminBinding(expired)).build()).create();
            // This one started an hour before START.
            c.resource(Fixtures.engineer("started-while-down",
                    Fixtures.exception("2026-12-02T11:00:00Z", "2026-12-09T17:00:00Z"))).create();
            // Deleted while it was down, and held by someone's finalizer: it justifies nothing (decision 70).
            EngineerAccess held = Fixtures.engineer("held-while-down", "");
            held.getMetadata().setFinalizers(List.of("example.com/keep"));
            held = c.resource(held).create();
            c.resource(staleAdminBinding(held)).create();
            c.resources(EngineerAccess.class).withName("held-while-down").delete();
        }

        private static RoleBinding staleAdminBinding(EngineerAccess owner) {
            return new RoleBindingBuilder()
                    .withNewMetadata().withName(owner.getMetadata().getName() + "-admin").withNamespace("apps")
                    .withLabels(Map.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY,
                            ManagedBindings.ENGINEER_LABEL, owner.getMetadata().getName(), ManagedBindings.LEVEL_LABEL, "admin"))
                    .withAnnotations(Map.of(ManagedBindings.EXPIRY_ANNOTATION, "2026-12-02T11:00:00Z"))
                    .addNewOwnerReference().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess")
                    .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true).endOwnerReference()
                    .endMetadata()
                    .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("production-admin").endRoleRef()
                    .addNewSubject().withKind("User").withName(owner.getSpec().subject.name)
                    .withApiGroup("rbac.authorization.k8s.io").endSubject()
                    .build();
        }
    }

    @Test
    void overdueTransitionsAreAppliedAtOnceOnStartup() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(client.rbac().roleBindings().inNamespace("apps").withName("expired-while-down-admin").get()).isNull();
            assertThat(client.rbac().roleBindings().inNamespace("apps").withName("started-while-down-admin").get()).isNotNull();
        });
        assertThat(client.rbac().roleBindings().inNamespace("apps").withName("expired-while-down-deploy").get())
                .as("deploy held on its own stays").isNotNull();
        assertThat(client.resources(AccessPolicy.class).withName("default").get()).isNotNull();
    }

    @Test
    void anEngineerAccessDeletedWhileItWasDownAndStillHeldKeepsNoAccess() {
        assertThat(client.resources(EngineerAccess.class).withName("held-while-down").get().getMetadata().getDeletionTimestamp()).isNotNull();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(client.rbac().roleBindings().inNamespace("apps").withName("held-while-down-admin").get()).isNull());
    }
}
