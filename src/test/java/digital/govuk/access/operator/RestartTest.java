package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.bindings.ManagedBindings;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
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
            c.resource(staleAdminBinding(expired)).create();
            // This one started an hour before START.
            c.resource(Fixtures.engineer("started-while-down",
                    Fixtures.exception("2026-12-02T11:00:00Z", "2026-12-09T17:00:00Z"))).create();
            // Deleted while it was down, and held by someone's finalizer: it justifies nothing (decision 70).
            EngineerAccess held = Fixtures.engineer("held-while-down", "");
            held.getMetadata().setFinalizers(List.of("example.com/keep"));
            held = c.resource(held).create();
            c.resource(staleAdminBinding(held)).create();
            c.resources(EngineerAccess.class).withName("held-while-down").delete();
            // Held and deleted before the outage, its bindings removed by the process before, which stopped before it
            // wrote the status: the status still claims an Admin binding that is gone.
            heldWithStatus(c, "removed-before-restart", Level.Admin, List.of(new BindingStatus("apps", "removed-before-restart-admin",
                    "production-admin", null)));
            // Held, its bindings removed and the removal recorded by the process before: the status holds nothing.
            heldWithStatus(c, "recorded-before-restart", Level.None, List.of());
        }

        private static RoleBinding staleAdminBinding(EngineerAccess owner) {
            return Fixtures.managedBinding(owner, "apps", ManagedBindings.ADMIN, "2026-12-02T11:00:00Z");
        }

        private static void heldWithStatus(KubernetesClient c, String name, Level level, List<BindingStatus> bindings) {
            EngineerAccess ea = Fixtures.engineer(name, "");
            ea.getMetadata().setFinalizers(List.of("example.com/keep"));
            ea = c.resource(ea).create();
            EngineerAccessStatus status = new EngineerAccessStatus();
            status.level = level;
            status.supervised = false;
            status.bindings = new ArrayList<>(bindings);
            ea.setStatus(status);
            c.resource(ea).updateStatus();
            c.resources(EngineerAccess.class).withName(name).delete();
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

    /**
     * Decision 70 across a restart: a held EngineerAccess whose bindings an earlier process removed, but whose status
     * still claims them, is given a status that holds nothing, and the removal is recorded once; one whose removal was
     * recorded before is not recorded again, now or when it goes.
     */
    @Test
    void aHeldEngineerAccessIsRecordedOnceAcrossARestart() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            EngineerAccessStatus status = Written.status(client, "removed-before-restart");
            assertThat(status.level).isEqualTo(Level.None);
            assertThat(status.bindings).isEmpty();
            assertThat(status.history).last().satisfies(h -> assertThat(h.reason).isEqualTo("Deleted"));
            assertThat(removals("removed-before-restart")).singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).contains("all its RoleBindings are gone").contains("production-admin in apps"));
        });
        for (String name : List.of("removed-before-restart", "recorded-before-restart")) {
            client.resources(EngineerAccess.class).withName(name).edit(ea -> {
                ea.getMetadata().setFinalizers(List.of());
                return ea;
            });
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> client.resources(EngineerAccess.class).withName("recorded-before-restart").get() == null
                && client.resources(EngineerAccess.class).withName("removed-before-restart").get() == null);
        await().pollDelay(Orphans.GRACE.plusSeconds(1)).atMost(Duration.ofSeconds(20)).until(() -> true);
        assertThat(removals("removed-before-restart")).as("recorded once").hasSize(1);
        assertThat(removals("recorded-before-restart")).as("recorded before the restart").isEmpty();
        assertThat(client.resources(EngineerAccess.class).withName("recorded-before-restart").get()).isNull();
    }

    private List<Event> removals(String engineer) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> engineer.equals(e.getInvolvedObject().getName()) && "AccessRemoved".equals(e.getReason())).toList();
    }
}
