package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.EventHandler;

/**
 * After the EngineerAccess CRD changes, the engineers whose cached copy the watch left behind are found by one list
 * and reconciled; the others cost nothing (it/AccessAlwaysEndsIT shows it on a real API server).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class SchemaChangesTest {
    KubernetesMockServer server;
    KubernetesClient client;

    final Map<String, EngineerAccess> cache = new HashMap<>();
    final List<String> reconciled = new ArrayList<>();
    SchemaChanges changes;

    @BeforeEach
    void threeEngineersInTheApiServerAndTheCache() {
        for (String name : List.of("ada", "bob", "cy")) {
            EngineerAccess live = client.resource(Fixtures.engineer(name, "")).create();
            cache.put(name, Serialization.clone(live));
        }
        changes = new SchemaChanges(client, name -> Optional.ofNullable(cache.get(name)));
        changes.setEventHandler(new EventHandler() {
            @Override
            public void handleEvent(Event event) {
                reconciled.add(event.getRelatedCustomResourceID().getName());
            }
        });
        changes.start();
    }

    @Test
    void anEditTheWatchNeverToldOfIsFoundAndReconciledOnce() {
        // bob's approval withdrawn while the watch was being re-made: the cache still holds the approved copy.
        client.resources(EngineerAccess.class).withName("bob").edit(ea -> {
            ea.getSpec().deployApproval = null;
            return ea;
        });
        changes.compare();
        assertThat(reconciled).containsExactly("bob");
        assertThat(changes.takeMarked("bob")).as("its reconciliation reads it fresh").isTrue();
        assertThat(changes.takeMarked("bob")).as("once").isFalse();
        assertThat(changes.takeMarked("ada")).isFalse();
    }

    @Test
    void anEditToldOfWithTheNewFieldPrunedDiffersToo() {
        // Same resourceVersion, but the copy the watch gave lacks what the API server now serves.
        EngineerAccess pruned = client.resources(EngineerAccess.class).withName("cy").get();
        String served = Serialization.asYaml(pruned).replace("spec:\n", "spec:\n  team: platform\n");
        EngineerAccess live = new KubernetesSerialization(UnknownFields.register(new ObjectMapper()), true)
                .unmarshal(served, EngineerAccess.class);
        assertThat(UnknownFields.of(live)).containsExactly("spec.team");
        assertThat(SchemaChanges.differs(pruned, live)).isTrue();
        assertThat(SchemaChanges.differs(pruned, Serialization.clone(pruned))).isFalse();
    }

    @Test
    void whenEveryCopyMatchesNothingIsReconciled() {
        changes.compare();
        assertThat(reconciled).isEmpty();
    }
}
