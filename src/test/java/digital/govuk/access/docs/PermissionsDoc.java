package digital.govuk.access.docs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import digital.govuk.access.chart.Chart;
import digital.govuk.access.rules.EffectivePolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;

/**
 * docs/permissions.md: what Production Deploy and Production Admin may do, resource by resource and verb by
 * verb, read from the example ClusterRoles the Helm chart renders (the permissions table the rules mention); and
 * what the operator itself may do, from its ClusterRole and leader election Role.
 */
final class PermissionsDoc {
    static final String FILE = "docs/permissions.md";
    /** The verbs in the order a reader expects them; any other verb follows in the order the roles name it. */
    static final String RBAC_GROUP = "rbac.authorization.k8s.io";
    private static final List<String> VERBS = List.of("get", "list", "watch", "create", "update", "patch", "delete");

    private PermissionsDoc() {
    }

    static String render() {
        Chart.Rendered chart = Chart.render("policyClusterRoles:\n  create: true\n", null);
        ClusterRole deploy = chart.named("ClusterRole", EffectivePolicy.DEFAULT_DEPLOY_ROLE, ClusterRole.class);
        ClusterRole admin = chart.named("ClusterRole", EffectivePolicy.DEFAULT_ADMIN_ROLE, ClusterRole.class);
        Map<String, Set<String>> deployVerbs = verbs(deploy);
        Map<String, Set<String>> adminVerbs = verbs(admin);
        Set<String> resources = new LinkedHashSet<>(deployVerbs.keySet());
        resources.addAll(adminVerbs.keySet());
        List<String> verbs = new ArrayList<>(VERBS);
        for (Map<String, Set<String>> role : List.of(deployVerbs, adminVerbs)) {
            role.values().forEach(vs -> vs.stream().filter(v -> !verbs.contains(v)).forEach(verbs::add));
        }

        StringBuilder out = new StringBuilder(GeneratedDocs.header(
                "the chart's example ClusterRoles, helm/engineer-access-operator/templates/policy-clusterroles.yaml, and the"
                        + " operator's own ClusterRole and Role"));
        out.append("""
                # What Production Deploy and Production Admin may do

                The permissions table the [access rules](access-rules.md) mention, read from the example ClusterRoles
                the chart installs with `policyClusterRoles.create=true` (`%s` and `%s`, the same as
                [examples/02-cluster-roles.yaml](../examples/02-cluster-roles.yaml)). The operator binds them with
                RoleBindings, so they apply only in the namespaces the AccessPolicy selects, and never to cluster-scoped
                objects. If you bring your own roles, this page does not describe them.

                """.formatted(deploy.getMetadata().getName(), admin.getMetadata().getName()));
        boolean rbac = resources.stream().anyMatch(r -> r.startsWith(RBAC_GROUP + " "));
        out.append(rbac ? "**One of the roles holds rights on RBAC resources: an engineer with it can grant access the operator"
                + " does not know about.**\n\n"
                : "Neither role holds any right on RBAC resources (Roles, RoleBindings), so neither can grant access the operator"
                        + " does not know about.\n\n");
        out.append("| resource | API group |");
        verbs.forEach(v -> out.append(' ').append(v).append(" |"));
        out.append("\n|---|---|");
        verbs.forEach(v -> out.append("---|"));
        out.append('\n');
        for (String key : resources) {
            String[] groupResource = key.split(" ", 2);
            out.append("| `").append(groupResource[1]).append("` | ").append(groupResource[0].isEmpty() ? "core" : groupResource[0])
                    .append(" |");
            for (String verb : verbs) {
                boolean d = deployVerbs.getOrDefault(key, Set.of()).contains(verb);
                boolean a = adminVerbs.getOrDefault(key, Set.of()).contains(verb);
                out.append(' ').append(d && a ? "Deploy, Admin" : d ? "Deploy" : a ? "Admin" : "").append(" |");
            }
            out.append('\n');
        }
        out.append("""

                "Deploy, Admin": both roles may; "Admin": Production Admin only; empty: neither. Subresources
                (`pods/exec`, `deployments/scale`) are rows of their own, as RBAC treats them.
                """);
        out.append(operatorRights());
        return out.toString();
    }

    /** The operator's own rights: its ClusterRole (the @RBACRules) and its leader election Role, rule by rule. */
    static String operatorRights() {
        Chart.Rendered chart = Chart.render();
        StringBuilder out = new StringBuilder("""

                ## What the operator itself may do

                Every right the chart gives the operator's ServiceAccount, read from its ClusterRole
                (`templates/clusterrole.yaml`, exactly the `@RBACRule`s in the code) and its leader election Role
                (`templates/leader-election-rbac.yaml`). It holds neither role above: it may only `bind` them. It never
                changes its own EngineerAccess and AccessPolicy objects, only their status; it never patches a
                RoleBinding; and it reaches one Lease, by name, in its own namespace.

                | resource | API group | only these names | where | verbs |
                |---|---|---|---|---|
                """);
        rows(out, chart.one("ClusterRole", ClusterRole.class).getRules(), "the whole cluster");
        rows(out, chart.one("Role", Role.class).getRules(), "the release namespace");
        return out.toString();
    }

    private static void rows(StringBuilder out, List<PolicyRule> rules, String where) {
        for (PolicyRule rule : rules) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    List<String> names = rule.getResourceNames() == null ? List.of() : rule.getResourceNames();
                    out.append("| `").append(resource).append("` | ").append(group.isEmpty() ? "core" : group).append(" | ")
                            .append(names.isEmpty() ? "" : "`" + String.join("`, `", names) + "`").append(" | ").append(where)
                            .append(" | ").append(String.join(", ", rule.getVerbs())).append(" |\n");
                }
            }
        }
    }

    /** The verbs a role allows, by "apiGroup resource", in the order its rules name them. */
    private static Map<String, Set<String>> verbs(ClusterRole role) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    out.computeIfAbsent(group + " " + resource, k -> new LinkedHashSet<>()).addAll(rule.getVerbs());
                }
            }
        }
        return out;
    }
}
