package digital.govuk.access.rules;

import java.util.regex.Pattern;

/** Kubernetes object name rules that matter to the bindings the operator writes. */
public final class ObjectNames {
    private static final Pattern CLUSTER_ROLE = Pattern.compile("[^/%]+");

    private ObjectNames() {
    }

    /** A valid RBAC object name (path segment: no '/' or '%'). */
    public static boolean isValidName(String name) {
        return name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..") && CLUSTER_ROLE.matcher(name).matches();
    }
}
