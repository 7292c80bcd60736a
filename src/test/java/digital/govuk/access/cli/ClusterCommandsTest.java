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

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
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
}
