package digital.govuk.access.bindings;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.rules.Values;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

/**
 * Production access no EngineerAccess explains: every RoleBinding and ClusterRoleBinding that binds the
 * policy's Deploy or Admin ClusterRole and that the operator did not make. The answer to an auditor's "who
 * else can do this?". Only read: the operator never changes or deletes these (decision 27).
 */
public final class Unexplained {
    /** How many subjects {@link Grant#line()} names before it says how many more there are. */
    public static final int SUBJECTS_IN_A_LINE = 3;

    /**
     * One binding that grants production access outside the operator's records. Values are as the cluster holds
     * them (not cut): show them through {@link #where()}, {@link #subjects(int)} and {@link #line()}.
     *
     * @param kind        {@code RoleBinding} or {@code ClusterRoleBinding}
     * @param namespace   the RoleBinding's namespace; null for a ClusterRoleBinding (every namespace)
     * @param name        the binding's name
     * @param clusterRole the ClusterRole it binds
     * @param subjects    whom it binds, in the binding's order: {@code User jane}, {@code Group x},
     *                    {@code ServiceAccount ns/name}
     */
    public record Grant(String kind, String namespace, String name, String clusterRole, List<String> subjects) {
        public Grant {
            subjects = List.copyOf(subjects);
        }

        /** {@code namespace/name} for a RoleBinding, the name for a ClusterRoleBinding; cut for a message. */
        public String where() {
            return namespace == null ? Values.cut(name) : Values.cut(namespace) + "/" + Values.cut(name);
        }

        /**
         * The first {@code max} subjects, each cut, and how many more: {@code User a, Group b and 3 more};
         * {@code no one} when the binding has no subjects.
         */
        public String subjects(int max) {
            if (subjects.isEmpty()) {
                return "no one";
            }
            List<String> shown = new ArrayList<>();
            for (String s : subjects.subList(0, Math.min(max, subjects.size()))) {
                shown.add(Values.cut(s));
            }
            if (subjects.size() > max) {
                shown.add((subjects.size() - max) + " more");
            }
            return Values.and(shown);
        }

        /**
         * The grant in one line, for a status message or a report:
         * {@code apps/fay-admin grants production-admin to User fay@example.gov.uk}, or
         * {@code ClusterRoleBinding ops grants production-admin in every namespace to Group ops}.
         */
        public String line() {
            String role = Values.cut(clusterRole);
            String to = " to " + subjects(SUBJECTS_IN_A_LINE);
            return namespace == null
                    ? "ClusterRoleBinding " + where() + " grants " + role + " in every namespace" + to
                    : where() + " grants " + role + to;
        }
    }

    public static final String ROLE_BINDING = "RoleBinding";
    public static final String CLUSTER_ROLE_BINDING = "ClusterRoleBinding";

    private static final Comparator<Grant> ORDER = Comparator
            .comparing((Grant g) -> g.namespace() != null)
            .thenComparing(g -> Objects.requireNonNullElse(g.namespace(), ""))
            .thenComparing(g -> Objects.requireNonNullElse(g.name(), ""))
            .thenComparing(Grant::kind)
            .thenComparing(g -> Objects.requireNonNullElse(g.clusterRole(), ""))
            .thenComparing(g -> String.join("\n", g.subjects()));

    private Unexplained() {
    }

    /**
     * The bindings of any of {@code roles} (ClusterRoles) the operator did not make: ClusterRoleBindings first
     * (the operator makes none), then RoleBindings by namespace and name.
     */
    public static List<Grant> find(Collection<RoleBinding> roleBindings, Collection<ClusterRoleBinding> clusterRoleBindings,
            Set<String> roles) {
        List<Grant> out = new ArrayList<>();
        for (ClusterRoleBinding crb : clusterRoleBindings) {
            String role = boundRole(crb.getRoleRef(), roles);
            if (role != null) {
                out.add(new Grant(CLUSTER_ROLE_BINDING, null, name(crb.getMetadata()), role, subjects(crb.getSubjects(), null)));
            }
        }
        for (RoleBinding rb : roleBindings) {
            String role = boundRole(rb.getRoleRef(), roles);
            if (role != null && !madeByOperator(rb)) {
                out.add(grant(rb, role));
            }
        }
        out.sort(ORDER);
        return out;
    }

    /** What a RoleBinding grants: its ClusterRole (or Role) to its subjects. */
    public static Grant grantOf(RoleBinding rb) {
        return grant(rb, rb.getRoleRef() == null ? "no role" : rb.getRoleRef().getName());
    }

    private static Grant grant(RoleBinding rb, String role) {
        String namespace = rb.getMetadata() == null ? null : rb.getMetadata().getNamespace();
        return new Grant(ROLE_BINDING, Objects.requireNonNullElse(namespace, ""), name(rb.getMetadata()), role,
                subjects(rb.getSubjects(), namespace));
    }

    /**
     * Whether this RoleBinding could be an unexplained grant of one of {@code roles}: it binds one, and the operator
     * did not make it. A reader that pages through every binding keeps only these, so the operator's own (most of
     * them) are never held all at once.
     */
    public static boolean candidate(RoleBinding rb, Set<String> roles) {
        return boundRole(rb.getRoleRef(), roles) != null && !madeByOperator(rb);
    }

    /**
     * Whether the operator made this RoleBinding: our managed-by label, our engineer label, and a controller owner
     * reference to the EngineerAccess that label names. Anything less (a label removed or added by hand, an owner
     * reference missing or to something else) is someone else's binding, whatever it is named.
     */
    public static boolean madeByOperator(RoleBinding rb) {
        ObjectMeta meta = rb.getMetadata();
        Map<String, String> labels = meta == null ? null : meta.getLabels();
        if (labels == null || !ManagedBindings.MANAGED_BY.equals(labels.get(ManagedBindings.MANAGED_BY_LABEL))) {
            return false;
        }
        String engineer = labels.get(ManagedBindings.ENGINEER_LABEL);
        if (engineer == null || engineer.isEmpty() || meta.getOwnerReferences() == null) {
            return false;
        }
        for (OwnerReference o : meta.getOwnerReferences()) {
            if (o != null && Boolean.TRUE.equals(o.getController()) && "EngineerAccess".equals(o.getKind())
                    && o.getApiVersion() != null && o.getApiVersion().startsWith(EngineerAccess.GROUP + "/")
                    && engineer.equals(o.getName())) {
                return true;
            }
        }
        return false;
    }

    private static String boundRole(RoleRef ref, Set<String> roles) {
        if (ref == null || !"ClusterRole".equals(ref.getKind()) || ref.getName() == null || !roles.contains(ref.getName())) {
            return null;
        }
        return ref.getName();
    }

    private static String name(ObjectMeta meta) {
        return meta == null || meta.getName() == null ? "" : meta.getName();
    }

    /** Subjects as words; a ServiceAccount without a namespace is in the binding's own (as the API server reads it). */
    private static List<String> subjects(List<Subject> subjects, String bindingNamespace) {
        List<String> out = new ArrayList<>();
        for (Subject s : subjects == null ? List.<Subject>of() : subjects) {
            if (s == null) {
                continue;
            }
            String kind = s.getKind() == null || s.getKind().isEmpty() ? "(no kind)" : s.getKind();
            String name = Objects.requireNonNullElse(s.getName(), "");
            if ("ServiceAccount".equals(kind)) {
                String ns = s.getNamespace() == null || s.getNamespace().isEmpty() ? bindingNamespace : s.getNamespace();
                name = ns == null ? name : ns + "/" + name;
            }
            out.add(kind + " " + name);
        }
        return out;
    }
}
