package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.docs;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code plan --against OLDPATH}: who gains or loses what between two sets of manifests at one instant. */
class AgainstTest {
    @TempDir
    Path dir;
    Path old;
    Path changed;

    /**
     * Old: apps (deploy, admin), platform (admin), sandbox. New: the admin label moves from platform to sandbox.
     * gainer: None -> Deploy (approval added); loser: Admin -> Deploy (AdminShadow shift removed); leaver: removed;
     * joiner: added; mover: Admin in both, its admin binding moves; steady (Deploy) and idle (None): unchanged.
     */
    @BeforeEach
    void manifests() {
        old = dir.resolve("old");
        changed = dir.resolve("new");
        write(old, "policy.yaml", Cli.POLICY_OF_DEFAULTS);
        write(changed, "policy.yaml", Cli.POLICY_OF_DEFAULTS);
        write(old, "namespaces.yaml", Cli.NAMESPACES);
        write(old, "engineers.yaml", docs(Cli.none("gainer"), Cli.admin("loser"), Cli.deploy("leaver"), Cli.admin("mover"),
                Cli.deploy("steady"), Cli.none("idle")));
        write(changed, "namespaces.yaml", Cli.NAMESPACES
                .replace("  name: platform\n  labels: {access.govuk.digital/admin: \"true\"}\n", "  name: platform\n")
                .replace("  name: sandbox\n", "  name: sandbox\n  labels: {access.govuk.digital/admin: \"true\"}\n"));
        write(changed, "engineers.yaml", docs(Cli.deploy("gainer"),
                Cli.engineer("loser", Cli.identity("loser"), Cli.CLEARANCE, Cli.APPROVAL, Cli.PROBATION),
                Cli.admin("mover"), Cli.deploy("steady"), Cli.none("idle"), Cli.deploy("joiner")));
    }

    @Test
    void textSaysWhoGainsAndLosesWhat() {
        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "--against", old, changed));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("""
                Changes in access at 2026-12-02T12:00:00Z
                gainer: None -> Deploy
                  + gains production-deploy in apps
                loser: Admin -> Deploy
                  - loses production-admin in apps
                  - loses production-admin in platform
                leaver: Deploy -> (absent)
                  - loses production-deploy in apps
                mover: Admin -> Admin
                  + gains production-admin in sandbox
                  - loses production-admin in platform
                joiner: (absent) -> Deploy
                  + gains production-deploy in apps
                5 engineers change, 2 unchanged
                """);
    }

    @Test
    void jsonListsTheChangesAndCountsTheRest() {
        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "-o", "json", "--against", old, changed));

        assertThat(run.exit()).as(run.toString()).isZero();
        JsonNode root = run.json();
        assertThat(root.path("at").asText()).isEqualTo("2026-12-02T12:00:00Z");
        assertThat(root.path("unchanged").asInt()).isEqualTo(2);
        Map<String, JsonNode> changes = new LinkedHashMap<>();
        for (JsonNode c : root.path("changes")) {
            changes.put(c.path("name").asText(), c);
        }
        assertThat(changes.keySet()).containsExactly("gainer", "loser", "leaver", "mover", "joiner");

        JsonNode gainer = changes.get("gainer");
        assertThat(side(gainer.path("before"))).isEqualTo("present None supervised=false");
        assertThat(side(gainer.path("after"))).isEqualTo("present Deploy supervised=false");
        assertThat(bindings(gainer.path("gained"))).containsExactly("apps/gainer-deploy/production-deploy");
        assertThat(gainer.path("lost")).isEmpty();

        JsonNode loser = changes.get("loser");
        assertThat(side(loser.path("before"))).isEqualTo("present Admin supervised=false");
        assertThat(side(loser.path("after"))).isEqualTo("present Deploy supervised=false");
        assertThat(loser.path("gained")).isEmpty();
        assertThat(bindings(loser.path("lost"))).containsExactly("apps/loser-admin/production-admin",
                "platform/loser-admin/production-admin");

        JsonNode leaver = changes.get("leaver");
        assertThat(side(leaver.path("after"))).isEqualTo("absent None supervised=false");
        assertThat(bindings(leaver.path("lost"))).containsExactly("apps/leaver-deploy/production-deploy");

        JsonNode joiner = changes.get("joiner");
        assertThat(side(joiner.path("before"))).isEqualTo("absent None supervised=false");
        assertThat(side(joiner.path("after"))).isEqualTo("present Deploy supervised=false");
        assertThat(bindings(joiner.path("gained"))).containsExactly("apps/joiner-deploy/production-deploy");

        JsonNode mover = changes.get("mover");
        assertThat(side(mover.path("before"))).isEqualTo(side(mover.path("after")));
        assertThat(bindings(mover.path("gained"))).containsExactly("sandbox/mover-admin/production-admin");
        assertThat(bindings(mover.path("lost"))).containsExactly("platform/mover-admin/production-admin");
    }

    @Test
    void nothingChangedSaysSo() {
        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "--against", old, old));

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("""
                Changes in access at 2026-12-02T12:00:00Z
                No engineer gains or loses access.
                0 engineers change, 6 unchanged
                """);
    }

    @Test
    void becomingSupervisedOrChangingAnExceptionsExpiryIsAChange() {
        Path before = write(dir, "before/all.yaml", docs(Cli.POLICY_WITH_APPROVERS, Cli.NAMESPACES,
                Cli.exception("extended", "2026-12-04T17:30:00Z"), Cli.deploy("excepted")));
        Path after = write(dir, "after/all.yaml", docs(Cli.POLICY_WITH_APPROVERS, Cli.NAMESPACES,
                Cli.exception("extended", "2026-12-09T17:30:00Z"), Cli.exception("excepted", "2026-12-09T17:30:00Z")));

        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "--against", before, after));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("""
                Changes in access at 2026-12-02T12:00:00Z
                extended: Admin (supervised, until 2026-12-04T17:30:00Z) -> Admin (supervised, until 2026-12-09T17:30:00Z)
                  later: Deploy in apps from 2026-12-09T17:30:00Z
                  was later: Deploy in apps from 2026-12-04T17:30:00Z
                excepted: Deploy -> Admin (supervised, until 2026-12-09T17:30:00Z)
                  + gains production-admin in apps until 2026-12-09T17:30:00Z
                  + gains production-admin in platform until 2026-12-09T17:30:00Z
                  later: Deploy in apps from 2026-12-09T17:30:00Z
                2 engineers change, 0 unchanged
                """);

        JsonNode json = run(args("plan", "--at", "2026-12-02T12:00:00Z", "-o", "json", "--against", before, after)).json();
        JsonNode extended = json.path("changes").get(0);
        assertThat(extended.path("before").path("accessExpiryTime").asText()).isEqualTo("2026-12-04T17:30:00Z");
        assertThat(extended.path("after").path("accessExpiryTime").asText()).isEqualTo("2026-12-09T17:30:00Z");
        assertThat(extended.path("after").path("supervised").asBoolean()).isTrue();
        JsonNode excepted = json.path("changes").get(1);
        assertThat(excepted.path("gained").get(0).path("expiryTime").asText()).isEqualTo("2026-12-09T17:30:00Z");
    }

    /** Issue 10: a grant dated in the future is a change though nothing changes now. */
    @Test
    void aFutureDatedGrantIsAChangeThoughNothingChangesNow() {
        Path before = write(dir, "before/all.yaml", docs(Cli.NAMESPACES, Cli.none("starter")));
        Path after = write(dir, "after/all.yaml", docs(Cli.NAMESPACES, Cli.none("starter") + Cli.APPROVAL.replace("2026-02-01", "2026-12-07")));

        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "--against", before, after));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("""
                Changes in access at 2026-12-02T12:00:00Z
                starter: None -> None
                  later: Deploy in apps from 2026-12-07T00:00:00Z
                1 engineer changes, 0 unchanged
                """);
        JsonNode later = run(args("plan", "--at", "2026-12-02T12:00:00Z", "-o", "json", "--against", before, after)).json()
                .path("changes").get(0).path("after").path("later");
        assertThat(later).hasSize(1);
        assertThat(later.get(0).path("stage").asText()).isEqualTo("Deploy");
        assertThat(later.get(0).path("from").asText()).isEqualTo("2026-12-07T00:00:00Z");
    }

    @Test
    void anEngineerMadeInvalidLosesEverythingRatherThanVanishing() {
        Path after = write(dir, "typo/all.yaml", docs(Cli.NAMESPACES,
                Cli.deploy("steady").replace("level: BPSS", "levle: BPSS")));

        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "--against", old, after));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + after + ": EngineerAccess steady: spec.clearance.levle: unknown field 'levle'; the fields here are level, grantedOn");
        assertThat(run.out()).contains("steady: Deploy -> None\n  - loses production-deploy in apps\n");
    }

    @Test
    void invalidInputOnTheOldSideIsAnErrorToo() {
        Path broken = write(dir, "broken/engineers.yaml", docs(Cli.deploy("steady"),
                Cli.engineer("oops", Cli.identity("oops"), "  clearance: {level: Top, grantedOn: 2026-01-12}\n")));

        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "--against", broken.getParent(), changed));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + broken
                + ": EngineerAccess oops: spec.clearance.level: expected one of None, BPSS, SC, DV, got the string 'Top'");
        assertThat(run.err()).endsWith("1 invalid input: they grant nothing\n");
        assertThat(run.out()).startsWith("Changes in access at 2026-12-02T12:00:00Z\n");

        Path missing = dir.resolve("not-there");
        Cli.Run gone = run(args("plan", "--against", missing, changed));
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.invalid()).containsExactly("invalid: " + missing + ": -: no such file or folder");
    }

    private static String side(JsonNode s) {
        return (s.path("present").asBoolean() ? "present " : "absent ") + s.path("level").asText() + " supervised="
                + s.path("supervised").asBoolean();
    }

    private static List<String> bindings(JsonNode list) {
        return java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .map(b -> b.path("namespace").asText() + "/" + b.path("name").asText() + "/" + b.path("clusterRole").asText())
                .toList();
    }
}
