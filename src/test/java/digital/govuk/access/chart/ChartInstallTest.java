package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.it.LocalControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The chart installed as a user would (`helm install ... -n engineer-access --create-namespace`, with the real helm
 * command) on a real kube-apiserver started for this class and always stopped after it. The CRDs
 * come up, the operator's ServiceAccount gets a token and exactly the chart's rights.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartInstallTest {
    static final String OPERATOR_SA = "system:serviceaccount:" + Chart.NAMESPACE + ":" + Chart.RELEASE;

    @TempDir
    static Path tmp;
    static ChartedControlPlane cluster;
    static LocalControlPlane controlPlane;
    static KubernetesClient admin;
    static HelmCli.Release release;

    @BeforeAll
    static void installTheChart() throws IOException, InterruptedException {
        cluster = ChartedControlPlane.install(tmp.resolve("control-plane"), "policyClusterRoles: {create: true}");
        controlPlane = cluster.controlPlane();
        admin = cluster.admin();
        release = cluster.release();
    }

    @AfterAll
    static void stopTheControlPlane() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theReleaseIsDeployedInItsNamespace() {
        assertThat(release.status()).isEqualTo("deployed");
        assertThat(release.namespace()).isEqualTo(Chart.NAMESPACE);
        Deployment d = admin.apps().deployments().inNamespace(Chart.NAMESPACE).withName(Chart.RELEASE).get();
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(admin.services().inNamespace(Chart.NAMESPACE).withName(Chart.RELEASE + "-metrics").get()).isNotNull();
        assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(Chart.NAMESPACE).withName(Chart.RELEASE).get())
                .as("policy/v1").isNotNull();
    }

    @Test
    void theCrdsAreEstablished() {
        for (String name : List.of("engineeraccesses.access.govuk.digital", "accesspolicies.access.govuk.digital")) {
            CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().withName(name).get();
            assertThat(crd.getStatus().getConditions()).as(name).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Established");
                assertThat(c.getStatus()).isEqualTo("True");
            });
        }
    }

    @Test
    void theDefaultAccessPolicyAndTheExampleRolesAreInstalled() {
        AccessPolicy policy = admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get();
        assertThat(policy.getSpec().deploy.clusterRole).isEqualTo("production-deploy");
        assertThat(policy.getSpec().admin.clusterRole).isEqualTo("production-admin");
        assertThat(policy.getSpec().longAbsenceDays).isEqualTo(42);
        for (String role : List.of("production-deploy", "production-admin")) {
            assertThat(admin.rbac().clusterRoles().withName(role).get()).as(role).isNotNull();
        }
    }

    @Test
    void theClusterRoleBindingBindsTheChartsServiceAccount() {
        ClusterRoleBinding binding = admin.rbac().clusterRoleBindings().withName(Chart.RELEASE).get();
        assertThat(binding.getRoleRef().getName()).isEqualTo(Chart.RELEASE);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(Chart.RELEASE);
            assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
        });
        assertThat(admin.serviceAccounts().inNamespace(Chart.NAMESPACE).withName(Chart.RELEASE).get()).isNotNull();
    }

    @Test
    void theServiceAccountsTokenCarriesExactlyTheChartsRights() {
        String token = ChartInstall.serviceAccountToken(admin);
        admin.resource(new NamespaceBuilder().withNewMetadata().withName("apps").endMetadata().build()).create();
        try (KubernetesClient operator = controlPlane.client(token)) {
            assertThat(operator.resources(AccessPolicy.class).list().getItems()).hasSize(1);
            assertThat(operator.namespaces().list().getItems()).isNotEmpty();
            RoleBinding deploy = operator.resource(binding("ada-deploy", "production-deploy")).create();
            assertThat(deploy.getMetadata().getUid()).isNotBlank();
            assertThatThrownBy(() -> operator.resource(binding("ada-cluster-admin", "cluster-admin")).create())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403))
                    .hasMessageContaining(OPERATOR_SA);
            assertThatThrownBy(() -> operator.secrets().inNamespace("apps").list())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
        }
    }

    @Test
    void theServiceAccountMayElectOnItsOneLeaseAndTouchNoOther() {
        String token = ChartInstall.serviceAccountToken(admin);
        admin.resource(new LeaseBuilder().withNewMetadata().withName("someone-elses").withNamespace(Chart.NAMESPACE).endMetadata()
                .withNewSpec().withHolderIdentity("someone").endSpec().build()).create();
        try (KubernetesClient operator = controlPlane.client(token)) {
            // What leader election does: create the Lease when there is none, read it, renew it (patch), and JOSDK's
            // start-up check that it may update it.
            Lease made = operator.resource(new LeaseBuilder().withNewMetadata().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                    .endMetadata().withNewSpec().withHolderIdentity("replica-a").withLeaseDurationSeconds(15).endSpec().build()).create();
            assertThat(made.getMetadata().getUid()).isNotBlank();
            operator.leases().inNamespace(Chart.NAMESPACE).withName(Chart.RELEASE)
                    .edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity("replica-b").endSpec().build());
            Lease read = operator.leases().inNamespace(Chart.NAMESPACE).withName(Chart.RELEASE).get();
            assertThat(read.getSpec().getHolderIdentity()).isEqualTo("replica-b");
            operator.resource(new LeaseBuilder(read).editSpec().withHolderIdentity("replica-a").endSpec().build()).update();

            for (Runnable refused : List.<Runnable>of(
                    () -> operator.leases().inNamespace(Chart.NAMESPACE).withName("someone-elses").get(),
                    () -> operator.leases().inNamespace(Chart.NAMESPACE).withName("someone-elses")
                            .edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity("operator").endSpec().build()),
                    () -> operator.leases().inNamespace(Chart.NAMESPACE).withName(Chart.RELEASE).delete(),
                    () -> operator.leases().inNamespace(Chart.NAMESPACE).list(),
                    () -> operator.leases().inNamespace("default").withName(Chart.RELEASE).get(),
                    () -> operator.resource(new LeaseBuilder().withNewMetadata().withName(Chart.RELEASE).withNamespace("default")
                            .endMetadata().build()).create())) {
                assertThatThrownBy(refused::run).isInstanceOfSatisfying(KubernetesClientException.class,
                        e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403));
            }
        }
        assertThat(admin.leases().inNamespace(Chart.NAMESPACE).withName("someone-elses").get().getSpec().getHolderIdentity())
                .isEqualTo("someone");
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it changes the release
    void theFirstUpgradeTakesTheInstallsPolicyIntoTheReleaseAndRefusesToLoseAChange() {
        // The first install made the AccessPolicy with a hook (its CRD did not exist when Helm read the release), so
        // the first upgrade takes it in; Helm changes nothing in an object it takes in, so a change of policy.* then
        // would be recorded and never made. It is refused, and the release stays as it was.
        AccessPolicy installed = admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get();
        assertThat(installed.getMetadata().getAnnotations()).containsEntry("access.govuk.digital/made-by-hook", "post-install");
        String changed = "policyClusterRoles: {create: true}\npolicy: {longAbsenceDays: 56}";
        assertThatThrownBy(() -> ChartInstall.upgrade(controlPlane.kubeconfig(), changed))
                .hasMessageContaining("policy.* differs from the AccessPolicy \"default\" in the cluster, which this upgrade takes into the"
                        + " release, and Helm changes nothing in an object it takes in. Run it once with the policy values the cluster has"
                        + " (helm upgrade --reuse-values after an install), then again with your changes.");
        assertThat(admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get().getSpec().longAbsenceDays).isEqualTo(42);

        assertThat(ChartInstall.upgrade(controlPlane.kubeconfig(), "policyClusterRoles: {create: true}").revision())
                .as("taken in with the values it was made with").isEqualTo(2);
        HelmCli.Release third = ChartInstall.upgrade(controlPlane.kubeconfig(), changed);
        assertThat(third.status()).isEqualTo("deployed");
        AccessPolicy after = admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get();
        assertThat(after.getMetadata().getUid()).as("the same object").isEqualTo(installed.getMetadata().getUid());
        assertThat(after.getSpec().longAbsenceDays).as("now the release's, so its values change it").isEqualTo(56);
        assertThat(after.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    }

    /** A binding as the operator makes it: with its label, which its own admission policy (Kubernetes 1.30+) requires. */
    static RoleBinding binding(String name, String clusterRole) {
        return new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace("apps")
                .addToLabels(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(clusterRole).endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("ada@example.gov.uk").endSubject()
                .build();
    }
}
