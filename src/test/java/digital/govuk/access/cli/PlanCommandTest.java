package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.AT;
import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.condition;
import static digital.govuk.access.cli.Cli.examples;
import static digital.govuk.access.cli.Cli.items;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code engineer-access plan} on valid input: the examples as a table and as JSON, instants and clocks. */
class PlanCommandTest {
    private static final List<String> CONDITION_TYPES =
            List.of("Ready", "DeployAccess", "AdminAccess", "Revoked", "SpecValid", "PolicyValid", "RotaOrder");

    @TempDir
    Path dir;

    @Test
    void examplesTableAtTheDocumentedInstant() {
        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).as("the examples are valid and hold no other AccessPolicy").isEmpty();
        assertThat(run.out()).startsWith("Access at 2026-12-02T12:00:00Z\n");
        Map<String, Map<String, String>> table = Cli.table(run.out());
        assertThat(table.keySet()).containsExactly("nadia-new", "dev-deploy", "sam-shadow", "ada-admin-shadow", "alex-admin",
                "sid-secondary", "pat-primary", "eve-exception", "lou-leave", "ray-returner");
        assertThat(table.values()).extracting(r -> r.get("NAME"), r -> r.get("LEVEL"), r -> r.get("SUPERVISED"), r -> r.get("EXPIRES"))
                .containsExactly(
                        tuple("nadia-new", "None", "no", "-"),
                        tuple("dev-deploy", "Deploy", "no", "-"),
                        tuple("sam-shadow", "Deploy", "no", "-"),
                        tuple("ada-admin-shadow", "Admin", "yes", "-"),
                        tuple("alex-admin", "Admin", "no", "-"),
                        tuple("sid-secondary", "Admin", "no", "-"),
                        tuple("pat-primary", "Admin", "no", "-"),
                        tuple("eve-exception", "Admin", "yes", "2026-12-09T17:30:00Z"),
                        tuple("lou-leave", "None", "no", "-"),
                        tuple("ray-returner", "Deploy", "no", "-"));

        assertThat(table.get("nadia-new")).containsEntry("ENGINEER", "Nadia New")
                .containsEntry("NEXT", "2026-12-07T00:00:00Z").containsEntry("NAMESPACES", "-");
        assertThat(table.get("nadia-new").get("WHY NOT MORE")).contains("Deploy:DeployApprovalMissing", "Admin:ProbationNotPassed");
        assertThat(table.get("dev-deploy")).containsEntry("NAMESPACES", "apps(deploy)");
        assertThat(table.get("ada-admin-shadow")).containsEntry("NAMESPACES", "apps(deploy+admin) platform(admin)")
                .containsEntry("NEXT", "2026-12-04T17:30:00Z");
        assertThat(table.get("eve-exception")).containsEntry("NEXT", "2026-12-09T17:30:00Z");
        assertThat(table.get("alex-admin")).containsEntry("NEXT", "-").containsEntry("WHY NOT MORE", "-");
        assertThat(table.get("lou-leave")).containsEntry("WHY NOT MORE", "Deploy:LongAbsence Admin:LongAbsence");
        assertThat(table.get("ray-returner")).containsEntry("WHY NOT MORE", "Admin:ReapprovalRequired")
                .containsEntry("NEXT", "2026-12-07T09:00:00Z");
    }

    @Test
    void examplesAsJsonAreAListOfEngineerAccessWithTheOperatorsStatus() {
        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", "-o", "json", examples()));

        assertThat(run.exit()).as(run.toString()).isZero();
        JsonNode list = run.json();
        assertThat(list.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(list.path("kind").asText()).isEqualTo("List");
        Map<String, JsonNode> items = items(list);
        assertThat(items).hasSize(10);
        for (JsonNode item : items.values()) {
            assertThat(item.path("apiVersion").asText()).isEqualTo("access.govuk.digital/v1alpha1");
            assertThat(item.path("kind").asText()).isEqualTo("EngineerAccess");
            assertThat(item.path("spec").path("fullName").asText()).isNotEmpty();
            JsonNode status = item.path("status");
            assertThat(status.path("observedGeneration").asLong()).isEqualTo(1);
            List<String> types = new ArrayList<>();
            for (JsonNode c : status.path("conditions")) {
                types.add(c.path("type").asText());
                assertThat(c.path("lastTransitionTime").asText()).as("condition %s", c).isEqualTo("2026-12-02T12:00:00Z");
                assertThat(c.path("observedGeneration").asLong()).isEqualTo(1);
                assertThat(c.path("reason").asText()).isNotEmpty();
            }
            assertThat(types).containsExactlyInAnyOrderElementsOf(CONDITION_TYPES);
            assertThat(condition(item, "SpecValid").path("status").asText()).isEqualTo("True");
            assertThat(condition(item, "PolicyValid").path("status").asText()).isEqualTo("True");
            assertThat(condition(item, "PolicyValid").path("reason").asText()).isEqualTo("Valid");
        }

        JsonNode nadia = items.get("nadia-new").path("status");
        assertThat(nadia.path("level").asText()).isEqualTo("None");
        assertThat(nadia.path("nextTransitionTime").asText()).isEqualTo("2026-12-07T00:00:00Z");
        assertThat(nadia.path("unmet")).extracting(u -> u.path("level").asText() + ":" + u.path("code").asText())
                .containsExactly("Deploy:DeployApprovalMissing", "Admin:ProbationNotPassed", "Admin:ShadowShiftMissing",
                        "Admin:AdminShadowShiftMissing");
        assertThat(nadia.path("bindings")).isEmpty();
        assertThat(condition(items.get("nadia-new"), "DeployAccess").path("reason").asText()).isEqualTo("DeployApprovalMissing");

        JsonNode dev = items.get("dev-deploy").path("status");
        assertThat(dev.path("level").asText()).isEqualTo("Deploy");
        assertThat(bindings(dev)).containsExactly("apps/dev-deploy-deploy/production-deploy");

        JsonNode alex = items.get("alex-admin").path("status");
        assertThat(alex.path("level").asText()).isEqualTo("Admin");
        assertThat(alex.path("supervised").asBoolean()).isFalse();
        assertThat(alex.has("nextTransitionTime")).isFalse();
        assertThat(alex.has("accessExpiryTime")).isFalse();
        assertThat(alex.path("unmet")).isEmpty();
        assertThat(bindings(alex)).containsExactly("apps/alex-admin-admin/production-admin",
                "apps/alex-admin-deploy/production-deploy", "platform/alex-admin-admin/production-admin");
        assertThat(alex.path("rota").path("eligible")).extracting(JsonNode::asText).containsExactly("Secondary");

        JsonNode eve = items.get("eve-exception").path("status");
        assertThat(eve.path("level").asText()).isEqualTo("Admin");
        assertThat(eve.path("supervised").asBoolean()).isTrue();
        assertThat(eve.path("accessExpiryTime").asText()).isEqualTo("2026-12-09T17:30:00Z");
        assertThat(eve.path("nextTransitionTime").asText()).isEqualTo("2026-12-09T17:30:00Z");
        assertThat(eve.path("exceptions")).extracting(e -> e.path("index").asInt() + ":" + e.path("state").asText())
                .containsExactly("0:Active");
        assertThat(eve.path("bindings")).extracting(b -> b.path("namespace").asText() + "/" + b.path("name").asText() + " "
                + b.path("expiryTime").asText())
                .containsExactly("apps/eve-exception-admin 2026-12-09T17:30:00Z",
                        "apps/eve-exception-deploy ",
                        "platform/eve-exception-admin 2026-12-09T17:30:00Z");
        assertThat(condition(items.get("eve-exception"), "AdminAccess").path("reason").asText()).isEqualTo("Exception");

        JsonNode ada = items.get("ada-admin-shadow").path("status");
        assertThat(ada.path("supervised").asBoolean()).isTrue();
        assertThat(condition(items.get("ada-admin-shadow"), "AdminAccess").path("reason").asText()).isEqualTo("AdminShadowShift");

        JsonNode lou = items.get("lou-leave").path("status");
        assertThat(lou.path("level").asText()).isEqualTo("None");
        assertThat(lou.path("unmet")).extracting(u -> u.path("code").asText()).contains("LongAbsence");
        assertThat(condition(items.get("lou-leave"), "Revoked").path("status").asText()).isEqualTo("True");

        assertThat(items.get("ray-returner").path("status").path("unmet")).extracting(u -> u.path("code").asText())
                .containsExactly("ReapprovalRequired");
        assertThat(items.get("pat-primary").path("status").path("rota").path("eligible")).extracting(JsonNode::asText)
                .containsExactly("Secondary", "Primary", "OnCall");
    }

    @Test
    void theJsonOutputReadBackGivesTheSamePlan() {
        Cli.Run first = run(args("plan", "--at", "2026-12-02T12:00:00Z", "-o", "json", examples()));
        assertThat(first.exit()).isZero();
        Path json = write(dir, "plan.json", first.out());

        // The List holds the engineers (with their status, which is ignored on input); policy and namespaces as before.
        Cli.Run again = run(args("plan", "--at", "2026-12-02T12:00:00Z", "-o", "json", json,
                examples().resolve("00-policy.yaml"), examples().resolve("01-namespaces.yaml")));
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.out()).isEqualTo(first.out());

        Cli.Run table = run(args("plan", "--at", "2026-12-02T12:00:00Z", json, examples().resolve("00-policy.yaml"),
                examples().resolve("01-namespaces.yaml")));
        assertThat(table.out()).isEqualTo(run(args("plan", "--at", "2026-12-02T12:00:00Z", examples())).out());
    }

    @Test
    void anEngineerAccessBeingDeletedGrantsNothingAndIsLeftOutWithANote() {
        Path file = write(dir, "e.yaml", Cli.deploy("held").replace("  name: held\n",
                "  name: held\n  deletionTimestamp: \"2026-12-02T11:00:00Z\"\n  finalizers: [example.com/keep]\n")
                + "---\n" + Cli.deploy("kept"));

        Cli.Run run = run(args("plan", "--at", "2026-12-02T12:00:00Z", file, examples().resolve("00-policy.yaml"),
                examples().resolve("01-namespaces.yaml")));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(Cli.table(run.out()).keySet()).containsExactly("kept");
        assertThat(run.err()).contains("EngineerAccess held is being deleted (held by example.com/keep): it grants nothing");
    }

    @Test
    void observedGenerationComesFromMetadataGeneration() {
        Path file = write(dir, "e.yaml", Cli.deploy("gen-four").replace("  name: gen-four\n", "  name: gen-four\n  generation: 4\n"));

        Cli.Run run = run(args("plan", "-o", "json", file));

        assertThat(run.exit()).as(run.toString()).isZero();
        JsonNode item = items(run.json()).get("gen-four");
        assertThat(item.path("status").path("observedGeneration").asLong()).isEqualTo(4);
        assertThat(condition(item, "Ready").path("observedGeneration").asLong()).isEqualTo(4);
        // No AccessPolicy given: the built-in defaults, and no namespaces: no bindings.
        assertThat(condition(item, "PolicyValid").path("reason").asText()).isEqualTo("BuiltInDefaults");
        assertThat(item.path("status").path("level").asText()).isEqualTo("Deploy");
        assertThat(item.path("status").path("bindings")).isEmpty();
    }

    @Test
    void anAtWithAnOffsetIsTheSameInstantInUtc() {
        Cli.Run offset = run(args("plan", "--at", "2026-12-02T12:00:00+01:00", "-o", "json", examples()));
        Cli.Run utc = run(args("plan", "--at", "2026-12-02T11:00:00Z", "-o", "json", examples()));
        Cli.Run equals = run(args("plan", "--at=2026-12-02T11:00:00Z", "-o", "json", examples()));

        assertThat(offset.exit()).isZero();
        assertThat(offset.out()).isEqualTo(utc.out()).isEqualTo(equals.out());
        assertThat(condition(items(offset.json()).get("alex-admin"), "Ready").path("lastTransitionTime").asText())
                .isEqualTo("2026-12-02T11:00:00Z");
        assertThat(run(args("plan", "--at", "2026-12-02T12:00:00+01:00", examples())).out())
                .startsWith("Access at 2026-12-02T11:00:00Z\n");
    }

    @Test
    void withoutAtTheInstantComesFromTheClock() {
        Cli.Run fromClock = run(Clock.fixed(AT, ZoneOffset.UTC), args("plan", examples()));
        Cli.Run explicit = run(Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC),
                args("plan", "--at", "2026-12-02T12:00:00Z", examples()));
        assertThat(fromClock.exit()).isZero();
        assertThat(fromClock.out()).isEqualTo(explicit.out());

        // A week later by the clock: nadia-new's approval counts and eve-exception's exception has expired.
        Cli.Run later = run(Clock.fixed(Instant.parse("2026-12-10T12:00:00Z"), ZoneOffset.UTC), args("plan", examples()));
        assertThat(later.out()).startsWith("Access at 2026-12-10T12:00:00Z\n");
        Map<String, Map<String, String>> table = Cli.table(later.out());
        assertThat(table.get("nadia-new")).containsEntry("LEVEL", "Deploy");
        assertThat(table.get("eve-exception")).containsEntry("LEVEL", "Deploy").containsEntry("EXPIRES", "-");
    }

    @Test
    void readsFoldersMultiDocumentFilesAndLists() {
        write(dir, "in/a.yaml", Cli.docs(Cli.deploy("from-yaml"), Cli.NAMESPACES));
        write(dir, "in/nested/b.yml", Cli.none("from-yml"));
        write(dir, "in/c.json", """
                {"apiVersion": "v1", "kind": "List", "items": [
                  {"apiVersion": "access.govuk.digital/v1alpha1", "kind": "EngineerAccess", "metadata": {"name": "from-list"},
                   "spec": {"fullName": "From List", "role": "SRE", "employment": "Contractor",
                            "subject": {"kind": "Group", "name": "team@example.gov.uk"}}},
                  {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "ignored"}}
                ]}
                """);
        // The List's engineer names a Group, which only a policy that allows groups accepts.
        write(dir, "in/policy.yaml", GROUPS_ALLOWED);
        write(dir, "in/readme.txt", "not a manifest: skipped");
        write(dir, "in/empty.yaml", "# only a comment\n---\n");

        Cli.Run run = run(args("plan", "-o", "json", dir.resolve("in")));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        Map<String, JsonNode> items = items(run.json());
        assertThat(items.keySet()).containsExactly("from-yaml", "from-list", "from-yml");
        assertThat(bindings(items.get("from-yaml").path("status"))).containsExactly("apps/from-yaml-deploy/production-deploy");
        assertThat(items.get("from-list").path("status").path("level").asText()).isEqualTo("None");
    }

    @Test
    void anotherAccessPolicyNameIsANoteNotAnError() {
        Path file = write(dir, "p.yaml", Cli.docs("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: AccessPolicy
                metadata:
                  name: staging
                spec:
                  timeZone: Not/AZone
                """, Cli.deploy("dee"), Cli.NAMESPACES));

        Cli.Run run = run(args("plan", "-o", "json", file));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.err()).isEqualTo("note: " + file + ": AccessPolicy staging is ignored: only the AccessPolicy named default is used\n"
                + "note: no AccessPolicy named default was given, so the built-in defaults are assumed; without one in the cluster the"
                + " operator grants nothing\n");
        JsonNode dee = items(run.json()).get("dee");
        assertThat(dee.path("status").path("level").asText()).isEqualTo("Deploy");
        assertThat(condition(dee, "PolicyValid").path("reason").asText()).isEqualTo("BuiltInDefaults");
    }

    static final String GROUPS_ALLOWED = """
            apiVersion: access.govuk.digital/v1alpha1
            kind: AccessPolicy
            metadata:
              name: default
            spec:
              allowGroupSubjects: true
            """;

    @Test
    void aGroupSubjectIsRefusedUnlessThePolicyAllowsGroups() {
        String group = Cli.deploy("team").replace("subject: {kind: User, name: team@example.gov.uk}",
                "subject: {kind: Group, name: platform-team}\n  email: team@example.gov.uk");
        Path file = write(dir, "group.yaml", Cli.docs(group, Cli.NAMESPACES));

        Cli.Run refused = run(args("plan", "-o", "json", file));

        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.invalid()).containsExactly("invalid: " + file + ": EngineerAccess team: spec.subject.kind: is Group,"
                + " but the AccessPolicy does not allow group subjects: name the engineer's own user (kind User), or set"
                + " allowGroupSubjects: true in the AccessPolicy");
        JsonNode team = items(refused.json()).get("team");
        assertThat(team.path("status").path("level").asText()).isEqualTo("None");
        assertThat(team.path("status").path("bindings")).isEmpty();
        assertThat(condition(team, "SpecValid").path("message").asText()).startsWith("spec.subject.kind: is Group");

        Path policy = write(dir, "policy.yaml", GROUPS_ALLOWED);
        Cli.Run allowed = run(args("plan", "-o", "json", file, policy));
        assertThat(allowed.exit()).as(allowed.toString()).isZero();
        assertThat(bindings(items(allowed.json()).get("team").path("status"))).containsExactly("apps/team-deploy/production-deploy");
    }

    private static final String SAME_PERSON = "spec.subject.name: names the same person (jane@example.gov.uk) as EngineerAccess '%s',"
            + " %s and keeps the person; this one grants nothing: delete one of the two, or correct spec.subject.name or"
            + " spec.email if they are different people";

    @Test
    void twoEngineerAccessObjectsForOnePersonGrantOnlyTheFirst() {
        // jane's subject is jane@example.gov.uk; jane-user's is the user jane, whose address is Jane@example.gov.uk.
        Path file = write(dir, "people.yaml", Cli.docs(Cli.NAMESPACES, Cli.janeByUserName("jane-user"), Cli.deploy("jane"),
                Cli.deploy("john")));

        Cli.Run run = run(args("plan", "-o", "json", file));

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.invalid()).as("without creationTimestamp, the first by name keeps the person").containsExactly(
                "invalid: " + file + ": EngineerAccess jane-user: "
                        + SAME_PERSON.formatted("jane", "which comes first by name (neither was created earlier)"));
        assertThat(run.err()).contains("1 invalid input: they grant nothing");
        Map<String, JsonNode> items = items(run.json());
        assertThat(bindings(items.get("jane").path("status"))).containsExactly("apps/jane-deploy/production-deploy");
        assertThat(bindings(items.get("john").path("status"))).containsExactly("apps/john-deploy/production-deploy");
        JsonNode refused = items.get("jane-user");
        assertThat(refused.path("status").path("level").asText()).isEqualTo("None");
        assertThat(refused.path("status").path("bindings")).isEmpty();
        assertThat(condition(refused, "SpecValid").path("status").asText()).isEqualTo("False");
        assertThat(condition(refused, "SpecValid").path("reason").asText()).isEqualTo("DuplicateSubject");
        assertThat(condition(refused, "SpecValid").path("message").asText())
                .isEqualTo(SAME_PERSON.formatted("jane", "which comes first by name (neither was created earlier)"));
        assertThat(condition(items.get("jane"), "SpecValid").path("status").asText()).isEqualTo("True");

        // Read back from a cluster, the one created first keeps the person, whatever its name.
        Path cluster = write(dir, "cluster.yaml", Cli.docs(Cli.NAMESPACES,
                Cli.created(Cli.janeByUserName("jane-user"), "2026-11-02T10:00:00Z"),
                Cli.created(Cli.deploy("jane"), "2026-11-03T10:00:00Z"), Cli.deploy("john")));
        Cli.Run byTime = run(args("plan", "-o", "json", cluster));
        assertThat(byTime.exit()).as(byTime.toString()).isEqualTo(1);
        assertThat(byTime.invalid()).containsExactly("invalid: " + cluster + ": EngineerAccess jane: "
                + SAME_PERSON.formatted("jane-user", "which was created earlier"));
        assertThat(bindings(items(byTime.json()).get("jane-user").path("status"))).containsExactly("apps/jane-user-deploy/production-deploy");
        assertThat(items(byTime.json()).get("jane").path("status").path("bindings")).isEmpty();

        // Told apart (jane-user is someone else's user name and address), both are granted.
        Path apart = write(dir, "apart.yaml", Cli.docs(Cli.NAMESPACES,
                Cli.janeByUserName("jane-user").replace("Jane@example.gov.uk", "jane.smith@example.gov.uk")
                        .replace("name: jane}", "name: jsmith}"), Cli.deploy("jane")));
        Cli.Run fixed = run(args("plan", apart));
        assertThat(fixed.exit()).as(fixed.toString()).isZero();
    }

    /** "namespace/name/clusterRole" of each binding in a status. */
    static List<String> bindings(JsonNode status) {
        List<String> out = new ArrayList<>();
        for (JsonNode b : status.path("bindings")) {
            out.add(b.path("namespace").asText() + "/" + b.path("name").asText() + "/" + b.path("clusterRole").asText());
        }
        return out;
    }
}
