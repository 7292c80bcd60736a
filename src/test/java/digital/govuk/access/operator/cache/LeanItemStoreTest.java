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

    @Test
    void anEngineerAccessKeepsItsValuesAndSharesItsRepeatedStrings() {
        List<digital.govuk.access.api.v1alpha1.EngineerAccess> read = new java.util.ArrayList<>();
        for (String name : List.of("jane-doe", "john-roe")) {
            digital.govuk.access.api.v1alpha1.EngineerAccess ea = digital.govuk.access.operator.Fixtures.engineer(name,
                    digital.govuk.access.operator.Fixtures.EARNED_ADMIN, "tech.lead@example.gov.uk");
            digital.govuk.access.api.v1alpha1.EngineerAccessStatus status = new digital.govuk.access.api.v1alpha1.EngineerAccessStatus();
            status.bindings.add(new digital.govuk.access.api.v1alpha1.BindingStatus("apps", name + "-deploy", "production-deploy", null));
            status.bindings.add(new digital.govuk.access.api.v1alpha1.BindingStatus("web", name + "-deploy", "production-deploy", null));
            ea.setStatus(status);
            // As the informer reads it: every string its own copy.
            read.add(Serialization.unmarshal(Serialization.asJson(ea), digital.govuk.access.api.v1alpha1.EngineerAccess.class));
        }
        List<String> before = read.stream().map(Serialization::asJson).toList();
        LeanItemStore<digital.govuk.access.api.v1alpha1.EngineerAccess> store = new LeanItemStore<>();
        read.forEach(ea -> store.put(store.getKey(ea), ea));
        var jane = store.get("jane-doe");
        var john = store.get("john-roe");
        assertThat(List.of(Serialization.asJson(jane), Serialization.asJson(john))).isEqualTo(before);
        assertThat(jane.getSpec().deployApproval.approvedBy).isSameAs(john.getSpec().deployApproval.approvedBy);
        assertThat(jane.getSpec().shifts.get(0).startTime).isSameAs(john.getSpec().shifts.get(0).startTime);
        assertThat(jane.getStatus().bindings.get(0).namespace).isSameAs(john.getStatus().bindings.get(0).namespace);
        assertThat(jane.getStatus().bindings.get(0).clusterRole).isSameAs(john.getStatus().bindings.get(1).clusterRole);
        assertThat(jane.getStatus().bindings.get(0).name).isSameAs(jane.getStatus().bindings.get(1).name);
    }
}
