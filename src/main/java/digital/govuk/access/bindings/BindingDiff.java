package digital.govuk.access.bindings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.rules.AnyPolicy;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.RoleRefBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;

/**
 * Compares the RoleBindings the rules want with those that exist. Pure: the reconciler applies the result.
 * Only the parts the operator owns are compared: roleRef, subjects, owner references, our labels and
 * our expiry annotation. Labels and annotations others add are kept.
 */
public final class BindingDiff {
    private static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    /**
     * @param create  bindings to create
     * @param replace existing bindings whose roleRef is wrong (roleRef cannot change): delete, then create the desired one
     * @param update  existing bindings (resourceVersion kept) corrected in place
     * @param delete  existing bindings no longer wanted
     */
    public record Changes(List<RoleBinding> create, List<Replacement> replace, List<RoleBinding> update, List<RoleBinding> delete) {
        public boolean none() {
            return create.isEmpty() && replace.isEmpty() && update.isEmpty() && delete.isEmpty();
        }
    }

    /** An existing binding and the one to create in its place. */
    public record Replacement(RoleBinding existing, RoleBinding desired) {
    }

    private BindingDiff() {
    }

    /** The RoleBinding object for a desired binding. */
    public static RoleBinding toRoleBinding(DesiredBinding d, String engineer, Subject subject, OwnerReference owner) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY);
        labels.put(ManagedBindings.ENGINEER_LABEL, engineer);
        labels.put(ManagedBindings.LEVEL_LABEL, d.level());
        ObjectMetaBuilder meta = new ObjectMetaBuilder().withName(d.name()).withNamespace(d.namespace()).withLabels(labels)
                .withOwnerReferences(owner);
        if (d.expiry() != null) {
            meta.withAnnotations(Map.of(ManagedBindings.EXPIRY_ANNOTATION, d.expiry().toString()));
        }
        return new RoleBindingBuilder()
                .withMetadata(meta.build())
                .withRoleRef(new RoleRefBuilder().withApiGroup(RBAC_GROUP).withKind("ClusterRole").withName(d.clusterRole()).build())
                .withSubjects(subjectOf(subject))
                .build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.Subject subjectOf(Subject subject) {
        return new SubjectBuilder().withKind(subject.kind.name()).withName(subject.name).withApiGroup(RBAC_GROUP).build();
    }

    /**
     * The existing bindings whose subject is the one the EngineerAccess names now, and no other: with no decision to
     * make (no valid policy, decision 15), a binding is kept only for the person it is for (decision 74).
     */
    public static List<RoleBinding> forSubject(List<RoleBinding> existing, Subject subject) {
        if (subject == null || subject.kind == null || subject.name == null) {
            return List.of();
        }
        List<io.fabric8.kubernetes.api.model.rbac.Subject> only = List.of(subjectOf(subject));
        return existing.stream().filter(rb -> only.equals(rb.getSubjects())).toList();
    }

    /**
     * The bindings some policy could justify (decision 78): an Admin binding only while Admin is possible, a Deploy
     * binding while Deploy or Admin is (Admin's bindings can include the Deploy role's).
     */
    public static List<RoleBinding> withinReach(List<RoleBinding> existing, AnyPolicy.Most most) {
        return existing.stream().filter(rb -> ManagedBindings.isAdmin(rb) ? most.admin() : most.deploy() || most.admin()).toList();
    }

    public static Changes diff(List<RoleBinding> desired, List<RoleBinding> existing) {
        Map<String, RoleBinding> have = new HashMap<>();
        for (RoleBinding rb : existing) {
            have.put(key(rb), rb);
        }
        List<RoleBinding> create = new ArrayList<>();
        List<Replacement> replace = new ArrayList<>();
        List<RoleBinding> update = new ArrayList<>();
        for (RoleBinding want : desired) {
            RoleBinding got = have.remove(key(want));
            if (got == null) {
                create.add(want);
            } else if (!sameRoleRef(want.getRoleRef(), got.getRoleRef())) {
                replace.add(new Replacement(got, want));
            } else if (!ownedPartsEqual(want, got)) {
                update.add(corrected(want, got));
            }
        }
        List<RoleBinding> delete = new ArrayList<>(have.values());
        delete.sort((a, b) -> key(a).compareTo(key(b)));
        return new Changes(create, replace, update, delete);
    }

    /**
     * The wanted bindings, where one needs a ClusterRole the operator may not bind (decision 45): the existing binding
     * of that name stays exactly as it is when it gives the same access (the same role and the same subjects), since
     * it can be neither corrected nor made again; one that gives anything else (another role, another subject) is not
     * wanted, and so is removed, which needs no bind right (decision 74).
     */
    public static List<RoleBinding> keepingUnbindable(List<RoleBinding> wanted, List<RoleBinding> existing, Set<String> unbindableRoles) {
        if (unbindableRoles.isEmpty()) {
            return wanted;
        }
        List<RoleBinding> out = new ArrayList<>();
        List<RoleBinding> needRights = new ArrayList<>();
        for (RoleBinding want : wanted) {
            (unbindableRoles.contains(want.getRoleRef().getName()) ? needRights : out).add(want);
        }
        out.addAll(alreadyHeld(needRights, existing));
        return out;
    }

    /**
     * Of the existing bindings, those that give the same access as a wanted one, as they are: nothing new is granted,
     * and a binding that gives other access (another role, another subject) is not kept.
     */
    public static List<RoleBinding> alreadyHeld(List<RoleBinding> wanted, List<RoleBinding> existing) {
        Map<String, RoleBinding> want = new HashMap<>();
        for (RoleBinding rb : wanted) {
            want.put(key(rb), rb);
        }
        return existing.stream().filter(got -> want.containsKey(key(got)) && sameAccess(want.get(key(got)), got)).toList();
    }

    /** Whether an existing binding gives exactly the access of a wanted one of its name: the same role and subjects. */
    public static boolean sameAccess(RoleBinding want, RoleBinding got) {
        return sameRoleRef(want.getRoleRef(), got.getRoleRef()) && Objects.equals(want.getSubjects(), got.getSubjects());
    }

    /** The expiry annotation of an existing binding, if it has a readable one. */
    public static Instant expiryOf(RoleBinding rb) {
        Map<String, String> annotations = rb.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(ManagedBindings.EXPIRY_ANNOTATION);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            return null;
        }
    }

    public static String key(RoleBinding rb) {
        return rb.getMetadata().getNamespace() + "/" + rb.getMetadata().getName();
    }

    private static boolean sameRoleRef(RoleRef a, RoleRef b) {
        return b != null && Objects.equals(a.getName(), b.getName()) && Objects.equals(a.getKind(), b.getKind())
                && Objects.equals(a.getApiGroup(), b.getApiGroup());
    }

    private static boolean ownedPartsEqual(RoleBinding want, RoleBinding got) {
        return Objects.equals(want.getSubjects(), got.getSubjects())
                && sameOwners(want.getMetadata().getOwnerReferences(), got.getMetadata().getOwnerReferences())
                && ourEntries(want.getMetadata().getLabels(), true).equals(ourEntries(got.getMetadata().getLabels(), true))
                && ourEntries(want.getMetadata().getAnnotations(), false).equals(ourEntries(got.getMetadata().getAnnotations(), false));
    }

    private static boolean sameOwners(List<OwnerReference> want, List<OwnerReference> got) {
        if (got == null || want.size() != got.size()) {
            return false;
        }
        for (int i = 0; i < want.size(); i++) {
            OwnerReference w = want.get(i);
            OwnerReference g = got.get(i);
            if (!Objects.equals(w.getUid(), g.getUid()) || !Objects.equals(w.getKind(), g.getKind())
                    || !Objects.equals(w.getName(), g.getName()) || !Objects.equals(w.getApiVersion(), g.getApiVersion())
                    || !Objects.equals(w.getController(), g.getController())
                    || !Objects.equals(w.getBlockOwnerDeletion(), g.getBlockOwnerDeletion())) {
                return false;
            }
        }
        return true;
    }

    /** Our label keys (managed-by and the access.govuk.digital ones) or our annotation. */
    private static Map<String, String> ourEntries(Map<String, String> map, boolean labels) {
        Map<String, String> out = new HashMap<>();
        if (map == null) {
            return out;
        }
        map.forEach((k, v) -> {
            boolean ours = labels ? k.equals(ManagedBindings.MANAGED_BY_LABEL) || k.startsWith("access.govuk.digital/")
                    : k.equals(ManagedBindings.EXPIRY_ANNOTATION);
            if (ours) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The existing binding with our parts set as wanted; its resourceVersion stays for an optimistic update. */
    private static RoleBinding corrected(RoleBinding want, RoleBinding got) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (got.getMetadata().getLabels() != null) {
            got.getMetadata().getLabels().forEach((k, v) -> {
                if (!(k.equals(ManagedBindings.MANAGED_BY_LABEL) || k.startsWith("access.govuk.digital/"))) {
                    labels.put(k, v);
                }
            });
        }
        labels.putAll(want.getMetadata().getLabels());
        Map<String, String> annotations = new LinkedHashMap<>();
        if (got.getMetadata().getAnnotations() != null) {
            got.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!k.equals(ManagedBindings.EXPIRY_ANNOTATION)) {
                    annotations.put(k, v);
                }
            });
        }
        if (want.getMetadata().getAnnotations() != null) {
            annotations.putAll(want.getMetadata().getAnnotations());
        }
        return new RoleBindingBuilder(got)
                .editMetadata().withLabels(labels).withAnnotations(annotations.isEmpty() ? null : annotations)
                .withOwnerReferences(want.getMetadata().getOwnerReferences()).endMetadata()
                .withSubjects(want.getSubjects())
                .build();
    }
}
