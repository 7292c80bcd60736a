package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.docs;
import static digital.govuk.access.cli.Cli.examples;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import digital.govuk.access.operator.TestClock;

/** Issue 10: {@code report}, who holds which access, from files (ClusterCommandsTest reads a cluster). */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void whoHoldsWhatWhySinceUntilSupervisedAndApprovedByWhomAndTheRota() {
        Cli.Run run = run(args("report", "--at", "2026-12-02T12:00:00Z", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        Map<String, Map<String, String>> table = Cli.table(run.out());
        assertThat(table.values()).extracting(r -> r.get("NAME"), r -> r.get("ACCESS"), r -> r.get("SINCE"), r -> r.get("UNTIL"))
                .containsExactly(
                        tuple("nadia-new", "None", "-", "2026-12-07T00:00:00Z"),
                        tuple("dev-deploy", "Deploy", "2026-05-31T23:00:00Z", "-"),
                        tuple("sam-shadow", "Deploy", "2025-09-30T23:00:00Z", "-"),
                        tuple("ada-admin-shadow", "Admin (supervised)", "2026-11-30T09:00:00Z", "2026-12-04T17:30:00Z"),
                        tuple("alex-admin", "Admin", "2026-09-11T17:30:00Z", "-"),
                        tuple("sid-secondary", "Admin", "2026-07-10T16:30:00Z", "-"),
                        tuple("pat-primary", "Admin", "2025-02-07T17:30:00Z", "-"),
                        tuple("eve-exception", "Admin (supervised)", "2026-11-25T09:00:00Z", "2026-12-09T17:30:00Z"),
                        tuple("lou-leave", "None", "2026-10-12T23:00:01Z", "-"),
                        tuple("ray-returner", "Deploy", "2026-07-20T23:00:00Z", "2026-12-07T09:00:00Z"));
        assertThat(table.get("eve-exception")).containsEntry("NAMESPACES", "apps, platform")
                .containsEntry("WHY", "exception: Cover for incident response while the team is short-staffed; deploy approval of 2026-10-12")
                .containsEntry("SUPERVISED BY", "pat.primary@example.gov.uk")
                .containsEntry("APPROVED BY", "tom.lead@example.gov.uk (deploy), head.of.tech@example.gov.uk (exception)")
                .containsEntry("ROTA", "-");
        assertThat(table.get("ada-admin-shadow")).containsEntry("SUPERVISED BY", "pat.primary@example.gov.uk")
                .containsEntry("WHY", "on the AdminShadow shift until 2026-12-04T17:30:00Z; deploy approval of 2025-07-01")
                .containsEntry("ROTA", "Secondary");
        assertThat(table.get("pat-primary")).containsEntry("ROTA", "Secondary, Primary, OnCall").containsEntry("SUPERVISED BY", "-");
        assertThat(table.get("lou-leave")).containsEntry("WHY", "missing: LongAbsence");
    }

    /** Without --at the report is of now: a clock that moves while the command runs does not make it "the past". */
    @Test
    void withoutAtTheReportIsOfNowEvenOnAClockThatMoves() {
        // The tests' clock, from TestClock.START, moving 7 ms each time it is read.
        TestClock ticking = new TestClock() {
            @Override
            public synchronized Instant instant() {
                Instant now = super.instant();
                advance(Duration.ofMillis(7));
                return now;
            }
        };
        Cli.Run run = Cli.run(ticking, args("report", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).doesNotContain("in the past");
    }

    /** "Who could deploy on 3 March?" from today's facts, saying what that cannot know. */
    @Test
    void anInstantInThePastIsWorkedOutFromTodaysFactsAndSaysSo() {
        Cli.Run run = run(args("report", "--at", "2026-03-03T12:00:00Z", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).startsWith("note: --at 2026-03-03T12:00:00Z is in the past: this is worked out from today's facts and"
                + " AccessPolicy. It cannot know facts removed or changed since");
        Map<String, Map<String, String>> table = Cli.table(run.out());
        assertThat(table.values()).filteredOn(r -> !r.get("ACCESS").equals("None")).extracting(r -> r.get("NAME") + " " + r.get("ACCESS"))
                .containsExactly("sam-shadow Deploy", "ada-admin-shadow Deploy", "alex-admin Deploy", "sid-secondary Deploy",
                        "pat-primary Admin", "lou-leave Admin", "ray-returner Admin");
        // Back then lou-leave was not yet away, and ray-returner not yet gone: until their long absences began.
        assertThat(table.get("lou-leave")).containsEntry("UNTIL", "2026-10-12T23:00:01Z");
        assertThat(table.get("ray-returner")).containsEntry("UNTIL", "2026-06-14T23:00:01Z");
        assertThat(table.get("dev-deploy")).containsEntry("WHY", "missing: ClearanceMissing, DeployApprovalMissing");
    }

    @Test
    void csvIsForASpreadsheetAndNeverRunsAFormula() {
        Path file = write(dir, "people.yaml", docs(Cli.NAMESPACES,
                Cli.deploy("formula").replace("fullName: formula", "fullName: \"=HYPERLINK(\\\"http://x\\\",\\\"y, z\\\")\"")));

        Cli.Run run = run(args("report", "--at", "2026-12-02T12:00:00Z", "-o", "csv", file));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("name,engineer,access,namespaces,why,since,until,supervised_by,approved_by,rota\r\n"
                + "formula,\"'=HYPERLINK(\"\"http://x\"\",\"\"y, z\"\")\",Deploy,apps,deploy approval of 2026-02-01,2026-02-01T00:00:00Z,-,-,"
                + "tess.lead@example.gov.uk (deploy),-\r\n");
    }

    @Test
    void markdownIsATableSafeToPaste() {
        Cli.Run run = run(args("report", "--at", "2026-12-02T12:00:00Z", "-o", "markdown", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("## Production access at 2026-12-02T12:00:00Z\n\nFrom " + examples()
                + ", by the rules the operator applies.\n\n| Name | Engineer | Access | Namespaces | Why | Since | Until | Supervised by"
                + " | Approved by | Rota |\n|---|---|---|---|---|---|---|---|---|---|\n")
                .contains("| pat-primary | Pat Primary | Admin | apps, platform | AdminShadow shift ended 2025-02-07T17:30:00Z; deploy"
                        + " approval of 2023-04-03 | 2025-02-07T17:30:00Z | - | - | tess.lead@example.gov.uk (deploy) | Secondary, Primary,"
                        + " OnCall |\n");
    }

    @Test
    void anInvalidEngineerGrantsNothingAndTheExitSaysSo() {
        Path file = write(dir, "people.yaml", docs(Cli.NAMESPACES, Cli.deploy("steady"),
                Cli.engineer("broken", Cli.identity("broken"), "  clearance: {level: BPSS}\n")));

        Cli.Run run = run(args("report", "--at", "2026-12-02T12:00:00Z", file));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + file + ": EngineerAccess broken: spec.clearance.grantedOn: is required for"
                + " clearance level BPSS");
        assertThat(Cli.table(run.out()).get("broken")).containsEntry("ACCESS", "None")
                .containsEntry("WHY", "invalid spec: spec.clearance.grantedOn: is required for clearance level BPSS");
    }

    @Test
    void aSecondEngineerAccessForOnePersonIsRefused() {
        Path file = write(dir, "people.yaml", docs(Cli.NAMESPACES, Cli.deploy("jane"), Cli.janeByUserName("jane-user")));

        Cli.Run run = run(args("report", "--at", "2026-12-02T12:00:00Z", file));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).hasSize(1).allSatisfy(l -> assertThat(l).contains("EngineerAccess jane-user: spec.subject.name:"
                + " names the same person (jane@example.gov.uk) as EngineerAccess 'jane'"));
        assertThat(Cli.table(run.out()).get("jane")).containsEntry("ACCESS", "Deploy");
        assertThat(Cli.table(run.out()).get("jane-user")).containsEntry("ACCESS", "None")
                .hasEntrySatisfying("WHY", why -> assertThat(why).startsWith("refused: spec.subject.name: names the same person"
                        + " (jane@example.gov.uk) as EngineerAccess 'jane'"));
    }
}
