package digital.govuk.access.bindings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import digital.govuk.access.bindings.Unexplained.Grant;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;

/** Access the operator did not grant: which bindings {@link Unexplained#find} lists, and how a grant is said. */
class UnexplainedTest {
    static final String DEPLOY = "production-deploy";
    static final String ADMIN = "production-admin";
    static final Set<String> ROLES = Set.of(DEPLOY, ADMIN);

    static final Map<String, String> OUR_LABELS = Map.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY,
            ManagedBindings.ENGINEER_LABEL, "fay", ManagedBindings.LEVEL_LABEL, "admin");

    static OwnerReference owner(String apiVersion, String kind, String name, Boolean controller) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid("uid-" + name)
                .withController(controller).build();
    }

    /** Fay's Admin binding as the operator makes it. */
    static OwnerReference ours() {
        return owner("access.govuk.digital/v1alpha1", "EngineerAccess", "fay", true);
    }

    static Subject user(String name) {
        return new SubjectBuilder().withKind("User").withApiGroup("rbac.authorization.k8s.io").withName(name).build();
    }

    static RoleBinding rb(String namespace, String name, String roleKind, String role, Map<String, String> labels,
            List<OwnerReference> owners, Subject... subjects) {
        return new RoleBindingBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels)
                .withOwnerReferences(owners).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", roleKind, role).withSubjects(subjects).build();
    }

    static RoleBinding rb(String namespace, String name, Map<String, String> labels, List<OwnerReference> owners) {
        return rb(namespace, name, "ClusterRole", ADMIN, labels, owners, user(name + "@example.gov.uk"));
    }

    static ClusterRoleBinding crb(String name, String role, Map<String, String> labels, List<OwnerReference> owners, Subject... subjects) {
        return new ClusterRoleBindingBuilder().withNewMetadata().withName(name).withLabels(labels).withOwnerReferences(owners).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role).withSubjects(subjects).build();
    }

    static List<String> names(List<Grant> grants) {
        return grants.stream().map(g -> g.kind() + " " + (g.namespace() == null ? "" : g.namespace() + "/") + g.name()).toList();
    }

    /** What find lists; and, in every case, a reader that keeps only {@link Unexplained#candidate}s finds exactly that. */
    static List<String> found(RoleBinding... bindings) {
        List<String> all = names(Unexplained.find(List.of(bindings), List.of(), ROLES));
        List<RoleBinding> kept = java.util.Arrays.stream(bindings).filter(rb -> Unexplained.candidate(rb, ROLES)).toList();
        assertThat(names(Unexplained.find(kept, List.of(), ROLES))).as("found from the candidates alone").isEqualTo(all);
        assertThat(kept).as("the candidates are exactly what is found").hasSize(all.size());
        return all;
    }

    @Test
    void theOperatorsOwnBindingIsNotListed() {
        assertThat(found(rb("apps", "fay-admin", OUR_LABELS, List.of(ours())))).isEmpty();
    }

    @Test
    void aBindingWhoseManagedByLabelWasRemovedByHandIsListed() {
        Map<String, String> labels = Map.of(ManagedBindings.ENGINEER_LABEL, "fay");
        assertThat(found(rb("apps", "fay-admin", labels, List.of(ours())))).containsExactly("RoleBinding apps/fay-admin");
        Map<String, String> otherTool = Map.of(ManagedBindings.MANAGED_BY_LABEL, "Helm", ManagedBindings.ENGINEER_LABEL, "fay");
        assertThat(found(rb("apps", "fay-admin", otherTool, List.of(ours())))).containsExactly("RoleBinding apps/fay-admin");
        assertThat(found(rb("apps", "fay-admin", null, List.of(ours())))).containsExactly("RoleBinding apps/fay-admin");
    }

    @Test
    void aBindingWithOurLabelsButNoEngineerAccessOwnerIsListed() {
        assertThat(found(rb("apps", "fay-admin", OUR_LABELS, null))).containsExactly("RoleBinding apps/fay-admin");
        assertThat(found(rb("apps", "fay-admin", OUR_LABELS, List.of(owner("v1", "ConfigMap", "fay", true)))))
                .as("owned by something else").containsExactly("RoleBinding apps/fay-admin");
        assertThat(found(rb("apps", "fay-admin", OUR_LABELS, List.of(owner("example.com/v1", "EngineerAccess", "fay", true)))))
                .as("an EngineerAccess of another API group").containsExactly("RoleBinding apps/fay-admin");
        assertThat(found(rb("apps", "fay-admin", OUR_LABELS, List.of(owner("access.govuk.digital/v1alpha1", "EngineerAccess", "fay", null)))))
                .as("not the controller").containsExactly("RoleBinding apps/fay-admin");
        assertThat(found(rb("apps", "fay-admin", OUR_LABELS, List.of(owner("access.govuk.digital/v1alpha1", "EngineerAccess", "bob", true)))))
                .as("owned by another engineer's EngineerAccess than its label names").containsExactly("RoleBinding apps/fay-admin");
    }

    @Test
    void aBindingWithoutOurEngineerLabelIsListed() {
        Map<String, String> labels = Map.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY);
        assertThat(found(rb("apps", "fay-admin", labels, List.of(ours())))).containsExactly("RoleBinding apps/fay-admin");
    }

    @Test
    void bindingsOfOtherRolesAreIgnored() {
        RoleBinding view = rb("apps", "fay-view", "ClusterRole", "view", Map.of(), List.of(), user("fay"));
        RoleBinding sameNameButARole = rb("apps", "local", "Role", ADMIN, Map.of(), List.of(), user("fay"));
        RoleBinding deploy = rb("apps", "ci-deploy", "ClusterRole", DEPLOY, Map.of(), List.of(), user("ci"));

        assertThat(found(view, sameNameButARole, deploy)).containsExactly("RoleBinding apps/ci-deploy");
        assertThat(Unexplained.find(List.of(view), List.of(crb("viewers", "view", null, null, user("fay"))), ROLES)).isEmpty();
    }

    @Test
    void aClusterRoleBindingIsListedEvenWithOurMarksTheOperatorMakesNone() {
        List<Grant> grants = Unexplained.find(List.of(), List.of(crb("fay-admin", ADMIN, OUR_LABELS, List.of(ours()), user("fay"))), ROLES);

        assertThat(grants).containsExactly(new Grant("ClusterRoleBinding", null, "fay-admin", ADMIN, List.of("User fay")));
    }

    @Test
    void clusterWideFirstThenByNamespaceAndNameWhateverTheOrderRead() {
        List<RoleBinding> rbs = new ArrayList<>(List.of(rb("platform", "a", null, null), rb("apps", "zed", null, null),
                rb("apps", "amy", null, null), rb("apps", "fay-admin", OUR_LABELS, List.of(ours()))));
        List<ClusterRoleBinding> crbs = new ArrayList<>(List.of(crb("oncall", DEPLOY, null, null, user("x")),
                crb("admins", ADMIN, null, null, user("y"))));
        List<String> expected = List.of("ClusterRoleBinding admins", "ClusterRoleBinding oncall", "RoleBinding apps/amy",
                "RoleBinding apps/zed", "RoleBinding platform/a");
        Random random = new Random(7);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(rbs, random);
            Collections.shuffle(crbs, random);
            assertThat(names(Unexplained.find(rbs, crbs, ROLES))).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void subjectsAreSaidByKindAServiceAccountWithItsNamespace() {
        Subject group = new SubjectBuilder().withKind("Group").withName("ops").build();
        Subject sa = new SubjectBuilder().withKind("ServiceAccount").withNamespace("ci").withName("deployer").build();
        Subject localSa = new SubjectBuilder().withKind("ServiceAccount").withName("job").build();

        List<Grant> grants = Unexplained.find(List.of(rb("apps", "mixed", "ClusterRole", DEPLOY, null, null, user("jane"), group, sa, localSa)),
                List.of(), ROLES);

        assertThat(grants.get(0).subjects()).containsExactly("User jane", "Group ops", "ServiceAccount ci/deployer",
                "ServiceAccount apps/job");
    }

    @Test
    void oneGrantInOneLine() {
        Grant rb = new Grant("RoleBinding", "apps", "fay-admin", ADMIN, List.of("User fay@example.gov.uk"));
        Grant crb = new Grant("ClusterRoleBinding", null, "ops", ADMIN, List.of("Group ops", "User a", "User b", "User c", "User d"));
        Grant nobody = new Grant("RoleBinding", "apps", "empty", DEPLOY, List.of());

        assertThat(rb.line()).isEqualTo("apps/fay-admin grants production-admin to User fay@example.gov.uk");
        assertThat(crb.line()).isEqualTo("ClusterRoleBinding ops grants production-admin in every namespace to Group ops, User a,"
                + " User b and 2 more");
        assertThat(nobody.line()).isEqualTo("apps/empty grants production-deploy to no one");
    }

    @Test
    void aLineShowsInputCutAndVisible() {
        Grant hostile = new Grant("RoleBinding", "apps", "x", ADMIN, List.of("User " + "a".repeat(200), "User eve\u202Eadmin"));

        String line = hostile.line();

        assertThat(line).startsWith("apps/x grants production-admin to User aaaa").contains("… and User eve<U+202E>admin")
                .doesNotContain("\u202E").hasSizeLessThan(150);
    }
}
