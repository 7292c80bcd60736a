package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.examples;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/**
 * {@code report --check-policy}, what the chart's {@code helm test} runs: the exit status says whether the
 * AccessPolicy is valid, and an engineer's invalid EngineerAccess, printed as usual, does not fail the release.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class CheckPolicyTest {
    KubernetesClient client;

    @TempDir
    Path dir;
    Path kubeconfig;

    @BeforeEach
    void clusterWithTheExamples() {
        Manifests.Set examples = Manifests.read(List.of(examples()));
        examples.policies().forEach(p -> client.resource(p.object()).create());
        examples.namespaces().forEach(n -> client.resource(n.object()).create());
        examples.engineers().forEach(e -> client.resource(e.object()).create());
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

    /** An EngineerAccess whose clearance has no grantedOn: invalid (decision 13). */
    void addAnInvalidEngineer() {
        Path file = write(dir, "bad.yaml", Cli.engineer("bad-clearance", Cli.identity("bad-clearance"), "  clearance: {level: BPSS}\n"));
        client.resource(Manifests.read(List.of(file)).engineers().get(0).object()).create();
    }

    void breakThePolicy() {
        AccessPolicy policy = client.resources(AccessPolicy.class).withName("default").get();
        policy.getSpec().minShadowShifts = -1;
        client.resource(policy).update();
    }

    @Test
    void aValidPolicyExitsZeroAndSaysSo() {
        Cli.Run run = run(args("report", "--check-policy", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.invalid()).isEmpty();
        assertThat(run.err()).endsWith("check-policy: the AccessPolicy named default in the cluster is valid\n");
        assertThat(Cli.table(run.out())).as("the same report as without the option").isEqualTo(
                Cli.table(run(args("report", "--kubeconfig", kubeconfig)).out()));
    }

    @Test
    void anInvalidEngineerAccessIsPrintedButDoesNotFailTheCheck() {
        addAnInvalidEngineer();

        Cli.Run plain = run(args("report", "--kubeconfig", kubeconfig));
        Cli.Run check = run(args("report", "--check-policy", "--kubeconfig", kubeconfig));

        assertThat(plain.exit()).as("without the option, any invalid input fails: %s", plain).isEqualTo(1);
        assertThat(check.exit()).as(check.toString()).isZero();
        assertThat(check.invalid()).singleElement().asString().startsWith("invalid: cluster: EngineerAccess bad-clearance: spec.clearance");
        assertThat(check.err()).endsWith("check-policy: the AccessPolicy named default in the cluster is valid; 1 other invalid input"
                + " above grant nothing\n");
    }

    @Test
    void anInvalidPolicyExitsOneNamingTheField() {
        breakThePolicy();

        Cli.Run run = run(args("report", "--check-policy", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.invalid()).singleElement().asString().startsWith("invalid: cluster: AccessPolicy default: spec.minShadowShifts: ");
        assertThat(run.err()).endsWith("check-policy: the AccessPolicy named default in the cluster is invalid (1 problem above): the"
                + " operator keeps the last valid one in force, or freezes access if it never had one\n");
    }

    @Test
    void noAccessPolicyFailsTheCheckSinceNothingIsGrantedWithoutOne() {
        client.resources(AccessPolicy.class).withName("default").delete();

        Cli.Run run = run(args("report", "--check-policy", "--kubeconfig", kubeconfig));

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).endsWith("check-policy: there is no AccessPolicy named default in the cluster: without one the operator"
                + " grants nothing, and access is frozen until one is created\n");
    }

    /** Decision 76: the report and explain say what the operator does without an AccessPolicy, not what the defaults would. */
    @Test
    void withoutAnAccessPolicyTheReportAndExplainSayAccessIsFrozen() {
        client.resources(AccessPolicy.class).withName("default").delete();

        Cli.Run report = run(args("report", "--kubeconfig", kubeconfig));
        assertThat(report.exit()).as(report.toString()).isZero();
        assertThat(report.err()).contains("note: there is no AccessPolicy named default, and without one the operator grants nothing:"
                + " access is frozen until one is created\n");
        assertThat(Cli.table(report.out()).values()).isNotEmpty().allSatisfy(row -> {
            assertThat(row).containsEntry("ACCESS", "frozen");
            assertThat(row.get("WHY")).isEqualTo("there is no AccessPolicy named default, so nothing can be worked out");
        });

        Cli.Run explain = run(args("explain", "dev-deploy", "--kubeconfig", kubeconfig));
        assertThat(explain.exit()).as(explain.toString()).isZero();
        assertThat(explain.out()).contains("Access is frozen: there is no AccessPolicy named default, so the operator grants nothing new");
    }

    @Test
    void aClusterThatCannotBeReadFailsTheCheck() {
        Cli.Run run = run(args("report", "--check-policy", "--kubeconfig", kubeconfig, "--context", "gone"));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("engineer-access: cannot read the cluster at http://127.0.0.1:1/: the API server could not be"
                + " reached\n");
    }

    @Test
    void filesAreCheckedTheSameWay() {
        Path bad = write(dir, "files/policy.yaml", """
                apiVersion: access.govuk.digital/v1alpha1
                kind: AccessPolicy
                metadata: {name: default}
                spec: {longAbsenceDays: 0}
                """);

        Cli.Run valid = run(args("report", "--check-policy", examples()));
        Cli.Run invalid = run(args("report", "--check-policy", bad.getParent()));

        assertThat(valid.exit()).as(valid.toString()).isZero();
        assertThat(valid.err()).endsWith("check-policy: the AccessPolicy named default in the files is valid\n");
        assertThat(invalid.exit()).as(invalid.toString()).isEqualTo(1);
        assertThat(invalid.invalid()).singleElement().asString().contains("AccessPolicy default: spec.longAbsenceDays: ");
    }

    @Test
    void theOptionIsForReportAlone() {
        Cli.Run plan = run(args("plan", "--check-policy", examples()));
        Cli.Run unexplained = run(args("report", "--check-policy", "--unexplained"));
        Cli.Run valued = run(args("report", "--check-policy=yes"));

        assertThat(List.of(plan.exit(), unexplained.exit(), valued.exit())).containsOnly(2);
        assertThat(plan.err()).startsWith("engineer-access: --check-policy is for report: report --check-policy exits 1 only when the"
                + " AccessPolicy is invalid\n");
        assertThat(unexplained.err()).startsWith("engineer-access: --check-policy and --unexplained do not go together: report"
                + " --unexplained does not judge the AccessPolicy\n");
        assertThat(valued.err()).startsWith("engineer-access: --check-policy takes no value\n");
    }
}
