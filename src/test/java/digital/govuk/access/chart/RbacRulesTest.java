package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import digital.govuk.access.operator.AccessPolicyReconciler;
import digital.govuk.access.operator.EngineerAccessReconciler;
import digital.govuk.access.operator.runtime.Leadership;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.annotations.RBACRule;

/**
 * The ClusterRole the chart renders is what the operator runs with (the real-API-server tests prove it is
 * enough). It must be exactly the @RBACRule declarations on the reconcilers, so the two cannot drift apart and
 * nothing else slips in; and the Lease is reached only through a Role in the release namespace, by its name.
 * Rules are compared flattened to "group|resource|name|verb" (name "*" when the rule names none).
 */
class RbacRulesTest {
    static final List<Class<? extends Reconciler<?>>> RECONCILERS = List.of(EngineerAccessReconciler.class,
            AccessPolicyReconciler.class);

    static Set<String> flatten(String group, List<String> resources, List<String> names, List<String> verbs) {
        Set<String> out = new TreeSet<>();
        for (String resource : resources) {
            for (String verb : verbs) {
                for (String name : names.isEmpty() ? List.of("*") : names) {
                    out.add(group + "|" + resource + "|" + name + "|" + verb);
                }
            }
        }
        return out;
    }

    static Set<String> rules(ClusterRole role) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            for (String group : r.getApiGroups()) {
                out.addAll(flatten(group, r.getResources(), r.getResourceNames() == null ? List.of() : r.getResourceNames(),
                        r.getVerbs()));
            }
        }
        return out;
    }

    static Set<String> chartRules() {
        return rules(Chart.render().one("ClusterRole", ClusterRole.class));
    }

    static Set<String> declaredRules() {
        Set<String> out = new TreeSet<>();
        for (RBACRule r : RECONCILERS.stream().flatMap(c -> Arrays.stream(c.getAnnotationsByType(RBACRule.class))).toList()) {
            for (String group : r.apiGroups()) {
                out.addAll(flatten(group, List.of(r.resources()), List.of(r.resourceNames()), List.of(r.verbs())));
            }
        }
        return out;
    }

    @Test
    void chartRoleIsExactlyTheDeclaredRules() {
        assertThat(chartRules()).isEqualTo(declaredRules());
    }

    @Test
    void ownResourcesAreReadAndOnlyTheirStatusIsWritten() {
        // Never created, changed or deleted: only the status subresource is written, with a plain update.
        Set<String> own = new TreeSet<>();
        for (Class<? extends Reconciler<?>> reconciler : RECONCILERS) {
            Class<? extends HasMetadata> primary = primaryResource(reconciler);
            String prefix = HasMetadata.getGroup(primary) + "|" + HasMetadata.getPlural(primary);
            chartRules().stream().filter(r -> r.startsWith(prefix + "|") || r.startsWith(prefix + "/")).forEach(own::add);
            assertThat(own).as("the operator watches its %s", HasMetadata.getPlural(primary))
                    .contains(prefix + "|*|list", prefix + "|*|watch", prefix + "/status|*|update");
        }
        assertThat(own).allSatisfy(rule -> {
            String[] parts = rule.split("\\|");
            if (parts[1].endsWith("/status")) {
                assertThat(parts[3]).as(rule).isEqualTo("update");
            } else {
                assertThat(parts[3]).as(rule).isIn("get", "list", "watch");
            }
        });
    }

    @Test
    void theLeaseIsReachedOnlyThroughARoleInTheReleaseNamespaceLimitedToItsName() {
        Chart.Rendered r = Chart.render("leaderElection: {leaseName: access-leader}", null);
        assertThat(rules(r.one("ClusterRole", ClusterRole.class))).as("no Lease rule in the ClusterRole")
                .noneMatch(rule -> rule.startsWith("coordination.k8s.io|"));
        Role role = r.one("Role", Role.class);
        assertThat(role.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        Set<String> expected = new TreeSet<>(flatten("coordination.k8s.io", List.of("leases"), List.of("access-leader"),
                Leadership.LEASE_VERBS));
        expected.addAll(flatten("coordination.k8s.io", List.of("leases"), List.of(), Leadership.LEASE_CREATE));
        Set<String> granted = new TreeSet<>();
        for (PolicyRule rule : role.getRules()) {
            for (String group : rule.getApiGroups()) {
                granted.addAll(flatten(group, rule.getResources(), rule.getResourceNames() == null ? List.of() : rule.getResourceNames(),
                        rule.getVerbs()));
            }
        }
        assertThat(granted).isEqualTo(expected);
        assertThat(granted).as("only create, which cannot name the Lease, is not limited to it")
                .filteredOn(g -> g.contains("|*|")).containsExactly("coordination.k8s.io|leases|*|create");
        RoleBinding binding = r.one("RoleBinding", RoleBinding.class);
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(r.one("ServiceAccount", ServiceAccount.class).getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
        });
        Chart.Rendered single = Chart.render("{replicas: 1, leaderElection: {enabled: false}}", null);
        assertThat(single.has("Role") || single.has("RoleBinding")).as("no election, no Lease").isFalse();
    }

    @SuppressWarnings("unchecked")
    static Class<? extends HasMetadata> primaryResource(Class<?> reconciler) {
        for (Type t : reconciler.getGenericInterfaces()) {
            if (t instanceof ParameterizedType p && p.getRawType() == Reconciler.class) {
                return (Class<? extends HasMetadata>) p.getActualTypeArguments()[0];
            }
        }
        throw new AssertionError(reconciler + " does not implement Reconciler<T> directly");
    }

    @Test
    void bindIsLimitedToThePolicyClusterRoles() {
        Set<String> chart = chartRules();
        assertThat(chart.stream().filter(r -> r.endsWith("|bind"))).containsExactlyInAnyOrder(
                "rbac.authorization.k8s.io|clusterroles|production-deploy|bind",
                "rbac.authorization.k8s.io|clusterroles|production-admin|bind");
        assertThat(chart).noneMatch(r -> r.contains("|escalate") || r.contains("|*|*") || r.startsWith("*|"));
        assertThat(chart).noneMatch(r -> Arrays.asList("secrets", "clusterrolebindings", "roles", "clusterroles")
                .contains(r.split("\\|")[1]) && !r.endsWith("|bind")
                // Reading ClusterRoleBindings finds production access the operator did not grant (never changed).
                && !r.equals("rbac.authorization.k8s.io|clusterrolebindings|*|list"));
    }
}
