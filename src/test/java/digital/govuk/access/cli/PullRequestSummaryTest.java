package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.docs;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10: {@code plan --against OLDPATH -o markdown}, the summary a pull request comment shows. */
class PullRequestSummaryTest {
    @TempDir
    Path dir;

    static final String NEXT_WEEK_APPROVAL = Cli.APPROVAL.replace("2026-02-01", "2026-12-07");
    /** An AdminShadow shift this week, after a completed Shadow shift: Admin (supervised) now. */
    static final String SHADOWING = """
              probation: {passedOn: 2026-07-01}
              shifts:
              - {role: Shadow, startTime: "2026-08-03T09:00:00Z", endTime: "2026-08-07T17:30:00Z"}
              - {role: AdminShadow, startTime: "2026-11-30T09:00:00Z", endTime: "2026-12-04T17:30:00Z", supervisor: pat.primary@example.gov.uk}
            """;

    Cli.Run summary(String before, String after) {
        Path old = write(dir, "old/all.yaml", docs(Cli.POLICY_WITH_APPROVERS, Cli.NAMESPACES, before));
        Path changed = write(dir, "new/all.yaml", docs(Cli.POLICY_WITH_APPROVERS, Cli.NAMESPACES, after));
        return run(args("plan", "--at", "2026-12-02T12:00:00Z", "-o", "markdown", "--against", old.getParent(), changed.getParent()));
    }

    @Test
    void riskiestChangesFirstWithNamespacesTimesAndApprovers() {
        Cli.Run run = summary(
                docs(Cli.deploy("shadower"), Cli.deploy("excepted"), Cli.none("starter"), Cli.deploy("leaver"), Cli.none("idle")),
                docs(Cli.engineer("shadower", Cli.identity("shadower"), Cli.CLEARANCE, Cli.APPROVAL, SHADOWING),
                        Cli.exception("excepted", "2026-12-09T17:30:00Z"),
                        Cli.engineer("starter", Cli.identity("starter"), Cli.CLEARANCE, NEXT_WEEK_APPROVAL),
                        Cli.none("leaver"), Cli.none("idle")));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("""
                ## Production access: what this change does

                Planned at 2026-12-02T12:00:00Z against the target branch, by the rules the operator applies.

                New Admin access: **1** · Admin by exception: **1** · New Deploy access: **1** · Access reduced or removed: **1** · unchanged: 1

                ### New Admin access

                **shadower** (shadower)

                - Now: Deploy → **Admin (supervised)**
                  - gains production-admin in apps, platform
                - Later: Admin in apps, platform from 2026-12-04T17:30:00Z
                - Added spec.probation: passed on 2026-07-01
                - Added spec.shifts[0]: Shadow shift from 2026-08-03T09:00:00Z until 2026-08-07T17:30:00Z
                - Added spec.shifts[1]: AdminShadow shift from 2026-11-30T09:00:00Z until 2026-12-04T17:30:00Z, supervised by pat.primary@example.gov.uk

                ### Admin by exception

                **excepted** (excepted)

                - Now: Deploy → **Admin (supervised) until 2026-12-09T17:30:00Z**
                  - gains production-admin in apps until 2026-12-09T17:30:00Z, platform until 2026-12-09T17:30:00Z
                - Later: Deploy in apps from 2026-12-09T17:30:00Z
                - Added spec.exceptions[0]: Admin by exception from 2026-11-25T09:00:00Z until 2026-12-09T17:30:00Z, supervised by pat.primary@example.gov.uk: "Cover for incident response", **approved by head.of.tech@example.gov.uk**; Active: Admin, supervised by pat.primary@example.gov.uk, until 2026-12-09T17:30:00Z

                ### New Deploy access

                **starter** (starter)

                - Now: None, unchanged
                - Later: Deploy in apps from 2026-12-07T00:00:00Z
                - Added spec.deployApproval: Deploy approved on 2026-12-07, **approved by tess.lead@example.gov.uk**

                ### Access reduced or removed

                **leaver** (leaver)

                - Now: Deploy → **None**
                  - loses production-deploy in apps
                - Why: No deploy approval from a tech lead is recorded: ask your tech lead to check the four points (code review, releasing, rollback, getting help) and record the approval in spec.deployApproval
                - Removed spec.deployApproval: Deploy approved on 2026-02-01, **approved by tess.lead@example.gov.uk**
                """);
    }

    @Test
    void invalidManifestsAreListedAndTheCheckFails() {
        Cli.Run run = summary(Cli.deploy("steady"),
                docs(Cli.deploy("steady"), Cli.engineer("oops", Cli.identity("oops"), "  clearance: {level: Top, grantedOn: 2026-01-12}\n")));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("> **1 invalid manifest**: invalid input grants nothing, and this check fails.")
                .contains("### Invalid manifests\n\n| file | object | field | problem |\n|---|---|---|---|\n")
                .contains("| EngineerAccess oops | spec.clearance.level | expected one of None, BPSS, SC, DV, got the string 'Top' |")
                .contains("**oops**\n\n- Now: no EngineerAccess → **None**\n- **Invalid**: grants nothing (see Invalid manifests)\n");
    }

    @Test
    void aRejectedExceptionIsShownThoughAccessDoesNotChange() {
        Cli.Run run = summary(Cli.deploy("hopeful"),
                Cli.exception("hopeful", "2026-12-09T17:30:00Z").replace("head.of.tech@example.gov.uk", "tess.lead@example.gov.uk"));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Admin by exception: **1** · unchanged: 0", "### Admin by exception", "- Now: Deploy, unchanged",
                "**approved by tess.lead@example.gov.uk**; ⚠ **Rejected (ApproverNotAuthorised)**: tess.lead@example.gov.uk is not a Lead"
                        + " Developer or Head of Technology listed in the policy's exceptionApprovers");
    }

    @Test
    void textFromTheManifestsCannotFormatTheComment() {
        Cli.Run run = summary(Cli.none("named"), Cli.deploy("named").replace("fullName: named", "fullName: \"<img src=x> [click](http://x) | *\""));

        assertThat(run.out()).contains("**named** (\\<img src=x\\> \\[click\\](http://x) \\| \\*)");
    }

    @Test
    void markdownNeedsSomethingToCompareWith() {
        Cli.Run run = run(args("plan", "-o", "markdown", Cli.examples()));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("-o markdown is the pull request summary: it needs --against OLDPATH");
    }
}
