package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.docs;
import static digital.govuk.access.cli.Cli.examples;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10: {@code explain NAME} from files (ClusterCommandsTest and the real API server read a cluster). */
class ExplainCommandTest {
    @TempDir
    Path dir;

    @Test
    void whatTheyHaveWhyWhatIsMissingAndWhenItChanges() {
        Cli.Run run = run(args("explain", "ada-admin-shadow", "--at", "2026-12-02T12:00:00Z", "-f", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("""
                ada-admin-shadow (Ada Admin-Shadow), at 2026-12-02T12:00:00Z, from files

                Has:     Production Admin (supervised) in apps (production-admin, production-deploy) and platform (production-admin), since 2026-11-30T09:00:00Z.
                         Use Admin only under supervision.
                Why:     Admin: an AdminShadow shift starts after clearance, passed probation and a Shadow shift (spec.shifts[1], 2026-11-30T09:00:00Z to 2026-12-04T17:30:00Z, supervised by pat.primary@example.gov.uk)
                         Deploy: the Deploy rules hold: clearance and a tech lead's approval with all four confirmations (approved by tom.lead@example.gov.uk on 2025-07-01)
                Missing: nothing: Admin is the highest access.
                Changes:
                  2026-12-04T17:30:00Z  Admin in apps, platform: the AdminShadow shift ends: Admin is kept, unsupervised (spec.shifts[1])
                Rota:    may be drafted as Secondary; Primary and OnCall after 2 Secondary shifts (0 done).
                """);
    }

    @Test
    void whatIsMissingSaysWhatToDoNext() {
        Cli.Run run = run(args("explain", "nadia-new", "--at", "2026-12-02T12:00:00Z", "-f", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Has:     no production access.\n",
                "  for Deploy:\n  - The deploy approval is dated 2026-12-07 and counts from that day: nothing to do but wait"
                        + " (DeployApprovalMissing, spec.deployApproval)\n",
                "  - 0 of the 1 required Technical 2nd Line Shadow shifts completed: ask to be booked on a Shadow shift (ShadowShiftMissing,"
                        + " spec.shifts)\n",
                "Changes:\n  2026-12-07T00:00:00Z  Deploy in apps: the Deploy rules hold: clearance and a tech lead's approval with all"
                        + " four confirmations (spec.deployApproval)\n",
                "Rota:    not eligible yet");
    }

    @Test
    void anExceptionSaysWhoApprovedItAndWhenItEnds() {
        Cli.Run run = run(args("explain", "eve-exception", "--at", "2026-12-02T12:00:00Z", "-f", examples()));

        assertThat(run.out()).contains("since 2026-11-25T09:00:00Z, until 2026-12-09T17:30:00Z (time-limited).",
                "(spec.exceptions[0], approved by head.of.tech@example.gov.uk, supervised by pat.primary@example.gov.uk, until"
                        + " 2026-12-09T17:30:00Z: \"Cover for incident response while the team is short-staffed\")",
                "Exception spec.exceptions[0]: Active: Admin, supervised by pat.primary@example.gov.uk, until 2026-12-09T17:30:00Z\n",
                "  2026-12-09T17:30:00Z  Deploy in apps: the exception reaches its expiryTime (spec.exceptions[0])\n");
    }

    @Test
    void anInvalidSpecSaysWhichFieldsToFix() {
        Path file = write(dir, "people.yaml", docs(Cli.NAMESPACES, Cli.engineer("broken", Cli.identity("broken"),
                "  clearance: {level: BPSS}\n")));

        Cli.Run run = run(args("explain", "broken", "--at", "2026-12-02T12:00:00Z", "-f", file));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).endsWith("Has:     no production access: the spec is invalid, so it grants nothing.\nFix:\n"
                + "  - spec.clearance.grantedOn: is required for clearance level BPSS\n");
    }

    @Test
    void aSecondEngineerAccessForOnePersonSaysWhichKeepsThePerson() {
        Path file = write(dir, "people.yaml", docs(Cli.NAMESPACES, Cli.deploy("jane"), Cli.janeByUserName("jane-user")));

        Cli.Run refused = run(args("explain", "jane-user", "--at", "2026-12-02T12:00:00Z", "-f", file));

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).contains("Has:     no production access: an earlier EngineerAccess names the same person, so this"
                + " one grants nothing.\nFix:\n  - spec.subject.name: names the same person (jane@example.gov.uk) as EngineerAccess 'jane'");
        Cli.Run kept = run(args("explain", "jane", "--at", "2026-12-02T12:00:00Z", "-f", file));
        assertThat(kept.exit()).as("the other's problem is not jane's").isZero();
        assertThat(kept.out()).contains("Deploy");
    }

    @Test
    void anEngineerThatIsNotThereIsAnError() {
        Cli.Run run = run(args("explain", "nobody", "-f", examples()));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("engineer-access: no EngineerAccess named 'nobody' in " + examples() + "\n");
    }
}
