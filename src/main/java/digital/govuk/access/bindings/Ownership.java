package digital.govuk.access.bindings;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/**
 * Whose a RoleBinding is, as far as one EngineerAccess is concerned. The operator changes or deletes
 * only bindings that are {@link Owner#THIS} (our managed-by label and an owner reference to this
 * EngineerAccess's UID) or {@link Owner#CLAIMED}; everything else in the cluster is read-only to it.
 */
public final class Ownership {
    public enum Owner {
        /** Our managed-by label, our engineer label, and an owner reference to this EngineerAccess's UID. */
        THIS,
        /**
         * Our managed-by label and this engineer's label, but no owner reference to this EngineerAccess: left by an
         * earlier EngineerAccess of that name (deleted and created again before the garbage collector removed its
         * bindings), orphaned ({@code kubectl delete --cascade=orphan}), or stripped of its owner reference by hand.
         * The labels say it is this engineer's, so it is claimed: corrected to name this owner when the decision
         * wants it, deleted when it does not. Access never outlives the rule that justified it because a reference
         * was removed.
         */
        CLAIMED,
        /** Anything else: made by someone else, or no longer carrying our labels. Never changed or deleted. */
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
        for (OwnerReference o : owners == null ? List.<OwnerReference>of() : owners) {
            if (uid != null && uid.equals(o.getUid()) && "EngineerAccess".equals(o.getKind()) && o.getApiVersion() != null
                    && o.getApiVersion().startsWith(digital.govuk.access.api.v1alpha1.EngineerAccess.GROUP + "/")) {
                return Owner.THIS;
            }
        }
        return Owner.CLAIMED;
    }

    /** The engineer a binding's label names, or null. */
    public static String engineerOf(RoleBinding rb) {
        Map<String, String> labels = rb.getMetadata().getLabels();
        return labels == null ? null : labels.get(ManagedBindings.ENGINEER_LABEL);
    }

    /** Whether a binding carries our managed-by label: the operator's, whoever (if anyone) still owns it. */
    public static boolean managed(RoleBinding rb) {
        Map<String, String> labels = rb.getMetadata().getLabels();
        return labels != null && ManagedBindings.MANAGED_BY.equals(labels.get(ManagedBindings.MANAGED_BY_LABEL));
    }

    /** Whether the operator may change or delete this binding on behalf of the EngineerAccess. */
    public static boolean mayManage(RoleBinding rb, String engineer, String uid) {
        return of(rb, engineer, uid) != Owner.OTHER;
    }
}
