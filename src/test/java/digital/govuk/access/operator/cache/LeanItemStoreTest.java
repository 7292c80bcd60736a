package digital.govuk.access.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

class LeanItemStoreTest {
    static RoleBinding binding(String namespace) {
        return new RoleBindingBuilder().withNewMetadata().withName("jane-doe-deploy").withNamespace(namespace)
                .withUid("u-1").withResourceVersion("42")
                .withLabels(Map.of("app.kubernetes.io/managed-by", "engineer-access-operator", "access.govuk.digital/engineer", "jane-doe"))
                .addNewOwnerReference().withApiVersion("access.govuk.digital/v1alpha1").withKind("EngineerAccess").withName("jane-doe")
                .withUid("owner-1").withController(true).endOwnerReference()
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("engineer-access-operator").withOperation("Update").build())
                .endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("production-deploy").endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("jane.doe@example.gov.uk").endSubject()
                .build();
    }

    @Test
    void keepsEverythingTheOperatorReadsAndDropsManagedFields() {
        RoleBinding rb = binding("apps");
        RoleBinding expected = Serialization.clone(rb);
        expected.getMetadata().setManagedFields(null);
        LeanItemStore<RoleBinding> store = new LeanItemStore<>();
        store.put(store.getKey(rb), rb);
        RoleBinding kept = store.get("apps/jane-doe-deploy");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(Serialization.asJson(kept)).isEqualTo(Serialization.asJson(expected));
    }

    @Test
    void repeatedStringsAreHeldOnce() {
        LeanItemStore<RoleBinding> store = new LeanItemStore<>();
        for (String ns : List.of(new String("apps"), new String("apps"))) {
            RoleBinding rb = binding(ns);
            rb.getMetadata().setName(new String("b-" + System.identityHashCode(ns)));
            store.put(store.getKey(rb), rb);
        }
        List<RoleBinding> kept = store.values().toList();
        assertThat(kept).hasSize(2);
        assertThat(kept.get(0).getMetadata().getNamespace()).isSameAs(kept.get(1).getMetadata().getNamespace());
        assertThat(kept.get(0).getRoleRef().getName()).isSameAs(kept.get(1).getRoleRef().getName());
    }
}
