package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import digital.govuk.access.bindings.ManagedBindings;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;

/**
 * The operator's own ValidatingAdmissionPolicy (operatorAdmissionPolicy): as its ServiceAccount, the operator may
 * create, change or delete only RoleBindings that carry its managed-by label, before and after, and bind only the two
 * policy ClusterRoles. Its CEL is evaluated as kube-apiserver 1.30+ would, against admission requests built as the
 * API server builds them; it.OperatorOwnBindingsTest shows the same on a real API server.
 */
class OperatorAdmissionPolicyTest {
    static final String OPERATOR = "system:serviceaccount:" + Chart.NAMESPACE + ":" + Chart.RELEASE;

    static AdmissionPolicyCel policy;

    @BeforeAll
    static void renderThePolicy() {
        policy = render("");
    }

    static AdmissionPolicyCel render(String values) {
        Chart.Rendered r = Chart.render(values, Chart.KUBE_WITH_ADMISSION_POLICY);
        ValidatingAdmissionPolicy vap = r.named("ValidatingAdmissionPolicy", Chart.OPERATOR_POLICY, ValidatingAdmissionPolicy.class);
        assertThat(vap.getSpec().getMatchConstraints().getResourceRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("rbac.authorization.k8s.io");
            assertThat(rule.getResources()).containsExactly("rolebindings");
            assertThat(rule.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE", "DELETE");
        });
        assertThat(vap.getSpec().getFailurePolicy()).isEqualTo("Fail");
        return new AdmissionPolicyCel(vap);
    }

    @Test
    void onByDefaultWhereTheClusterHasAdmissionPoliciesAndBoundToDeny() {
        Chart.Rendered current = Chart.render("", Chart.KUBE_WITH_ADMISSION_POLICY);
        ValidatingAdmissionPolicyBinding binding = current.named("ValidatingAdmissionPolicyBinding", Chart.OPERATOR_POLICY,
                ValidatingAdmissionPolicyBinding.class);
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(Chart.OPERATOR_POLICY);
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(Chart.render("operatorAdmissionPolicy: {enabled: false}", Chart.KUBE_WITH_ADMISSION_POLICY)
                .has("ValidatingAdmissionPolicy")).isFalse();
    }

    @Test
    void itMayMakeChangeAndDeleteItsOwnBindingsOfThePolicyRoles() {
        for (String role : List.of("production-deploy", "production-admin")) {
            assertThat(admit("CREATE", OPERATOR, binding("ada-x", role, true), null).allowed()).as(role).isTrue();
        }
        Map<String, Object> before = binding("ada-deploy", "production-deploy", true);
        Map<String, Object> after = binding("ada-deploy", "production-deploy", true);
        after.put("subjects", List.of(Map.of("kind", "User", "name", "ada.lovelace@example.gov.uk")));
        assertThat(admit("UPDATE", OPERATOR, after, before).allowed()).isTrue();
        assertThat(admit("DELETE", OPERATOR, null, before).allowed()).isTrue();
    }

    @Test
    void itMayNotMakeABindingWithoutItsLabel() {
        AdmissionPolicyCel.Outcome o = admit("CREATE", OPERATOR, binding("sneaky", "production-deploy", false), null);
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly("The engineer-access operator may make or leave only RoleBindings labelled"
                + " app.kubernetes.io/managed-by=engineer-access-operator, and RoleBinding apps/sneaky would not be.");
        Map<String, Object> helms = binding("sneaky", "production-deploy", false);
        labels(helms).put(ManagedBindings.MANAGED_BY_LABEL, "Helm");
        assertThat(admit("CREATE", OPERATOR, helms, null).allowed()).as("another manager's value").isFalse();
    }

    @Test
    void itMayNotChangeOrDeleteAnotherTeamsBinding() {
        Map<String, Object> teams = binding("team-view", "view", false);
        Map<String, Object> edited = binding("team-view", "view", false);
        edited.put("subjects", List.of(Map.of("kind", "User", "name", "mallory@example.gov.uk")));
        AdmissionPolicyCel.Outcome change = admit("UPDATE", OPERATOR, edited, teams);
        assertThat(change.allowed()).isFalse();
        assertThat(change.messages()).contains("The engineer-access operator may change or delete only the RoleBindings it made, labelled"
                + " app.kubernetes.io/managed-by=engineer-access-operator, and RoleBinding apps/team-view is not one of them.");
        assertThat(admit("DELETE", OPERATOR, null, teams).messages()).singleElement()
                .satisfies(m -> assertThat(m).contains("RoleBinding apps/team-view is not one of them"));
        Map<String, Object> claimed = binding("team-view", "production-admin", true);
        assertThat(admit("UPDATE", OPERATOR, claimed, binding("team-view", "production-admin", false)).allowed())
                .as("putting its label on someone else's binding does not make it its own").isFalse();
    }

    @Test
    void itMayNotTakeItsLabelOffItsOwnBinding() {
        AdmissionPolicyCel.Outcome o = admit("UPDATE", OPERATOR, binding("ada-deploy", "production-deploy", false),
                binding("ada-deploy", "production-deploy", true));
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).singleElement().satisfies(m -> assertThat(m).endsWith("RoleBinding apps/ada-deploy would not be."));
    }

    @Test
    void itMayBindOnlyThePolicyRoles() {
        AdmissionPolicyCel.Outcome admin = admit("CREATE", OPERATOR, binding("ada-cluster-admin", "cluster-admin", true), null);
        assertThat(admin.allowed()).isFalse();
        assertThat(admin.messages()).containsExactly("The engineer-access operator may bind only the ClusterRoles production-deploy"
                + " and production-admin, and RoleBinding apps/ada-cluster-admin would bind ClusterRole cluster-admin.");
        Map<String, Object> aRole = binding("ada-deploy", "production-deploy", true);
        roleRef(aRole).put("kind", "Role");
        assertThat(admit("CREATE", OPERATOR, aRole, null).allowed()).as("a namespace's Role of that name").isFalse();
        Map<String, Object> otherGroup = binding("ada-deploy", "production-deploy", true);
        roleRef(otherGroup).put("apiGroup", "example.com");
        assertThat(admit("CREATE", OPERATOR, otherGroup, null).allowed()).isFalse();
        assertThat(admit("DELETE", OPERATOR, null, binding("ada-cluster-admin", "cluster-admin", true)).allowed())
                .as("removing access is never refused for the role it binds").isTrue();
    }

    @Test
    void theRolesAreTheOnesThePolicyValuesName() {
        AdmissionPolicyCel team = render("policy: {deploy: {clusterRole: team-deploy}, admin: {clusterRole: team-admin}}");
        assertThat(team.admit(request("CREATE", OPERATOR), binding("ada-deploy", "team-deploy", true), null).allowed()).isTrue();
        assertThat(team.admit(request("CREATE", OPERATOR), binding("ada-deploy", "production-deploy", true), null).allowed()).isFalse();
    }

    @Test
    void onlyTheOperatorsServiceAccountIsChecked() {
        Map<String, Object> teams = binding("team-view", "view", false);
        for (String someoneElse : List.of("system:serviceaccount:flux-system:kustomize-controller", "ada@example.gov.uk",
                "system:serviceaccount:other-namespace:" + Chart.RELEASE, "system:kube-controller-manager")) {
            assertThat(admit("DELETE", someoneElse, null, teams).allowed()).as(someoneElse).isTrue();
            assertThat(admit("CREATE", someoneElse, binding("x", "cluster-admin", false), null).allowed()).as(someoneElse).isTrue();
        }
        AdmissionPolicyCel named = render("serviceAccount: {name: access-operator}");
        Map<String, Object> request = request("CREATE", "system:serviceaccount:" + Chart.NAMESPACE + ":access-operator");
        assertThat(named.admit(request, binding("sneaky", "production-deploy", false), null).allowed())
                .as("the ServiceAccount the chart runs the operator as").isFalse();
    }

    static AdmissionPolicyCel.Outcome admit(String operation, String user, Map<String, Object> object, Map<String, Object> oldObject) {
        Map<String, Object> request = request(operation, user);
        Map<String, Object> named = object != null ? object : oldObject;
        request.put("name", metadata(named).get("name"));
        return policy.admit(request, object, oldObject);
    }

    /** An admission request as the API server builds it for a RoleBinding in namespace apps. */
    static Map<String, Object> request(String operation, String user) {
        Map<String, Object> request = new HashMap<>();
        request.put("operation", operation);
        request.put("namespace", "apps");
        request.put("name", "ada-deploy");
        request.put("userInfo", Map.of("username", user, "groups", List.of("system:serviceaccounts", "system:authenticated")));
        request.put("resource", Map.of("group", "rbac.authorization.k8s.io", "version", "v1", "resource", "rolebindings"));
        return request;
    }

    /** A RoleBinding in namespace apps of this ClusterRole to one user, with or without the operator's label. */
    static Map<String, Object> binding(String name, String clusterRole, boolean ours) {
        Map<String, Object> labels = new LinkedHashMap<>();
        if (ours) {
            labels.put(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY);
            labels.put(ManagedBindings.ENGINEER_LABEL, "ada");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        metadata.put("namespace", "apps");
        if (!labels.isEmpty()) {
            metadata.put("labels", labels);
        }
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("apiVersion", "rbac.authorization.k8s.io/v1");
        object.put("kind", "RoleBinding");
        object.put("metadata", metadata);
        object.put("roleRef", new LinkedHashMap<>(Map.of("apiGroup", "rbac.authorization.k8s.io", "kind", "ClusterRole", "name", clusterRole)));
        object.put("subjects", List.of(Map.of("apiGroup", "rbac.authorization.k8s.io", "kind", "User", "name", "ada@example.gov.uk")));
        return object;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> object) {
        return (Map<String, Object>) object.get("metadata");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> labels(Map<String, Object> object) {
        return (Map<String, Object>) metadata(object).computeIfAbsent("labels", k -> new LinkedHashMap<>());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> roleRef(Map<String, Object> object) {
        return (Map<String, Object>) object.get("roleRef");
    }
}
