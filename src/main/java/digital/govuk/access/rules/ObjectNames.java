package digital.govuk.access.rules;

import java.util.regex.Pattern;

/** Kubernetes object name rules that matter to the bindings the operator writes. */
public final class ObjectNames {
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern CLUSTER_ROLE = Pattern.compile("[^/%]+");

    private ObjectNames() {
    }

    /** A DNS subdomain name, as a RoleBinding name must be (at most 253 characters). */
    public static boolean isDnsSubdomain(String name) {
        return name != null && name.length() <= 253 && SUBDOMAIN.matcher(name).matches();
    }

    /** A valid RBAC object name (path segment: no '/' or '%'). */
    public static boolean isValidName(String name) {
        return name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..") && CLUSTER_ROLE.matcher(name).matches();
    }
}
