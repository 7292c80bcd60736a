package digital.govuk.access.bindings;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/**
 * Whose a RoleBinding is, as far as one EngineerAccess is concerned. The operator changes or deletes
 * only bindings that are {@link Owner#THIS} (our managed-by label and an owner reference to this
 * EngineerAccess's UID) or {@link Owner#PREDECESSOR}; everything else in the cluster is read-only to it.
 */
public final class Ownership {
    public enum Owner {
        /** Our managed-by label, our engineer label, and an owner reference to this EngineerAccess's UID. */
        THIS,
        /**
         * Our managed-by label and engineer label, and an owner reference to an EngineerAccess of the same name
         * with another UID: left by an earlier EngineerAccess of that name (deleted and created again before
         * the garbage collector removed its bindings). The label and the name say it is ours: it is adopted.
         */
        PREDECESSOR,
        /** Anything else: made by someone else, or no longer carrying our marks. Never changed or deleted. */
        OTHER
    }

    private Ownership() {
    }

    public static Owner of(RoleBinding rb, String engineer, String uid) {
        Map<String, String> labels = rb.getMetadata().getLabels();
        if (labels == null || !ManagedBindings.MANAGED_BY.equals(labels.get(ManagedBindings.MANAGED_BY_LABEL))
                || !engineer.equals(labels.get(ManagedBindings.ENGINEER_LABEL))) {
            return Owner.OTHER;
        }
        List<OwnerReference> owners = rb.getMetadata().getOwnerReferences();
        if (owners == null) {
            return Owner.OTHER;
        }
        boolean predecessor = false;
        for (OwnerReference o : owners) {
            if (!"EngineerAccess".equals(o.getKind()) || o.getApiVersion() == null
                    || !o.getApiVersion().startsWith(digital.govuk.access.api.v1alpha1.EngineerAccess.GROUP + "/")) {
                continue;
            }
            if (uid != null && uid.equals(o.getUid())) {
                return Owner.THIS;
            }
            predecessor |= engineer.equals(o.getName());
        }
        return predecessor && owners.size() == 1 ? Owner.PREDECESSOR : Owner.OTHER;
    }

    /** Whether the operator may change or delete this binding on behalf of the EngineerAccess. */
    public static boolean mayManage(RoleBinding rb, String engineer, String uid) {
        return of(rb, engineer, uid) != Owner.OTHER;
    }
}
