package digital.govuk.access.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import digital.govuk.access.status.StatusBuilder;
import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.RoleTarget;
import digital.govuk.access.bindings.Unexplained;
import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.rules.Values;

/**
 * {@code report --unexplained}: who else holds production access. The bindings of the policy's Deploy and Admin
 * ClusterRoles that the operator did not make, as a table, CSV (the cell rules of {@link Report#csvCell}) or
 * markdown.
 */
final class UnexplainedReport {
    static final String[] HEADER = {"KIND", "NAMESPACE", "NAME", "ROLE", "SUBJECTS"};
    /** A ClusterRoleBinding's namespace cell: it grants in every namespace. */
    static final String ALL_NAMESPACES = "(all)";
    /** How many subjects a table or markdown cell names; the CSV names them all. */
    static final int SUBJECTS_IN_A_CELL = 5;

    /**
     * The ClusterRoles looked for: those of the AccessPolicy named default, or the built-in ones when there is
     * none; and what a reader must know about where they come from ({@code note}, null when nothing).
     */
    record Roles(String deploy, String admin, String note) {
        Set<String> names() {
            return new LinkedHashSet<>(List.of(deploy, admin));
        }

        /** The roles in words: {@code production-deploy and production-admin}. */
        String words() {
            return Values.and(names().stream().map(Values::cut).toList());
        }

        static Roles of(AccessPolicy policy) {
            if (policy == null) {
                EffectivePolicy p = EffectivePolicy.defaults();
                return new Roles(p.deployClusterRole(), p.adminClusterRole(), "there is no AccessPolicy named default, so the"
                        + " built-in ClusterRoles " + p.deployClusterRole() + " and " + p.adminClusterRole() + " are looked for");
            }
            PolicyReader.Result read = PolicyReader.read(policy.getSpec());
            if (read.valid()) {
                return new Roles(read.policy().deployClusterRole(), read.policy().adminClusterRole(), null);
            }
            // An invalid policy freezes access, but the bindings made under it still grant: look for the roles it names.
            AccessPolicySpec spec = policy.getSpec();
            Roles roles = new Roles(named(spec == null ? null : spec.deploy, EffectivePolicy.DEFAULT_DEPLOY_ROLE),
                    named(spec == null ? null : spec.admin, EffectivePolicy.DEFAULT_ADMIN_ROLE), null);
            return new Roles(roles.deploy(), roles.admin(), "the AccessPolicy named default is invalid; the ClusterRoles"
                    + " it names, " + roles.words() + ", are looked for");
        }

        private static String named(RoleTarget target, String fallback) {
            return target == null || target.clusterRole == null || target.clusterRole.isBlank() ? fallback : target.clusterRole;
        }
    }

    private final List<Unexplained.Grant> grants;
    private final Roles roles;
    private final Instant at;

    UnexplainedReport(List<Unexplained.Grant> grants, Roles roles, Instant at) {
        this.grants = grants;
        this.roles = roles;
        this.at = at;
    }

    /** What is printed when every binding of the two roles is the operator's. */
    String none() {
        return "No access outside the operator's records: every binding of " + roles.words() + " was made by the operator.";
    }

    private String[] cells(Unexplained.Grant g, int subjects) {
        return new String[] {g.kind(), g.namespace() == null ? ALL_NAMESPACES : Values.cut(g.namespace()), Values.cut(g.name()),
                Values.cut(g.clusterRole()), g.subjects(subjects)};
    }

    String table() {
        if (grants.isEmpty()) {
            return none() + "\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        grants.forEach(g -> rows.add(cells(g, SUBJECTS_IN_A_CELL)));
        return "Bindings of " + roles.words() + " the operator did not make, at " + StatusBuilder.shown(at) + "\n" + Output.aligned(rows);
    }

    /** RFC 4180, one header row, every subject; the same cell rules as {@code report -o csv}. */
    String csv() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"kind", "namespace", "name", "role", "subjects"});
        grants.forEach(g -> rows.add(cells(g, Integer.MAX_VALUE)));
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            out.append(List.of(row).stream().map(Report::csvCell).collect(Collectors.joining(","))).append("\r\n");
        }
        return out.toString();
    }

    String markdown() {
        StringBuilder out = new StringBuilder("## Production access outside the operator's records at " + StatusBuilder.shown(at) + "\n\nFrom the cluster: the"
                + " RoleBindings and ClusterRoleBindings of " + Output.md(roles.words()) + " that the operator did not make, so that no"
                + " EngineerAccess explains them.\n");
        if (roles.note() != null) {
            out.append("\n> ").append(Output.md(roles.note())).append('\n');
        }
        if (grants.isEmpty()) {
            return out.append('\n').append(Output.md(none())).append('\n').toString();
        }
        out.append("\n| ").append(List.of(HEADER).stream().map(h -> h.charAt(0) + h.substring(1).toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(" | "))).append(" |\n|").append("---|".repeat(HEADER.length)).append('\n');
        for (Unexplained.Grant g : grants) {
            out.append("| ").append(List.of(cells(g, SUBJECTS_IN_A_CELL)).stream().map(Output::md).collect(Collectors.joining(" | ")))
                    .append(" |\n");
        }
        return out.toString();
    }
}
