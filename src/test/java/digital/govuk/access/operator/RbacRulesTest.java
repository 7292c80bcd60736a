package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkiverse.operatorsdk.annotations.RBACRule;

/**
 * The chart's ClusterRole is what the operator runs with (the real-API-server tests prove it is enough).
 * This checks it against the @RBACRule declarations, so the two cannot drift apart, and that it grants
 * nothing beyond them and the operator's own custom resources.
 */
class RbacRulesTest {
    static final Path CHART_ROLE = Path.of("helm/engineer-access-operator/templates/clusterrole.yaml");

    static Set<String> flatten(String group, String[] resources, String[] names, String[] verbs) {
        Set<String> out = new TreeSet<>();
        for (String resource : resources) {
            for (String verb : verbs) {
                if (names.length == 0) {
                    out.add(group + "|" + resource + "|*|" + verb);
                }
                for (String name : names) {
                    out.add(group + "|" + resource + "|" + name + "|" + verb);
                }
            }
        }
        return out;
    }

    static Set<String> chartRules() throws IOException {
        ClusterRole role = Serialization.unmarshal(Files.readString(CHART_ROLE), ClusterRole.class);
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            for (String group : r.getApiGroups()) {
                out.addAll(flatten(group, r.getResources().toArray(String[]::new),
                        r.getResourceNames() == null ? new String[0] : r.getResourceNames().toArray(String[]::new),
                        r.getVerbs().toArray(String[]::new)));
            }
        }
        return out;
    }

    static Set<String> declaredRules() {
        Set<String> out = new TreeSet<>();
        for (RBACRule r : EngineerAccessReconciler.class.getAnnotationsByType(RBACRule.class)) {
            for (String group : r.apiGroups()) {
                out.addAll(flatten(group, r.resources(), r.resourceNames(), r.verbs()));
            }
        }
        return out;
    }

    @Test
    void chartRoleHoldsEveryDeclaredRuleAndOnlyAddsTheOperatorsOwnResources() throws IOException {
        Set<String> chart = chartRules();
        Set<String> declared = declaredRules();
        assertThat(chart).containsAll(declared);
        Set<String> extra = new TreeSet<>(chart);
        extra.removeAll(declared);
        assertThat(extra).allSatisfy(rule -> assertThat(rule).startsWith("access.govuk.digital|"));
        assertThat(extra.stream().map(r -> r.split("\\|")[3]).collect(Collectors.toSet()))
                .as("verbs on the operator's own resources").doesNotContain("delete", "create", "*");
    }

    @Test
    void bindIsLimitedToThePolicyClusterRoles() throws IOException {
        List<String> bind = chartRules().stream().filter(r -> r.endsWith("|bind")).toList();
        assertThat(bind).containsExactlyInAnyOrder(
                "rbac.authorization.k8s.io|clusterroles|production-deploy|bind",
                "rbac.authorization.k8s.io|clusterroles|production-admin|bind");
        assertThat(chartRules()).noneMatch(r -> r.contains("|escalate") || r.contains("|*|*") || r.startsWith("*|"));
        assertThat(chartRules()).noneMatch(r -> Arrays.asList("secrets", "clusterrolebindings", "roles", "clusterroles")
                .contains(r.split("\\|")[1]) && !r.endsWith("|bind"));
    }
}
