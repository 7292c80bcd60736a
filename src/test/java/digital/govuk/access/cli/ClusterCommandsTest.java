package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.examples;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * Issue 10: {@code report} and {@code explain} read a cluster (the Fabric8 mock API server) with the user's
 * kubeconfig, and say plainly when they cannot. The real API server test runs them as {@code kubectl access}.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterCommandsTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;
    Path kubeconfig;

    @BeforeEach
    void clusterWithTheExamples() {
        Manifests.Set examples = Manifests.read(List.of(examples()));
        examples.policies().forEach(p -> client.resource(p.object()).create());
        examples.namespaces().forEach(n -> client.resource(n.object()).create());
        for (Manifests.Source<EngineerAccess> source : examples.engineers()) {
            EngineerAccess ea = source.object();
            if (ea.getMetadata().getName().equals("ada-admin-shadow")) {
                ea.setStatus(written());
            }
            client.resource(ea).create();
        }
        kubeconfig = write(dir, "kubeconfig", """
                apiVersion: v1
                kind: Config
                clusters:
                - {name: mock, cluster: {server: "%s"}}
                - {name: gone, cluster: {server: "http://127.0.0.1:1"}}
                users:
                - {name: me, user: {token: secret}}
                contexts:
                - {name: mock, context: {cluster: mock, user: me}}
                - {name: gone, context: {cluster: gone, user: me}}
                current-context: mock
                """.formatted(client.getConfiguration().getMasterUrl()));
    }

    /** What the operator would have written for ada-admin-shadow. */
    static EngineerAccessStatus written() {
        EngineerAccessStatus s = new EngineerAccessStatus();
        s.observedGeneration = 1L;
        s.level = Level.Admin;
        s.supervised = true;
        s.bindings = List.of(new BindingStatus("apps", "ada-admin-shadow-admin", "production-admin", null));
        s.history = List.of(new AccessTransition("2026-11-30T09:00:02Z", AccessStage.Deploy, AccessStage.AdminSupervised,
                "AdminShadowShiftStarted", "spec.shifts[1]", "Deploy -> Admin (supervised): an AdminShadow shift starts"));
        return s;
    }

    @Test
    void reportReadsTheClusterAsItReadsFiles() {
        Cli.Run live = run(args("report", "--at", "2026-12-02T12:00:00Z", "--kubeconfig", kubeconfig));
        Cli.Run offline = run(args("report", "--at", "2026-12-02T12:00:00Z", examples()));

        assertThat(live.exit()).as(live.toString()).isZero();
        assertThat(Cli.table(live.out())).isEqualTo(Cli.table(offline.out()));
    }

    @Test
    void explainReadsOneEngineerAndWhatTheOperatorWrote() {
        Cli.Run run = run(args("explain", "ada-admin-shadow", "--at", "2026-12-02T12:00:00Z", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("ada-admin-shadow (Ada Admin-Shadow), at 2026-12-02T12:00:00Z, from the cluster\n")
                .contains("Has:     Production Admin (supervised) in apps (production-admin, production-deploy) and platform")
                .endsWith("Operator: its status says Admin (supervised) with apps/ada-admin-shadow-admin.\n"
                        + "Recent changes (status.history, newest last):\n"
                        + "  2026-11-30T09:00:02Z  Deploy -> Admin (supervised): an AdminShadow shift starts\n");
    }

    @Test
    void explainSaysWhenTheOperatorHasNotActedOnTheLatestEditYet() {
        EngineerAccess ea = client.resources(EngineerAccess.class).withName("alex-admin").get();
        EngineerAccessStatus old = written();
        old.observedGeneration = 0L;
        old.history = List.of();
        ea.setStatus(old);
        client.resource(ea).update();

        Cli.Run run = run(args("explain", "alex-admin", "--at", "2026-12-02T12:00:00Z", "--kubeconfig", kubeconfig));

        assertThat(run.out()).endsWith("Operator: has not acted on the latest edit yet; its status says Admin (supervised) with"
                + " apps/ada-admin-shadow-admin.\n");
    }

    @Test
    void aClusterThatCannotBeReachedIsSaidPlainly() {
        Cli.Run run = run(args("report", "--kubeconfig", kubeconfig, "--context", "gone"));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("engineer-access: cannot read the cluster at http://127.0.0.1:1/: the API server could not be"
                + " reached\n");
    }

    @Test
    void aMissingKubeconfigOrEngineerIsSaidPlainly() {
        Cli.Run noFile = run(args("explain", "ada-admin-shadow", "--kubeconfig", dir.resolve("nope")));
        assertThat(noFile.exit()).isEqualTo(1);
        assertThat(noFile.err()).isEqualTo("engineer-access: no kubeconfig file at " + dir.resolve("nope") + "\n");

        Cli.Run nobody = run(args("explain", "nobody", "--kubeconfig", kubeconfig));
        assertThat(nobody.exit()).isEqualTo(1);
        assertThat(nobody.err()).isEqualTo("engineer-access: no EngineerAccess named 'nobody' in the cluster\n");
    }

    // report --unexplained: who else holds production access.

    static Subject subject(String kind, String name) {
        return new SubjectBuilder().withKind(kind).withName(name).build();
    }

    /** A RoleBinding of {@code role}, with the operator's labels and owner reference when {@code ours}. */
    void roleBinding(String namespace, String name, String role, Map<String, String> labels, boolean owned, Subject... subjects) {
        var meta = new RoleBindingBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels);
        if (owned) {
            meta.withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess")
                    .withName("alex-admin").withUid("uid-alex").withController(true).build());
        }
        client.resource(meta.endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role).withSubjects(subjects).build())
                .create();
    }

    static final Map<String, String> OURS = Map.of("app.kubernetes.io/managed-by", "engineer-access-operator",
            "access.govuk.digital/engineer", "alex-admin");

    /** The operator's binding, and one of another role: neither is listed. */
    void operatorsOwnAndAnotherRole() {
        roleBinding("apps", "alex-admin-admin", "production-admin", OURS, true, subject("User", "alex-admin@example.gov.uk"));
        roleBinding("apps", "readers", "view", Map.of(), false, subject("Group", "everyone"));
    }

    /** The operator's binding, one stripped of its label, one with our labels and no owner, and a ClusterRoleBinding of seven. */
    void unexplainedBindings() {
        operatorsOwnAndAnotherRole();
        roleBinding("apps", "fay-deploy", "production-deploy", Map.of("access.govuk.digital/engineer", "fay"), true,
                subject("User", "fay@example.gov.uk"));
        roleBinding("platform", "ghost-admin", "production-admin", OURS, false, subject("User", "ghost@example.gov.uk"),
                new SubjectBuilder().withKind("ServiceAccount").withNamespace("ci").withName("deployer").build());
        client.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("break-glass").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "production-admin")
                .withSubjects(subject("Group", "sre"), subject("User", "a"), subject("User", "b"), subject("User", "c"), subject("User", "d"),
                        subject("User", "e"), subject("User", "f"))
                .build()).create();
    }

    @Test
    void reportUnexplainedListsTheBindingsTheOperatorDidNotMakeClusterWideFirst() {
        unexplainedBindings();

        Cli.Run run = run(args("report", "--unexplained", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("""
                Bindings of production-deploy and production-admin the operator did not make, at 2026-12-02T12:00:00Z
                KIND                NAMESPACE  NAME         ROLE               SUBJECTS
                ClusterRoleBinding  (all)      break-glass  production-admin   Group sre, User a, User b, User c, User d and 2 more
                RoleBinding         apps       fay-deploy   production-deploy  User fay@example.gov.uk
                RoleBinding         platform   ghost-admin  production-admin   User ghost@example.gov.uk and ServiceAccount ci/deployer
                """);
    }

    @Test
    void reportUnexplainedAsCsvNamesEverySubject() {
        unexplainedBindings();

        Cli.Run run = run(args("report", "--unexplained", "-o", "csv", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("kind,namespace,name,role,subjects\r\n"
                + "ClusterRoleBinding,(all),break-glass,production-admin,\"Group sre, User a, User b, User c, User d, User e and User f\"\r\n"
                + "RoleBinding,apps,fay-deploy,production-deploy,User fay@example.gov.uk\r\n"
                + "RoleBinding,platform,ghost-admin,production-admin,User ghost@example.gov.uk and ServiceAccount ci/deployer\r\n");
    }

    @Test
    void reportUnexplainedSaysPlainlyWhenThereIsNone() {
        operatorsOwnAndAnotherRole();

        Cli.Run table = run(args("report", "--unexplained", "--kubeconfig", kubeconfig));
        Cli.Run csv = run(args("report", "--unexplained", "-o", "csv", "--kubeconfig", kubeconfig));

        assertThat(table.exit()).as(table.toString()).isZero();
        assertThat(table.out()).isEqualTo("No access outside the operator's records: every binding of production-deploy and"
                + " production-admin was made by the operator.\n");
        assertThat(csv.exit()).as(csv.toString()).isZero();
        assertThat(csv.out()).isEqualTo("kind,namespace,name,role,subjects\r\n");
        assertThat(csv.err()).startsWith("note: No access outside the operator's records");
    }

    @Test
    void reportUnexplainedLooksForTheRolesThePolicyNames() {
        AccessPolicy policy = client.resources(AccessPolicy.class).withName("default").get();
        policy.getSpec().admin.clusterRole = "prod-admin-v2";
        client.resource(policy).update();
        unexplainedBindings();
        roleBinding("apps", "v2", "prod-admin-v2", Map.of(), false, subject("User", "new@example.gov.uk"));

        Cli.Run run = run(args("report", "--unexplained", "-o", "markdown", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("""
                ## Production access outside the operator's records at 2026-12-02T12:00:00Z

                From the cluster: the RoleBindings and ClusterRoleBindings of production-deploy and prod-admin-v2 that the operator\
                 did not make, so that no EngineerAccess explains them.

                | Kind | Namespace | Name | Role | Subjects |
                |---|---|---|---|---|
                | RoleBinding | apps | fay-deploy | production-deploy | User fay@example.gov.uk |
                | RoleBinding | apps | v2 | prod-admin-v2 | User new@example.gov.uk |
                """);
    }

    @Test
    void anInvalidPolicyStillNamesTheRolesItsBindingsGrantAndTheReportSaysItIsInvalid() {
        AccessPolicy policy = client.resources(AccessPolicy.class).withName("default").get();
        policy.getSpec().admin.clusterRole = "prod-admin-v2";
        policy.getSpec().minShadowShifts = -1;
        client.resource(policy).update();
        unexplainedBindings();
        roleBinding("apps", "v2", "prod-admin-v2", Map.of(), false, subject("User", "new@example.gov.uk"));

        Cli.Run run = run(args("report", "--unexplained", "-o", "csv", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEqualTo("note: the AccessPolicy named default is invalid; the ClusterRoles it names, production-deploy"
                + " and prod-admin-v2, are looked for\n");
        assertThat(run.out().lines().skip(1)).containsExactly("RoleBinding,apps,fay-deploy,production-deploy,User fay@example.gov.uk",
                "RoleBinding,apps,v2,prod-admin-v2,User new@example.gov.uk");
    }

    @Test
    void reportUnexplainedWithoutAnAccessPolicyLooksForTheBuiltInRolesAndSaysSo() {
        client.resources(AccessPolicy.class).withName("default").delete();
        unexplainedBindings();

        Cli.Run run = run(args("report", "--unexplained", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEqualTo("note: there is no AccessPolicy named default, so the built-in ClusterRoles production-deploy"
                + " and production-admin are looked for\n");
        assertThat(run.out().lines().skip(2)).hasSize(3);
    }

    @Test
    void aUserWhoMayNotListBindingsIsToldInOneSentence() {
        server.expect().get().withPath("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("clusterrolebindings.rbac.authorization.k8s.io"
                        + " is forbidden: User \"auditor\" cannot list resource \"clusterrolebindings\"").build())
                .always();

        Cli.Run run = run(args("report", "--unexplained", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("engineer-access: cannot read the cluster at " + client.getConfiguration().getMasterUrl()
                + ": you may not list ClusterRoleBindings there (403): clusterrolebindings.rbac.authorization.k8s.io is forbidden: User"
                + " \"auditor\" cannot list resource \"clusterrolebindings\"\n");
    }
}
