package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.examples;
import static digital.govuk.access.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Usage errors: exit 2, a message and the usage on stderr, nothing on stdout. Help: exit 0, usage on stdout. */
class UsageTest {

    static java.util.stream.Stream<Arguments> usageErrors() {
        String ex = examples().toString();
        return java.util.stream.Stream.of(
                Arguments.of(new String[] {}, null),
                Arguments.of(new String[] {"apply", ex}, "engineer-access: unknown command 'apply'"),
                Arguments.of(new String[] {"plan", "--verbose", ex}, "engineer-access: unknown option --verbose"),
                Arguments.of(new String[] {"plan", "-x", ex}, "engineer-access: unknown option -x"),
                Arguments.of(new String[] {"plan", "--at", "2026-12-02", ex},
                        "engineer-access: --at '2026-12-02' is not an RFC 3339 instant (for example 2026-12-01T09:00:00Z)"),
                Arguments.of(new String[] {"plan", "--at", "tomorrow", ex}, "engineer-access: --at 'tomorrow' is not an RFC 3339 instant"),
                Arguments.of(new String[] {"plan", "--at", "2026-12-02T12:00:00", ex},
                        "engineer-access: --at '2026-12-02T12:00:00' is not an RFC 3339 instant"),
                Arguments.of(new String[] {"plan", "-o", "yaml", ex}, "engineer-access: -o takes table, json or markdown, not 'yaml'"),
                Arguments.of(new String[] {"plan", "--output=yaml", ex}, "engineer-access: -o takes table, json or markdown, not 'yaml'"),
                Arguments.of(new String[] {"plan", ex, "--at"}, "engineer-access: --at needs a value"),
                Arguments.of(new String[] {"plan", ex, "-o"}, "engineer-access: -o needs a value"),
                Arguments.of(new String[] {"plan", ex, "--against"}, "engineer-access: --against needs a value"),
                Arguments.of(new String[] {"plan"}, "engineer-access: name at least one file or folder"),
                Arguments.of(new String[] {"plan", "--at", "2026-12-02T12:00:00Z", "-o", "json"},
                        "engineer-access: name at least one file or folder"),
                Arguments.of(new String[] {"plan", "--against", ex}, "engineer-access: name at least one file or folder"),
                Arguments.of(new String[] {"plan", "--kubeconfig", "k", ex}, "engineer-access: plan reads files only: name them as PATHs"),
                Arguments.of(new String[] {"report", "-o", "json", ex}, "engineer-access: -o takes table, csv or markdown, not 'json'"),
                Arguments.of(new String[] {"report", "--kubeconfig", "k", ex},
                        "engineer-access: report reads either the cluster (--kubeconfig, --context) or files (PATH...), not both"),
                Arguments.of(new String[] {"report", "--against", ex, ex},
                        "engineer-access: report takes PATHs, or reads the cluster; --against and -f are for plan and explain"),
                Arguments.of(new String[] {"report", "--unexplained", ex},
                        "engineer-access: report --unexplained reads the RoleBindings and ClusterRoleBindings in the cluster, which files"
                                + " cannot show: drop the PATHs"),
                Arguments.of(new String[] {"report", "--unexplained", "--at", "2026-12-02T12:00:00Z"},
                        "engineer-access: report --unexplained shows the bindings in the cluster as they are now: --at does not apply"),
                Arguments.of(new String[] {"report", "--unexplained", "-o", "json"}, "engineer-access: -o takes table, csv or markdown, not 'json'"),
                Arguments.of(new String[] {"report", "--unexplained=yes"}, "engineer-access: --unexplained takes no value"),
                Arguments.of(new String[] {"plan", "--unexplained", ex},
                        "engineer-access: --unexplained is for report: report --unexplained lists access outside the operator's records"),
                Arguments.of(new String[] {"explain", "a", "--unexplained"},
                        "engineer-access: --unexplained is for report: report --unexplained lists access outside the operator's records"),
                Arguments.of(new String[] {"explain"}, "engineer-access: explain takes one EngineerAccess NAME"),
                Arguments.of(new String[] {"explain", "a", "b"}, "engineer-access: explain takes one EngineerAccess NAME"),
                Arguments.of(new String[] {"explain", "a", "-o", "json"}, "engineer-access: explain takes NAME, --at, --kubeconfig, --context and -f"),
                Arguments.of(new String[] {"explain", "a", "--context", "c", "-f", ex},
                        "engineer-access: explain reads either the cluster (--kubeconfig, --context) or files (-f), not both"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("usageErrors")
    void usageErrorsExitTwoWithAMessageAndTheUsage(String[] args, String message) {
        Cli.Run run = run(args);

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        if (message != null) {
            assertThat(run.err()).startsWith(message);
            assertThat(run.err().lines().findFirst().orElseThrow()).startsWith(message);
        }
        assertThat(run.err()).contains("Usage: engineer-access plan [--at RFC3339] [-o table|json|markdown] [--against OLDPATH] PATH...",
                "       engineer-access report [--at RFC3339] [-o table|csv|markdown] [--kubeconfig FILE] [--context NAME] [PATH...]",
                "       engineer-access report --unexplained [-o table|csv|markdown] [--kubeconfig FILE] [--context NAME]",
                "       engineer-access explain NAME [--at RFC3339] [--kubeconfig FILE] [--context NAME] [-f PATH]...");
    }

    @Test
    void asAKubectlPluginItCallsItselfKubectlAccess() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int exit = Main.run("kubectl access", new String[] {"apply"}, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), Cli.CLOCK);
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).startsWith("kubectl access: unknown command 'apply'\n"
                + "Usage: kubectl access plan ");
    }

    @Test
    void helpPrintsTheUsageOnStdout() {
        for (String[] help : new String[][] {{"--help"}, {"-h"}, {"help"}, {"plan", "--help"}, {"plan", "-o", "json", "-h"},
                {"report", "--help"}, {"explain", "-h"}}) {
            Cli.Run run = run(help);
            assertThat(run.exit()).as(String.join(" ", help)).isZero();
            assertThat(run.err()).isEmpty();
            assertThat(run.out()).startsWith("Usage: engineer-access plan ")
                    .contains("--at T", "-o, --output F", "--against OLD", "--unexplained     report: access outside the operator's records", "Exit status: 0 every input is valid; 1 some input is invalid");
        }
    }

    @Test
    void optionsMayComeAfterThePathsAndTakeEqualsSigns() {
        Cli.Run run = run(args("plan", examples(), "--output=json", "--at=2026-12-02T12:00:00Z"));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.json().path("items")).hasSize(10);
    }
}
