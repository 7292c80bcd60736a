package digital.govuk.access.cli;

import static digital.govuk.access.cli.Cli.APPROVAL;
import static digital.govuk.access.cli.Cli.CLEARANCE;
import static digital.govuk.access.cli.Cli.args;
import static digital.govuk.access.cli.Cli.condition;
import static digital.govuk.access.cli.Cli.engineer;
import static digital.govuk.access.cli.Cli.examples;
import static digital.govuk.access.cli.Cli.identity;
import static digital.govuk.access.cli.Cli.items;
import static digital.govuk.access.cli.Cli.run;
import static digital.govuk.access.cli.Cli.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Invalid input: exit 1, one stderr line per problem naming file, object and field, and the invalid
 * engineer planned as granting nothing while the valid ones are planned as usual.
 */
class InvalidInputTest {
    @TempDir
    Path dir;

    static java.util.stream.Stream<Arguments> invalidEngineers() {
        String id = identity("bad");
        return java.util.stream.Stream.of(
                Arguments.of("unknown field", engineer("bad", id, "  clearance: {levle: BPSS, grantedOn: 2026-01-12}\n"),
                        "EngineerAccess bad: spec.clearance.levle: unknown field 'levle'"),
                Arguments.of("unknown enum value", engineer("bad", id.replace("role: Developer", "role: Manager"), CLEARANCE),
                        "EngineerAccess bad: spec.role: expected one of Developer, SRE, TechnicalArchitect, got the string 'Manager'"),
                Arguments.of("unknown enum value in a list", engineer("bad", id, CLEARANCE,
                        "  shifts:\n  - {role: Tertiary, startTime: \"2026-08-03T09:00:00Z\", endTime: \"2026-08-07T17:30:00Z\"}\n"),
                        "EngineerAccess bad: spec.shifts[0].role: expected one of Shadow, AdminShadow, Secondary, Primary, OnCall, got the string 'Tertiary'"),
                Arguments.of("unparsable date", engineer("bad", id, "  clearance: {level: BPSS, grantedOn: 2026-02-30}\n"),
                        "EngineerAccess bad: spec.clearance.grantedOn: '2026-02-30' is not a date (YYYY-MM-DD)"),
                Arguments.of("unparsable instant", engineer("bad", id, CLEARANCE,
                        "  shifts:\n  - {role: Shadow, startTime: \"3 August 2026\", endTime: \"2026-08-07T17:30:00Z\"}\n"),
                        "EngineerAccess bad: spec.shifts[0].startTime: '3 August 2026' is not an RFC 3339 instant"),
                Arguments.of("end before start", engineer("bad", id, CLEARANCE,
                        "  shifts:\n  - {role: Shadow, startTime: \"2026-08-07T17:30:00Z\", endTime: \"2026-08-03T09:00:00Z\"}\n"),
                        "EngineerAccess bad: spec.shifts[0].endTime: must be after startTime (2026-08-07T17:30:00Z), not 2026-08-03T09:00:00Z"),
                Arguments.of("absence ending before it starts", engineer("bad", id, CLEARANCE,
                        "  absences:\n  - {from: 2026-05-04, until: 2026-05-01}\n"),
                        "EngineerAccess bad: spec.absences[0].until: must not be before from (2026-05-04), not 2026-05-01"),
                Arguments.of("exception without expiryTime", engineer("bad", id, CLEARANCE, """
                          exceptions:
                          - {approvedBy: head.of.tech@example.gov.uk, businessCase: Incident cover, supervisor: pat@example.gov.uk, startTime: "2026-11-25T09:00:00Z"}
                        """),
                        "EngineerAccess bad: spec.exceptions[0].expiryTime: is required"),
                Arguments.of("empty businessCase", engineer("bad", id, CLEARANCE, """
                          exceptions:
                          - {approvedBy: head.of.tech@example.gov.uk, businessCase: "", supervisor: pat@example.gov.uk, startTime: "2026-11-25T09:00:00Z", expiryTime: "2026-12-04T17:30:00Z"}
                        """),
                        "EngineerAccess bad: spec.exceptions[0].businessCase: is required"),
                Arguments.of("empty fullName", engineer("bad", id.replace("fullName: bad", "fullName: \"\""), CLEARANCE),
                        "EngineerAccess bad: spec.fullName: is required and must not be empty"),
                Arguments.of("no subject", engineer("bad", "  fullName: Bad\n  role: SRE\n  employment: Contractor\n"),
                        "EngineerAccess bad: spec.subject: is required"),
                Arguments.of("wrong type", engineer("bad", id, CLEARANCE, "  shifts: {role: Shadow}\n"),
                        "EngineerAccess bad: spec.shifts: expected a list, got an object"),
                Arguments.of("invalid metadata.name", engineer("Bad_Name", id, CLEARANCE),
                        "EngineerAccess Bad_Name: metadata.name: 'Bad_Name' must be lower case letters, digits, '-' and '.'"),
                Arguments.of("name too long for a label value", engineer("b" + "a".repeat(63), id, CLEARANCE),
                        "metadata.name: must be at most 63 characters"),
                Arguments.of("wrong apiVersion", engineer("bad", id, CLEARANCE).replace("v1alpha1", "v1beta1"),
                        "EngineerAccess bad: apiVersion: 'access.govuk.digital/v1beta1' is not served; use access.govuk.digital/v1alpha1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEngineers")
    void anInvalidEngineerIsReportedAndGrantsNothingWhileOthersArePlanned(String what, String bad, String expected) {
        // The bad engineer also has a deploy approval where it can, so "grants nothing" is not a coincidence.
        Path file = write(dir, "engineers.yaml", Cli.docs(Cli.deploy("before"), bad, Cli.admin("after"), Cli.NAMESPACES));

        Cli.Run run = run(args("plan", "-o", "json", file));

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.invalid()).as(run.err()).hasSize(1);
        assertThat(run.invalid().get(0)).startsWith("invalid: " + file + ": ").contains(expected);
        assertThat(run.err()).endsWith("1 invalid input: they grant nothing\n");

        Map<String, JsonNode> items = items(run.json());
        assertThat(items.keySet()).as("the invalid engineer is still planned, in file order").hasSize(3);
        JsonNode invalid = run.json().path("items").get(1);
        JsonNode status = invalid.path("status");
        assertThat(status.path("level").asText()).isEqualTo("None");
        assertThat(status.path("supervised").asBoolean()).isFalse();
        assertThat(status.path("bindings")).isEmpty();
        assertThat(status.path("unmet")).isEmpty();
        assertThat(condition(invalid, "SpecValid").path("status").asText()).isEqualTo("False");
        assertThat(condition(invalid, "SpecValid").path("message").asText())
                .contains(expected.substring(expected.indexOf(": ") + 2, Math.min(expected.length(), expected.indexOf(": ") + 30)));
        assertThat(condition(invalid, "Ready").path("status").asText()).isEqualTo("False");
        assertThat(condition(invalid, "Ready").path("reason").asText()).isEqualTo("SpecInvalid");
        assertThat(condition(invalid, "DeployAccess").path("status").asText()).isEqualTo("False");
        assertThat(condition(invalid, "PolicyValid").path("status").asText()).isEqualTo("True");

        assertThat(items.get("before").path("status").path("level").asText()).isEqualTo("Deploy");
        assertThat(PlanCommandTest.bindings(items.get("before").path("status"))).containsExactly("apps/before-deploy/production-deploy");
        assertThat(items.get("after").path("status").path("level").asText()).isEqualTo("Admin");
        assertThat(PlanCommandTest.bindings(items.get("after").path("status"))).hasSize(3);

        // The table says why too.
        Cli.Run table = run(args("plan", file));
        assertThat(table.exit()).isEqualTo(1);
        String name = invalid.path("metadata").path("name").asText();
        assertThat(Cli.table(table.out()).get(name)).containsEntry("LEVEL", "None").containsEntry("NAMESPACES", "-");
        assertThat(Cli.table(table.out()).get(name).get("WHY NOT MORE")).startsWith("invalid: ");
    }

    /** Every shape of mistake the YAML reader and the mapper report, as a person should read it. */
    static java.util.stream.Stream<Arguments> wrongShapes() {
        String id = identity("bad");
        String shift = "{role: Shadow, startTime: \"2026-08-03T09:00:00Z\", endTime: \"2026-08-07T17:30:00Z\"}";
        String longValue = "x".repeat(5000);
        return java.util.stream.Stream.of(
                Arguments.of("a number for an object", engineer("bad", id, "  shifts: [0]\n"),
                        "spec.shifts[0]: expected an object with role, startTime and endTime, got the number 0"),
                Arguments.of("a list for an object", engineer("bad", id, "  shifts: [[1]]\n"),
                        "spec.shifts[0]: expected an object with role, startTime and endTime, got a list"),
                Arguments.of("a string for a list", engineer("bad", id, "  shifts: abc\n"),
                        "spec.shifts: expected a list, got the string 'abc'"),
                Arguments.of("an object for a string", engineer("bad", id, "  probation: {passedOn: {day: 1}}\n"),
                        "spec.probation.passedOn: expected a string, got an object"),
                Arguments.of("a number for a string (the API server refuses it too)", engineer("bad", id, "  probation: {passedOn: 20260701}\n"),
                        "spec.probation.passedOn: expected a string, got the number 20260701"),
                Arguments.of("true for a string", engineer("bad", id.replace("fullName: bad", "fullName: true")),
                        "spec.fullName: expected a string, got true"),
                Arguments.of("a string for true or false", engineer("bad", id, "  deployApproval: {approvedBy: a@example.gov.uk,"
                        + " approvedOn: 2026-02-01, confirmations: {codeReview: \"true\"}}\n"),
                        "spec.deployApproval.confirmations.codeReview: expected true or false, got the string 'true'"),
                Arguments.of("a number for true or false", engineer("bad", id, "  deployApproval: {approvedBy: a@example.gov.uk,"
                        + " approvedOn: 2026-02-01, confirmations: {rollback: 1}}\n"),
                        "spec.deployApproval.confirmations.rollback: expected true or false, got the number 1"),
                Arguments.of("a number for an enum (not read as its position)", engineer("bad", id.replace("role: Developer", "role: 0")),
                        "spec.role: expected one of Developer, SRE, TechnicalArchitect, got the number 0"),
                Arguments.of("a list for an enum", engineer("bad", id.replace("kind: User", "kind: [User]")),
                        "spec.subject.kind: expected one of User, Group, got a list"),
                Arguments.of("an empty object for the subject's name", engineer("bad", id.replace("name: bad@example.gov.uk", "name: {}")),
                        "spec.subject.name: expected a string, got an empty object"),
                Arguments.of("a number for the spec", engineer("bad", " 5\n").replace("spec:\n 5", "spec: 5"),
                        "spec: expected an object with fullName, role, employment and subject, got the number 5"),
                Arguments.of("a string for metadata", engineer("bad", id).replace("metadata:\n  name: bad\n", "metadata: bad\n"),
                        "metadata: expected an object, got the string 'bad'"),
                Arguments.of("an unknown field at the top", engineer("bad", id) + "extra: 1\n",
                        "extra: unknown field 'extra'; the fields here are apiVersion, kind, metadata, spec, status"),
                // Found by HostileInputPropertiesTest: the path of a key with no name at the top was empty.
                Arguments.of("an unknown field with no name at the top", engineer("bad", id) + "'': 1\n",
                        "'': unknown field ''; the fields here are apiVersion, kind, metadata, spec, status"),
                Arguments.of("an unknown field with no name in the spec", engineer("bad", id, "  '': 1\n"),
                        "spec.'': unknown field ''; the fields here are fullName, role, employment, subject, email, clearance,"
                                + " probation, deployApproval, shifts, exceptions, absences"),
                Arguments.of("a long unknown field name is cut", engineer("bad", id, "  " + longValue.substring(0, 200) + ": 1\n"),
                        "spec." + "x".repeat(80) + "…: unknown field '" + "x".repeat(80) + "…'; the fields here are fullName, role,"
                                + " employment, subject, email, clearance, probation, deployApproval, shifts, exceptions, absences"),
                Arguments.of("a long value is cut", engineer("bad", id, "  shifts: [" + shift.replace("Shadow", longValue) + "]\n"),
                        "spec.shifts[0].role: expected one of Shadow, AdminShadow, Secondary, Primary, OnCall, got the string '"
                                + "x".repeat(80) + "…'"),
                Arguments.of("a control character in a value is shown", engineer("bad", id, "  clearance: {level: \"BPSS\\e[2J\"}\n"),
                        "spec.clearance.level: expected one of None, BPSS, SC, DV, got the string 'BPSS<U+001B>[2J'"),
                Arguments.of("a number out of range", "apiVersion: access.govuk.digital/v1alpha1\nkind: AccessPolicy\nmetadata: {name: default}\n"
                        + "spec: {minShadowShifts: 99999999999}\n",
                        "spec.minShadowShifts: expected a whole number, got the number 99999999999, which is out of range"),
                Arguments.of("a fraction for a whole number (not rounded)", "apiVersion: access.govuk.digital/v1alpha1\nkind: AccessPolicy\n"
                        + "metadata: {name: default}\nspec: {longAbsenceDays: 42.5}\n",
                        "spec.longAbsenceDays: expected a whole number, got the number 42.5"),
                Arguments.of("a string for a whole number", "apiVersion: access.govuk.digital/v1alpha1\nkind: AccessPolicy\n"
                        + "metadata: {name: default}\nspec: {maxExceptionDays: \"30\"}\n",
                        "spec.maxExceptionDays: expected a whole number, got the string '30'"),
                Arguments.of("true for a label value", "apiVersion: access.govuk.digital/v1alpha1\nkind: AccessPolicy\n"
                        + "metadata: {name: default}\nspec: {deploy: {namespaceSelector: {matchLabels: {team: true}}}}\n",
                        "spec.deploy.namespaceSelector.matchLabels.team: expected a string, got true"),
                Arguments.of("a list for a map", "apiVersion: access.govuk.digital/v1alpha1\nkind: AccessPolicy\n"
                        + "metadata: {name: default}\nspec: {admin: {namespaceSelector: {matchLabels: [team]}}}\n",
                        "spec.admin.namespaceSelector.matchLabels: expected an object, got a list"),
                Arguments.of("a key given twice", engineer("bad", id, "  fullName: again\n"),
                        "-: not valid YAML: line 10, column 11: the key 'fullName' appears twice in one mapping"),
                Arguments.of("a list as a mapping key", engineer("bad", id, "  ? [a, b]\n  : c\n"),
                        "-: not valid YAML: line 10, column 6: a mapping key must be a plain value, not a list or a mapping"),
                Arguments.of("nesting deeper than any manifest", engineer("bad", id, "  shifts: " + "[".repeat(100) + "\n"),
                        "-: not valid YAML: it is nested too deeply or is too large to read"),
                Arguments.of("a NUL in the file", engineer("bad", id, "  probation: {passedOn: a\u0000b}\n"),
                        "-: not valid YAML: line 1, column 1: special characters are not allowed"),
                Arguments.of("a tab for indentation", engineer("bad", id, "\tclearance: {}\n"),
                        "-: not valid YAML: line 9, column 49: while scanning for the next token: found character '\\t(TAB)' that"
                                + " cannot start any token. (Do not use \\t(TAB) for indentation)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongShapes")
    void mistakesAreWrittenInPlainWordsWithoutJavaNames(String what, String manifest, String expected) {
        Path file = write(dir, "bad.yaml", manifest);

        Cli.Run run = run(args("plan", file));

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.invalid()).as(run.err()).anySatisfy(line -> assertThat(line).endsWith(": " + expected));
        assertThat(run.invalid()).allSatisfy(line -> assertThat(line.substring(("invalid: " + file + ": ").length()))
                .doesNotContain("java.", "digital.govuk", "fasterxml", "snakeyaml", "`", "Cannot ", "deserialize", "Exception:",
                        "Exception(")
                .hasSizeLessThan(400));
    }

    @Test
    void aVeryLongYamlLineIsRefusedBeforeParsingButJsonIsReadAsJson() {
        String huge = "z".repeat(1 << 20);
        Path yaml = write(dir, "long.yaml", engineer("long", identity("long").replace("fullName: long", "fullName: " + huge)));
        Cli.Run refused = run(args("plan", yaml));
        assertThat(refused.invalid()).containsExactly("invalid: " + yaml + ": -: not valid YAML: line 6 is longer than 131072"
                + " characters; no field of these objects needs that (write very long lines as JSON)");

        // The same object as JSON: read quickly, and refused by the bound on fullName.
        Path json = write(dir, "long.json", """
                {"apiVersion": "access.govuk.digital/v1alpha1", "kind": "EngineerAccess", "metadata": {"name": "long"},
                 "spec": {"fullName": "%s", "role": "SRE", "employment": "Contractor",
                          "subject": {"kind": "User", "name": "long@example.gov.uk"}}}
                """.formatted(huge));
        Cli.Run bounded = run(args("plan", json));
        assertThat(bounded.invalid()).containsExactly("invalid: " + json + ": EngineerAccess long: spec.fullName: must be at most 256"
                + " characters, not 1048576");

        Path broken = write(dir, "broken.json", "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\",}");
        assertThat(run(args("plan", broken)).invalid()).singleElement().asString()
                .startsWith("invalid: " + broken + ": -: not valid JSON: line 1, column ");
    }

    @Test
    void everyProblemOfAnEngineerIsReported() {
        Path file = write(dir, "e.yaml", engineer("two-problems", identity("two-problems"), """
                  clearance: {level: BPSS, grantedOn: 12/01/2026}
                  exceptions:
                  - {approvedBy: head.of.tech@example.gov.uk, businessCase: "", startTime: "2026-11-25T09:00:00Z", expiryTime: "2026-11-20T09:00:00Z"}
                """));

        Cli.Run run = run(args("plan", file));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly(
                "invalid: " + file + ": EngineerAccess two-problems: spec.clearance.grantedOn: '12/01/2026' is not a date (YYYY-MM-DD)",
                "invalid: " + file + ": EngineerAccess two-problems: spec.exceptions[0].businessCase: is required: why the engineer needs Admin access",
                "invalid: " + file + ": EngineerAccess two-problems: spec.exceptions[0].expiryTime: must be after startTime (2026-11-25T09:00:00Z), not 2026-11-20T09:00:00Z");
        assertThat(run.err()).endsWith("3 invalid inputs: they grant nothing\n");
    }

    @Test
    void invalidYamlNamesTheFileAndLine() {
        Path broken = write(dir, "broken.yaml", "apiVersion: v1\nkind: [Namespace\nmetadata: {name: x}\n");
        Path good = write(dir, "good.yaml", Cli.deploy("still-planned"));

        Cli.Run run = run(args("plan", broken, good));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).hasSize(1);
        assertThat(run.invalid().get(0)).startsWith("invalid: " + broken + ": -: not valid YAML: line 3, column ")
                .contains("while parsing a flow sequence");
        assertThat(Cli.table(run.out()).get("still-planned")).containsEntry("LEVEL", "Deploy");
    }

    @Test
    void anInvalidAccessPolicyFreezesEveryEngineer() {
        Path file = write(dir, "p.yaml", Cli.docs("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: AccessPolicy
                metadata:
                  name: default
                spec:
                  timeZone: Europe/Londres
                  maxExceptionDays: 0
                """, Cli.deploy("dee"), Cli.admin("ada"), Cli.NAMESPACES));

        Cli.Run run = run(args("plan", "-o", "json", file));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly(
                "invalid: " + file + ": AccessPolicy default: spec.timeZone: 'Europe/Londres' is not a time zone name (for example Europe/London)",
                "invalid: " + file + ": AccessPolicy default: spec.maxExceptionDays: must be at least 1, not 0");
        Map<String, JsonNode> items = items(run.json());
        assertThat(items.keySet()).containsExactly("dee", "ada");
        for (JsonNode item : items.values()) {
            assertThat(condition(item, "PolicyValid").path("status").asText()).isEqualTo("False");
            assertThat(condition(item, "PolicyValid").path("message").asText()).contains("spec.timeZone", "spec.maxExceptionDays");
            assertThat(condition(item, "Ready").path("reason").asText()).isEqualTo("PolicyInvalid");
            assertThat(item.path("status").path("level").asText()).isEqualTo("None");
            assertThat(item.path("status").path("bindings")).isEmpty();
        }

        Cli.Run table = run(args("plan", file));
        assertThat(Cli.table(table.out()).values()).allSatisfy(r -> assertThat(r).containsEntry("WHY NOT MORE", "policy invalid: access frozen"));
    }

    @Test
    void anInvalidAccessPolicyFieldIsReportedByPath() {
        Path file = write(dir, "p.yaml", """
                apiVersion: access.govuk.digital/v1alpha1
                kind: AccessPolicy
                metadata:
                  name: default
                spec:
                  exceptionApprovers:
                  - {name: head.of.tech@example.gov.uk, role: CTO}
                """);

        Cli.Run run = run(args("plan", file));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + file
                + ": AccessPolicy default: spec.exceptionApprovers[0].role: expected one of LeadDeveloper, HeadOfTechnology, got the string 'CTO'");
    }

    @Test
    void aSecondAccessPolicyNamedDefaultIsAnError() {
        Path first = write(dir, "a/policy.yaml", Cli.POLICY_WITH_APPROVERS);
        Path second = write(dir, "b/policy.yaml", Cli.POLICY_WITH_APPROVERS.replace("head.of.tech", "someone.else"));
        Path eve = write(dir, "c/eve.yaml", Cli.docs(Cli.exception("eve", "2026-12-09T17:30:00Z"), Cli.NAMESPACES));

        Cli.Run run = run(args("plan", "-o", "json", first, second, eve));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + second
                + ": AccessPolicy default: metadata.name: a second AccessPolicy named default (the first is in " + first + ")");
        // The first one is used: head.of.tech may approve exceptions.
        assertThat(items(run.json()).get("eve").path("status").path("level").asText()).isEqualTo("Admin");
    }

    @Test
    void duplicateEngineerAccessNamesAreAnError() {
        Path a = write(dir, "a.yaml", Cli.deploy("twice"));
        Path b = write(dir, "b.yaml", Cli.admin("twice"));

        Cli.Run run = run(args("plan", "-o", "json", a, b));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + b
                + ": EngineerAccess twice: metadata.name: a second EngineerAccess with this name (the first is in " + a + ")");
        assertThat(run.json().path("items")).hasSize(1);
    }

    @Test
    void duplicateNamespaceNamesAreAnErrorAndBindNothingTwice() {
        Path a = write(dir, "a.yaml", Cli.docs(Cli.deploy("dee"), Cli.NAMESPACES));
        Path b = write(dir, "b.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: apps
                  labels: {access.govuk.digital/deploy: "true"}
                """);

        Cli.Run run = run(args("plan", "-o", "json", a, b));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + b
                + ": Namespace apps: metadata.name: a second Namespace with this name (the first is in " + a + ")");
        assertThat(PlanCommandTest.bindings(items(run.json()).get("dee").path("status")))
                .containsExactly("apps/dee-deploy/production-deploy");
    }

    @Test
    void engineersWithoutANameAreReportedByPositionAndPlanned() {
        String nameless = Cli.deploy("x").replace("metadata:\n  name: x\n", "metadata: {}\n");
        Path file = write(dir, "nameless.yaml", Cli.docs(nameless, nameless, Cli.NAMESPACES));

        Cli.Run run = run(args("plan", file));

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly(
                "invalid: " + file + ": EngineerAccess (document 1): metadata.name: is required",
                "invalid: " + file + ": EngineerAccess (document 2): metadata.name: is required");
        assertThat(run.out().lines().filter(l -> l.startsWith("(no name) "))).hasSize(2);

        Cli.Run json = run(args("plan", "-o", "json", file));
        assertThat(json.json().path("items")).hasSize(2).allSatisfy(i -> assertThat(i.path("status").path("level").asText()).isEqualTo("None"));
    }

    @Test
    void aMissingPathIsAnError() {
        Path missing = dir.resolve("no-such-folder");

        Cli.Run run = run(args("plan", examples(), missing));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).containsExactly("invalid: " + missing + ": -: no such file or folder");
        assertThat(Cli.table(run.out())).hasSize(10);
    }

    @Test
    void otherKindsAreSkippedButAnInvalidNamespaceIsReported() {
        Path file = write(dir, "ns.yaml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: apps
                  labels: [not, a, map]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: skipped}
                data: {anything: goes}
                """);

        Cli.Run run = run(args("plan", file));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.invalid()).hasSize(1);
        assertThat(run.invalid().get(0)).startsWith("invalid: " + file + ": Namespace apps: metadata.labels: ");
    }
}
