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
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.annotations.RBACRule;

/**
 * The ClusterRole the chart renders is what the operator runs with (the real-API-server tests prove it is
 * enough). It must be exactly the @RBACRule declarations on the reconciler plus the rights on the
 * operator's own custom resources that QOSDK needs (read, patch and update them, their status, and the
 * finalizers of a Cleaner's resource), so the two cannot drift apart and nothing else slips in.
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
        for (RBACRule r : java.util.stream.Stream.of(EngineerAccessReconciler.class, AccessPolicyReconciler.class)
                .flatMap(c -> Arrays.stream(c.getAnnotationsByType(RBACRule.class))).toList()) {
            for (String group : r.apiGroups()) {
                out.addAll(flatten(group, List.of(r.resources()), List.of(r.resourceNames()), List.of(r.verbs())));
            }
        }
        return out;
    }

    /** The operator's own resources: read and write (never create or delete), status, and a Cleaner's finalizers. */
    static Set<String> ownResourceRules() {
        Set<String> out = new TreeSet<>();
        for (Class<? extends Reconciler<?>> reconciler : RECONCILERS) {
            Class<? extends HasMetadata> primary = primaryResource(reconciler);
            String group = HasMetadata.getGroup(primary);
            String plural = HasMetadata.getPlural(primary);
            out.addAll(flatten(group, List.of(plural), List.of(), List.of("get", "list", "watch", "patch", "update")));
            out.addAll(flatten(group, List.of(plural + "/status"), List.of(), List.of("get", "patch", "update")));
            if (Cleaner.class.isAssignableFrom(reconciler)) {
                out.addAll(flatten(group, List.of(plural + "/finalizers"), List.of(), List.of("patch", "update")));
            }
        }
        return out;
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
    void chartRoleIsExactlyTheDeclaredRulesAndTheOperatorsOwnResources() {
        Set<String> expected = new TreeSet<>(declaredRules());
        expected.addAll(ownResourceRules());
        assertThat(chartRules()).isEqualTo(expected);
    }

    @Test
    void ownResourcesAreNeverCreatedOrDeleted() {
        assertThat(ownResourceRules()).noneMatch(r -> r.endsWith("|create") || r.endsWith("|delete") || r.endsWith("|*"));
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
