package digital.govuk.access.operator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.api.v1alpha1.SubjectKind;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.Ownership;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.fabric8.kubernetes.client.utils.Serialization;

class CompactBindingStoreTest {
    static final String OWNER_UID = "0b0c6b52-5f0e-4c39-9d7e-2f6b1f2d9a11";
    static final Instant EXPIRY = Instant.parse("2026-12-03T17:00:00Z");

    static OwnerReference owner(String engineer) {
        return new OwnerReferenceBuilder().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess").withName(engineer)
                .withUid(OWNER_UID).withController(true).build();
    }

    /** The binding the operator wants, as its own code builds it. */
    static RoleBinding desired(String namespace, String engineer, String level, Instant expiry) {
        return BindingDiff.toRoleBinding(new DesiredBinding(namespace, ManagedBindings.bindingName(engineer, level), level,
                "production-" + level, expiry), engineer, new Subject(SubjectKind.User, engineer + "@example.gov.uk"), owner(engineer));
    }

    /** That binding as the watch gives it: what the API server adds, read from JSON as the informer reads it. */
    static RoleBinding served(RoleBinding rb, long resourceVersion) {
        RoleBinding copy = Serialization.clone(rb);
        copy.getMetadata().setUid(UUID.nameUUIDFromBytes((rb.getMetadata().getNamespace() + rb.getMetadata().getName()).getBytes()).toString());
        copy.getMetadata().setResourceVersion(Long.toString(resourceVersion));
        copy.getMetadata().setCreationTimestamp("2026-12-02T09:00:00Z");
        copy.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("engineer-access-operator")
                .withOperation("Update").withApiVersion("rbac.authorization.k8s.io/v1").withTime("2026-12-02T09:00:00Z")
                .withFieldsType("FieldsV1").build()));
        return Serialization.unmarshal(Serialization.asJson(copy), RoleBinding.class);
    }

    /** What the store must give back: the binding, without managedFields. */
    static RoleBinding lean(RoleBinding rb) {
        RoleBinding copy = Serialization.unmarshal(Serialization.asJson(rb), RoleBinding.class);
        copy.getMetadata().setManagedFields(null);
        return copy;
    }

    static RoleBinding put(CompactBindingStore store, RoleBinding rb) {
        return store.put(store.getKey(rb), rb);
    }

    @Test
    void keepsEveryFieldTheOperatorReads() {
        RoleBinding rb = served(desired("apps", "jane-doe", ManagedBindings.ADMIN, EXPIRY), 4711);
        rb.getMetadata().getLabels().put("team", "payments"); // someone else's label: an update must keep it
        rb.getMetadata().getAnnotations().put("note", "checked by ops");
        rb.getMetadata().setFinalizers(new ArrayList<>(List.of("example.com/hold")));
        rb.getSubjects().add(new SubjectBuilder().withKind("Group").withName("ops").withNamespace("apps").build());
        rb.getMetadata().getOwnerReferences().add(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName("x")
                .withUid("not-a-uuid").withController(false).withBlockOwnerDeletion(true).build());
        RoleBinding expected = lean(rb);
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        assertThat(put(store, rb)).isNull();

        RoleBinding kept = store.get("apps/jane-doe-admin");
        assertThat(kept).isEqualTo(expected);
        assertThat(kept.getApiVersion()).isEqualTo("rbac.authorization.k8s.io/v1");
        assertThat(kept.getKind()).isEqualTo("RoleBinding");
        assertThat(kept.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(kept.getMetadata().getName()).isEqualTo("jane-doe-admin");
        assertThat(kept.getMetadata().getUid()).isEqualTo(rb.getMetadata().getUid());
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("4711");
        assertThat(kept.getMetadata().getCreationTimestamp()).isEqualTo("2026-12-02T09:00:00Z");
        assertThat(kept.getMetadata().getManagedFields()).isNull();
        assertThat(kept.getMetadata().getFinalizers()).containsExactly("example.com/hold");
        assertThat(new ArrayList<>(kept.getMetadata().getLabels().entrySet())).containsExactly(
                Map.entry(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY), Map.entry(ManagedBindings.ENGINEER_LABEL, "jane-doe"),
                Map.entry(ManagedBindings.LEVEL_LABEL, "admin"), Map.entry("team", "payments"));
        assertThat(kept.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(
                Map.of(ManagedBindings.EXPIRY_ANNOTATION, EXPIRY.toString(), "note", "checked by ops"));
        assertThat(BindingDiff.expiryOf(kept)).isEqualTo(EXPIRY);
        List<OwnerReference> owners = kept.getMetadata().getOwnerReferences();
        assertThat(owners).hasSize(2);
        assertThat(owners.get(0).getApiVersion()).isEqualTo(EngineerAccess.API_VERSION);
        assertThat(owners.get(0).getKind()).isEqualTo("EngineerAccess");
        assertThat(owners.get(0).getName()).isEqualTo("jane-doe");
        assertThat(owners.get(0).getUid()).isEqualTo(OWNER_UID);
        assertThat(owners.get(0).getController()).isTrue();
        assertThat(owners.get(0).getBlockOwnerDeletion()).isNull();
        assertThat(owners.get(1).getController()).isFalse();
        assertThat(owners.get(1).getBlockOwnerDeletion()).isTrue();
        assertThat(owners.get(1).getUid()).isEqualTo("not-a-uuid");
        assertThat(kept.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(kept.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(kept.getRoleRef().getName()).isEqualTo("production-admin");
        assertThat(kept.getSubjects()).hasSize(2);
        assertThat(kept.getSubjects().get(0).getKind()).isEqualTo("User");
        assertThat(kept.getSubjects().get(0).getName()).isEqualTo("jane-doe@example.gov.uk");
        assertThat(kept.getSubjects().get(0).getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(kept.getSubjects().get(0).getNamespace()).isNull();
        assertThat(kept.getSubjects().get(1).getKind()).isEqualTo("Group");
        assertThat(kept.getSubjects().get(1).getNamespace()).isEqualTo("apps");
        assertThat(Ownership.of(kept, "jane-doe", OWNER_UID)).isEqualTo(Ownership.Owner.THIS);
        assertThat(Serialization.asJson(kept)).isEqualTo(Serialization.asJson(expected));
    }

    @Test
    void theBindingAsTheOperatorWritesItNeedsNoChange() {
        RoleBinding want = desired("apps", "jane-doe", ManagedBindings.DEPLOY, null);
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        put(store, served(want, 12));
        RoleBinding kept = store.get("apps/jane-doe-deploy");
        // JOSDK reads annotations without a null check: a binding with none reads back with an empty map, as it came.
        assertThat(kept.getMetadata().getAnnotations()).isNotNull().isEmpty();
        assertThat(BindingDiff.diff(List.of(want), List.of(kept)).none()).isTrue();
    }

    @Test
    void aTamperedBindingStillReadsBackTampered() {
        RoleBinding want = desired("apps", "jane-doe", ManagedBindings.DEPLOY, EXPIRY);
        Map<String, Consumer<RoleBinding>> tampering = new LinkedHashMap<>();
        tampering.put("subject renamed", rb -> rb.getSubjects().get(0).setName("mallory@example.gov.uk"));
        tampering.put("subject added", rb -> rb.getSubjects().add(new SubjectBuilder().withKind("User").withName("mallory")
                .withApiGroup("rbac.authorization.k8s.io").build()));
        tampering.put("subjects reordered", rb -> rb.getSubjects().add(0, new SubjectBuilder().withKind("User").withName("mallory")
                .withApiGroup("rbac.authorization.k8s.io").build()));
        tampering.put("subject namespace set", rb -> rb.getSubjects().get(0).setNamespace("apps"));
        tampering.put("level label removed", rb -> rb.getMetadata().getLabels().remove(ManagedBindings.LEVEL_LABEL));
        tampering.put("expiry removed", rb -> rb.getMetadata().getAnnotations().remove(ManagedBindings.EXPIRY_ANNOTATION));
        tampering.put("expiry moved", rb -> rb.getMetadata().getAnnotations().put(ManagedBindings.EXPIRY_ANNOTATION, "2027-01-01T00:00:00Z"));
        tampering.put("owner removed", rb -> rb.getMetadata().setOwnerReferences(new ArrayList<>()));
        tampering.put("owner not controller", rb -> rb.getMetadata().getOwnerReferences().get(0).setController(false));
        tampering.put("owner blocks deletion", rb -> rb.getMetadata().getOwnerReferences().get(0).setBlockOwnerDeletion(true));
        tampering.put("owner uid changed", rb -> rb.getMetadata().getOwnerReferences().get(0).setUid(UUID.randomUUID().toString()));
        for (Map.Entry<String, Consumer<RoleBinding>> t : tampering.entrySet()) {
            CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
            // The right binding in another namespace keeps the same shape in the store: the tampered one must not join it.
            put(store, served(desired("web", "jane-doe", ManagedBindings.DEPLOY, EXPIRY), 10));
            RoleBinding rb = served(want, 11);
            put(store, rb);
            RoleBinding tampered = served(want, 12);
            t.getValue().accept(tampered);
            assertThat(put(store, tampered)).as(t.getKey()).isEqualTo(lean(rb));
            RoleBinding kept = store.get("apps/jane-doe-deploy");
            assertThat(kept).as(t.getKey()).isEqualTo(lean(tampered));
            assertThat(BindingDiff.diff(List.of(want), List.of(kept)).update()).as(t.getKey()).hasSize(1);
        }
        // roleRef changed: replaced (roleRef cannot change in place).
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        RoleBinding tampered = served(want, 12);
        tampered.getRoleRef().setName("cluster-admin");
        put(store, tampered);
        assertThat(store.get("apps/jane-doe-deploy").getRoleRef().getName()).isEqualTo("cluster-admin");
        assertThat(BindingDiff.diff(List.of(want), List.of(store.get("apps/jane-doe-deploy"))).replace()).hasSize(1);
        // managed-by label removed: no longer the operator's to touch.
        tampered = served(want, 13);
        tampered.getMetadata().getLabels().remove(ManagedBindings.MANAGED_BY_LABEL);
        put(store, tampered);
        assertThat(Ownership.of(store.get("apps/jane-doe-deploy"), "jane-doe", OWNER_UID)).isEqualTo(Ownership.Owner.OTHER);
        // owner reference removed: claimed, not ours by reference.
        tampered = served(want, 14);
        tampered.getMetadata().setOwnerReferences(null);
        put(store, tampered);
        assertThat(store.get("apps/jane-doe-deploy").getMetadata().getOwnerReferences()).isNull();
        assertThat(Ownership.of(store.get("apps/jane-doe-deploy"), "jane-doe", OWNER_UID)).isEqualTo(Ownership.Owner.CLAIMED);
    }

    @Test
    void replacesRemovesAndListsByKey() {
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        RoleBinding a = served(desired("apps", "jane-doe", ManagedBindings.DEPLOY, null), 1);
        RoleBinding b = served(desired("web", "jane-doe", ManagedBindings.DEPLOY, null), 2);
        RoleBinding c = served(desired("web", "john-roe", ManagedBindings.ADMIN, EXPIRY), 3);
        assertThat(put(store, a)).isNull();
        assertThat(put(store, b)).isNull();
        assertThat(put(store, c)).isNull();
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.keySet()).containsExactlyInAnyOrder("apps/jane-doe-deploy", "web/jane-doe-deploy", "web/john-roe-admin");
        assertThat(store.values()).containsExactlyInAnyOrder(lean(a), lean(b), lean(c));
        assertThat(store.shapes()).isEqualTo(2); // jane-doe's deploy bindings share one

        RoleBinding a2 = served(desired("apps", "jane-doe", ManagedBindings.DEPLOY, EXPIRY), 4);
        assertThat(put(store, a2)).isEqualTo(lean(a));
        assertThat(store.get("apps/jane-doe-deploy")).isEqualTo(lean(a2));
        assertThat(store.get("apps/jane-doe-deploy").getMetadata().getResourceVersion()).isEqualTo("4");
        assertThat(store.size()).isEqualTo(3);

        assertThat(store.remove("web/jane-doe-deploy")).isEqualTo(lean(b));
        assertThat(store.remove("web/jane-doe-deploy")).isNull();
        assertThat(store.get("web/jane-doe-deploy")).isNull();
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.keySet()).containsExactlyInAnyOrder("apps/jane-doe-deploy", "web/john-roe-admin");
        assertThat(store.getKey(c)).isEqualTo(Cache.metaNamespaceKeyFunc(c));
    }

    /** The index from an engineer to its bindings follows every put and remove, a relabelled binding too. */
    @Test
    void indexesEachBindingByItsEngineerLabel() {
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        RoleBinding a = served(desired("apps", "jane-doe", ManagedBindings.DEPLOY, null), 1);
        RoleBinding b = served(desired("web", "jane-doe", ManagedBindings.ADMIN, EXPIRY), 2);
        RoleBinding c = served(desired("web", "john-roe", ManagedBindings.DEPLOY, null), 3);
        put(store, a);
        put(store, b);
        put(store, c);
        put(store, served(desired("apps", "jane-doe", ManagedBindings.DEPLOY, EXPIRY), 4)); // replaced: still one entry
        assertThat(store.keysLabelled("jane-doe")).containsExactlyInAnyOrder("apps/jane-doe-deploy", "web/jane-doe-admin");
        assertThat(store.keysLabelled("john-roe")).containsExactly("web/john-roe-deploy");
        assertThat(store.keysLabelled("nobody")).isEmpty();

        // Someone relabels john-roe's binding for jane-doe: it moves in the index.
        RoleBinding relabelled = served(desired("web", "john-roe", ManagedBindings.DEPLOY, null), 5);
        relabelled.getMetadata().getLabels().put(ManagedBindings.ENGINEER_LABEL, "jane-doe");
        put(store, relabelled);
        assertThat(store.keysLabelled("john-roe")).isEmpty();
        assertThat(store.keysLabelled("jane-doe")).containsExactlyInAnyOrder("apps/jane-doe-deploy", "web/jane-doe-admin",
                "web/john-roe-deploy");
        // And loses the label: in no engineer's index, still in the store.
        RoleBinding unlabelled = served(desired("web", "john-roe", ManagedBindings.DEPLOY, null), 6);
        unlabelled.getMetadata().getLabels().remove(ManagedBindings.ENGINEER_LABEL);
        put(store, unlabelled);
        assertThat(store.keysLabelled("jane-doe")).containsExactlyInAnyOrder("apps/jane-doe-deploy", "web/jane-doe-admin");
        assertThat(store.get("web/john-roe-deploy")).isNotNull();

        store.remove("web/jane-doe-admin");
        store.remove("apps/jane-doe-deploy");
        store.remove("web/john-roe-deploy");
        assertThat(store.keysLabelled("jane-doe")).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void aReaderThatChangesWhatItReadChangesNothingInTheStore() {
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        RoleBinding rb = served(desired("apps", "jane-doe", ManagedBindings.DEPLOY, null), 1);
        put(store, rb);
        RoleBinding read = store.get("apps/jane-doe-deploy");
        read.getSubjects().get(0).setName("mallory");
        read.getMetadata().getLabels().clear();
        read.getMetadata().getOwnerReferences().clear();
        assertThat(store.get("apps/jane-doe-deploy")).isEqualTo(lean(rb));
    }

    @Test
    void valuesThatAreNotInTheApiServersFormReadBackExactly() {
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        RoleBinding odd = desired("apps", "jane-doe", ManagedBindings.DEPLOY, null);
        odd.getMetadata().setUid("u-1");
        odd.getMetadata().setResourceVersion("0042");
        odd.getMetadata().setCreationTimestamp("2026-12-02T09:00:00.5Z");
        odd.getMetadata().setLabels(null);
        odd.getMetadata().setAnnotations(null);
        odd.getMetadata().setGeneration(3L);
        odd.getMetadata().setDeletionTimestamp("2026-12-02T10:00:00Z");
        odd.getMetadata().setDeletionGracePeriodSeconds(0L);
        odd.setSubjects(null);
        odd.setRoleRef(null);
        odd.getMetadata().setManagedFields(null);
        put(store, odd);
        assertThat(store.get("apps/jane-doe-deploy")).isEqualTo(odd);

        RoleBinding none = desired("apps", "john-roe", ManagedBindings.DEPLOY, null);
        none.getMetadata().setUid(null);
        none.getMetadata().setResourceVersion(null);
        none.getMetadata().setManagedFields(null);
        put(store, none);
        assertThat(store.get("apps/john-roe-deploy")).isEqualTo(none);
    }

    @Test
    void fieldsFabric8DoesNotKnowAreKeptOnTheObjectItself() {
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        RoleBinding rb = served(desired("apps", "jane-doe", ManagedBindings.DEPLOY, null), 1);
        rb.getSubjects().get(0).setAdditionalProperty("future", "field");
        RoleBinding expected = lean(rb);
        put(store, rb);
        RoleBinding read = store.get("apps/jane-doe-deploy");
        assertThat(read).isEqualTo(expected);
        read.getSubjects().get(0).setName("mallory");
        assertThat(store.get("apps/jane-doe-deploy")).isEqualTo(expected);
    }

    @Test
    void servesFabric8sCacheAndItsIndexes() {
        CacheImpl<RoleBinding> cache = new CacheImpl<>();
        cache.setItemStore(new CompactBindingStore(ManagedBindings.ENGINEER_LABEL));
        cache.addIndexFunc("engineer", rb -> List.of(rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL)));
        RoleBinding a = served(desired("apps", "jane-doe", ManagedBindings.DEPLOY, null), 1);
        RoleBinding b = served(desired("web", "jane-doe", ManagedBindings.DEPLOY, null), 2);
        RoleBinding c = served(desired("web", "john-roe", ManagedBindings.DEPLOY, null), 3);
        cache.put(a);
        cache.put(b);
        cache.put(c);
        assertThat(cache.byIndex("engineer", "jane-doe")).containsExactlyInAnyOrder(lean(a), lean(b));
        assertThat(cache.byIndex(CacheImpl.NAMESPACE_INDEX, "web")).containsExactlyInAnyOrder(lean(b), lean(c));
        // An update whose engineer label changed moves it between index entries: the old value the store gives back is right.
        RoleBinding moved = served(desired("web", "jane-doe", ManagedBindings.DEPLOY, null), 4);
        moved.getMetadata().getLabels().put(ManagedBindings.ENGINEER_LABEL, "john-roe");
        assertThat(cache.put(moved)).isEqualTo(lean(b));
        assertThat(cache.byIndex("engineer", "jane-doe")).containsExactly(lean(a));
        assertThat(cache.byIndex("engineer", "john-roe")).containsExactlyInAnyOrder(lean(moved), lean(c));
        assertThat(cache.remove(a)).isEqualTo(lean(a));
        assertThat(cache.byIndex("engineer", "jane-doe")).isEmpty();
        assertThat(cache.list()).hasSize(2);
    }
}
