package digital.govuk.access.bindings;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.EffectivePolicy;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/** The RoleBindings a decision calls for: names, labels and annotations as docs/api.md says. */
public final class ManagedBindings {
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "engineer-access-operator";
    public static final String ENGINEER_LABEL = "access.govuk.digital/engineer";
    public static final String LEVEL_LABEL = "access.govuk.digital/level";
    public static final String EXPIRY_ANNOTATION = "access.govuk.digital/expiry-time";
    public static final String DEPLOY = "deploy";
    public static final String ADMIN = "admin";

    private ManagedBindings() {
    }

    public static String bindingName(String engineer, String level) {
        return engineer + "-" + level;
    }

    /** Whether a managed binding is one of the Admin bindings (its level label says admin). */
    public static boolean isAdmin(RoleBinding rb) {
        return rb.getMetadata().getLabels() != null && ADMIN.equals(rb.getMetadata().getLabels().get(LEVEL_LABEL));
    }

    /**
     * The bindings for one engineer. Deploy bindings exist when the Deploy rules hold on their own, or
     * with Admin when the policy's admin.includeDeploy is true; Admin bindings exist with Admin. A Deploy
     * binding that exists only through a time-limited Admin grant expires with it. Namespaces being
     * deleted get no new bindings.
     */
    public static List<DesiredBinding> desired(String engineer, Decision decision, EffectivePolicy policy,
            Collection<NamespaceInfo> namespaces) {
        List<DesiredBinding> out = new ArrayList<>();
        if (!decision.specValid()) {
            return out;
        }
        boolean admin = decision.level() == Level.Admin;
        boolean deploy = decision.deployOnItsOwn() || (admin && policy.includeDeploy());
        for (NamespaceInfo ns : namespaces) {
            if (ns.terminating()) {
                continue;
            }
            if (deploy && policy.deployNamespaces().matches(ns.labels())) {
                out.add(new DesiredBinding(ns.name(), bindingName(engineer, DEPLOY), DEPLOY, policy.deployClusterRole(),
                        decision.deployOnItsOwn() ? null : decision.accessExpiryTime()));
            }
            if (admin && policy.adminNamespaces().matches(ns.labels())) {
                out.add(new DesiredBinding(ns.name(), bindingName(engineer, ADMIN), ADMIN, policy.adminClusterRole(),
                        decision.accessExpiryTime()));
            }
        }
        out.sort(Comparator.comparing(DesiredBinding::namespace).thenComparing(DesiredBinding::name));
        return out;
    }

    /** How a binding appears in status.bindings. */
    public static BindingStatus toStatus(DesiredBinding b) {
        return new BindingStatus(b.namespace(), b.name(), b.clusterRole(), b.expiry() == null ? null : b.expiry().toString());
    }
}
