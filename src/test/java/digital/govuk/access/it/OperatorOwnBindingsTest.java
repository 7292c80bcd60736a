package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.chart.Chart;
import digital.govuk.access.chart.ChartInstall;
import digital.govuk.access.chart.ChartedControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The operator's own ValidatingAdmissionPolicy (operatorAdmissionPolicy) on a real API server (Kubernetes 1.30+; the
 * tests fail, saying so, if the pinned release is ever older). The chart is installed with its defaults,
 * the operator's ServiceAccount is given cluster-admin on top, as if someone had widened its rights or its token were
 * used by someone else, and it acts with its own token: RBAC would now let it do anything to RoleBindings, and the
 * policy still lets it make, change and delete only its own bindings of the two policy roles.
 * chart/OperatorAdmissionPolicyTest checks the same CEL case by case without a server.
 */
class OperatorOwnBindingsTest {
    @TempDir
    static Path tmp;
    static ChartedControlPlane cluster;
    static LocalControlPlane controlPlane;
    static KubernetesClient admin;
    static KubernetesClient operator;
    static int minor;

    @BeforeAll
    static void installTheChartAndWidenTheOperatorsRights() throws IOException, InterruptedException {
        minor = LocalControlPlane.selectedMinorVersion();
        if (minor < CurrentKubernetesTest.NEEDS_MINOR) {
            return; // each test fails, saying why
        }
        cluster = ChartedControlPlane.install(tmp.resolve("control-plane"), "policyClusterRoles: {create: true}");
        controlPlane = cluster.controlPlane();
        admin = cluster.admin();
        admin.resource(new NamespaceBuilder().withNewMetadata().withName("apps").endMetadata().build()).create();
        // Another team's RBAC, made by someone else.
        admin.resource(binding("team-view", "view", false)).create();
        admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("operator-widened").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("cluster-admin").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE).endSubject()
                .build()).create();
        operator = controlPlane.client(ChartInstall.serviceAccountToken(admin));
        // The API server loads a new policy and binding a moment after they are stored.
        List<String> answers = new ArrayList<>();
        Awaitility.await("the operator's admission policy in force").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    try {
                        operator.resource(binding("probe", "view", false)).dryRun().create();
                        answers.add("allowed");
                        return false;
                    } catch (KubernetesClientException e) {
                        answers.add(e.getCode() + " " + e.getMessage());
                        return e.getCode() == 403 && e.getMessage().contains(Chart.OPERATOR_POLICY);
                    }
                });
    }

    @BeforeEach
    void needsACurrentServer() {
        assertThat(minor).as("ValidatingAdmissionPolicy needs Kubernetes 1." + CurrentKubernetesTest.NEEDS_MINOR
                + " or later, and scripts/k8s/go.mod pins 1." + minor).isGreaterThanOrEqualTo(CurrentKubernetesTest.NEEDS_MINOR);
    }

    @AfterAll
    static void stopTheControlPlane() {
        if (operator != null) {
            operator.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void itStillMakesChangesAndDeletesItsOwnBindingsOfThePolicyRoles() {
        RoleBinding made = operator.resource(binding("ada-deploy", "production-deploy", true)).create();
        RoleBinding changed = operator.rbac().roleBindings().inNamespace("apps").withName("ada-deploy")
                .edit(rb -> new RoleBindingBuilder(rb).editMetadata().addToAnnotations(ManagedBindings.EXPIRY_ANNOTATION,
                        "2026-12-09T17:30:00Z").endMetadata().build());
        assertThat(changed.getMetadata().getUid()).isEqualTo(made.getMetadata().getUid());
        operator.resource(binding("ada-admin", "production-admin", true)).create();
        operator.rbac().roleBindings().inNamespace("apps").withName("ada-deploy").delete();
        operator.rbac().roleBindings().inNamespace("apps").withName("ada-admin").delete();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> admin.rbac().roleBindings().inNamespace("apps")
                .withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).list().getItems().isEmpty());
    }

    @Test
    void itCannotTouchAnotherTeamsBindingThoughRbacWouldLetIt() {
        assertRefused(c -> c.rbac().roleBindings().inNamespace("apps").withName("team-view")
                .edit(rb -> new RoleBindingBuilder(rb).editFirstSubject().withName("mallory@example.gov.uk").endSubject().build()),
                "The engineer-access operator may change or delete only the RoleBindings it made, labelled"
                        + " app.kubernetes.io/managed-by=engineer-access-operator, and RoleBinding apps/team-view is not one of them.");
        assertRefused(c -> c.rbac().roleBindings().inNamespace("apps").withName("team-view").delete(),
                "RoleBinding apps/team-view is not one of them.");
        assertRefused(c -> c.rbac().roleBindings().inNamespace("apps").withName("team-view")
                .edit(rb -> new RoleBindingBuilder(rb).editMetadata()
                        .addToLabels(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).endMetadata().build()),
                "RoleBinding apps/team-view is not one of them.");
        RoleBinding teams = admin.rbac().roleBindings().inNamespace("apps").withName("team-view").get();
        assertThat(teams.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("developers"));
        assertThat(teams.getMetadata().getLabels()).isNullOrEmpty();
    }

    @Test
    void itCannotMakeAnUnlabelledBindingNorTakeTheLabelOffItsOwn() {
        assertRefused(c -> c.resource(binding("sneaky", "production-admin", false)).create(),
                "The engineer-access operator may make or leave only RoleBindings labelled"
                        + " app.kubernetes.io/managed-by=engineer-access-operator, and RoleBinding apps/sneaky would not be.");
        operator.resource(binding("bob-deploy", "production-deploy", true)).create();
        assertRefused(c -> c.rbac().roleBindings().inNamespace("apps").withName("bob-deploy")
                .edit(rb -> new RoleBindingBuilder(rb).editMetadata().removeFromLabels(ManagedBindings.MANAGED_BY_LABEL).endMetadata().build()),
                "RoleBinding apps/bob-deploy would not be.");
        assertThat(admin.rbac().roleBindings().inNamespace("apps").withName("sneaky").get()).isNull();
        operator.rbac().roleBindings().inNamespace("apps").withName("bob-deploy").delete();
    }

    @Test
    void itCannotBindAnyOtherRoleThoughRbacWouldLetIt() {
        assertRefused(c -> c.resource(binding("ada-cluster-admin", "cluster-admin", true)).create(),
                "The engineer-access operator may bind only the ClusterRoles production-deploy and production-admin, and"
                        + " RoleBinding apps/ada-cluster-admin would bind ClusterRole cluster-admin.");
        assertThat(admin.rbac().roleBindings().inNamespace("apps").withName("ada-cluster-admin").get()).isNull();
    }

    @Test
    void nobodyElseIsChecked() {
        // The admin (and the garbage collector, and any other identity) writes RoleBindings as before.
        assertThat(admin.resource(binding("admin-made", "cluster-admin", false)).create().getMetadata().getUid()).isNotBlank();
        assertThat(admin.rbac().roleBindings().inNamespace("apps").withName("team-view").edit(rb -> new RoleBindingBuilder(rb)
                .editMetadata().addToAnnotations("example.gov.uk/reviewed", "yes").endMetadata().build()).getMetadata().getAnnotations())
                .containsEntry("example.gov.uk/reviewed", "yes");
        admin.rbac().roleBindings().inNamespace("apps").withName("admin-made").delete();
    }

    /** As the operator, {@code request} is refused by its own policy (403) with a message containing {@code message}. */
    static void assertRefused(Consumer<KubernetesClient> request, String message) {
        assertThatThrownBy(() -> request.accept(operator)).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
            assertThat(e.getStatus().getMessage()).contains("ValidatingAdmissionPolicy '" + Chart.OPERATOR_POLICY + "' with binding '"
                    + Chart.OPERATOR_POLICY + "' denied request: ").contains(message);
        });
    }

    /** A RoleBinding in namespace apps of this ClusterRole to the group developers, with or without the operator's label. */
    static RoleBinding binding(String name, String clusterRole, boolean ours) {
        RoleBindingBuilder b = new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace("apps").endMetadata();
        if (ours) {
            b.editMetadata().addToLabels(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY)
                    .addToLabels(ManagedBindings.ENGINEER_LABEL, name.replaceAll("-.*", "")).endMetadata();
        }
        return b.withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(clusterRole).endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group").withName("developers").endSubject()
                .build();
    }
}
