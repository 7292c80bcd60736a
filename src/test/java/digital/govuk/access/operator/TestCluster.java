package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** What the operator tests look at in a cluster, through a client of their own. */
record TestCluster(KubernetesClient client, Duration patience) {

    RoleBinding binding(String namespace, String name) {
        return client.rbac().roleBindings().inNamespace(namespace).withName(name).get();
    }

    EngineerAccess fetch(String name) {
        return client.resources(EngineerAccess.class).withName(name).get();
    }

    void awaitBinding(String namespace, String name, boolean present) {
        await().atMost(patience).untilAsserted(() -> assertThat(binding(namespace, name) != null)
                .as("RoleBinding %s/%s present", namespace, name).isEqualTo(present));
    }

    void awaitLevel(String name, Level level) {
        await().atMost(patience).untilAsserted(() -> {
            assertThat(Written.status(client, name).level).as("level of %s", name).isEqualTo(level);
        });
    }

    List<Event> events(String engineer) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> engineer.equals(e.getInvolvedObject().getName())).toList();
    }

    List<Event> events(String engineer, String reason) {
        return events(engineer).stream().filter(e -> reason.equals(e.getReason())).toList();
    }

    void awaitEvent(String engineer, String reason) {
        await().atMost(patience).untilAsserted(() -> assertThat(events(engineer)).extracting(Event::getReason).contains(reason));
    }

    /**
     * Changes an object as a user would: read, change, write; read again when someone (the operator) wrote it in
     * between (409 Conflict).
     */
    <T extends HasMetadata> void edit(Class<T> type, String name, Consumer<T> change) {
        for (int attempt = 1;; attempt++) {
            T object = client.resources(type).withName(name).get();
            change.accept(object);
            try {
                client.resource(object).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    /**
     * The engineer's condition of that type. One not written yet is an AssertionError, not a null: awaitility's
     * untilAsserted waits on the first only, and the status may not be written yet when it first looks.
     */
    Condition condition(String engineer, String type) {
        Condition c = StatusBuilder.condition(Written.status(client, engineer), type);
        if (c == null) {
            throw new AssertionError(engineer + " has no condition " + type + " yet");
        }
        return c;
    }
}
