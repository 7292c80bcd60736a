package digital.govuk.access.rules;

import static digital.govuk.access.rules.Specs.ENGINEER;
import static digital.govuk.access.rules.Specs.HEAD_OF_TECH;
import static digital.govuk.access.rules.Specs.SUPERVISOR;
import static digital.govuk.access.rules.Specs.TECH_LEAD;
import static digital.govuk.access.rules.Specs.adminReady;
import static digital.govuk.access.rules.Specs.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.AdminRoleTarget;
import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.ExceptionApprover;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.NamespaceSelector;
import digital.govuk.access.api.v1alpha1.RoleTarget;
import digital.govuk.access.api.v1alpha1.SelectorOperator;
import digital.govuk.access.api.v1alpha1.SelectorRequirement;
import digital.govuk.access.api.v1alpha1.ShiftRole;
import digital.govuk.access.api.v1alpha1.SubjectKind;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;

/**
 * "A spec that breaks the schema or the shape these rules need grants nothing, and says why": every invalid
 * input fails closed, and its problem names the exact field. Also the policy reader's checks.
 */
class SpecValidationTest {

    private static final EffectivePolicy POLICY = Specs.withApprovers();
    /** While the exception of {@link #full()} is active and the earned Admin is held. */
    private static final Instant NOW = at("2026-11-25T12:00:00Z");
    private static final List<NamespaceInfo> NAMESPACES = List.of(
            new NamespaceInfo("apps", Map.of(EffectivePolicy.DEPLOY_LABEL, "true", EffectivePolicy.ADMIN_LABEL, "true"), false),
            new NamespaceInfo("tools", Map.of(EffectivePolicy.DEPLOY_LABEL, "true"), false));

    /** A spec that, valid, grants everything: Deploy, earned Admin, an active exception. */
    private static Specs.Builder full() {
        return adminReady().exception(HEAD_OF_TECH, SUPERVISOR, "2026-11-20T09:00:00Z", "2026-12-04T17:30:00Z")
                .absence("2026-03-02", "2026-03-20");
    }

    @Test
    void theValidBaseSpecGrantsAdminAndBindings() {
        Decision d = AccessRules.decide(full().build(), POLICY, NOW);
        assertThat(d.problems()).isEmpty();
        assertThat(d.level()).isEqualTo(Level.Admin);
        assertThat(ManagedBindings.desired("jane-doe", d, POLICY, NAMESPACES)).hasSize(3);
    }

    record Invalid(Consumer<EngineerAccessSpec> breakIt, String field, String message) {
    }

    private static Arguments invalid(String name, Consumer<EngineerAccessSpec> breakIt, String field, String message) {
        return Arguments.of(Named.of(name, new Invalid(breakIt, field, message)));
    }

    static Stream<Arguments> invalidSpecs() {
        return Stream.of(
                invalid("shift endTime before startTime", s -> {
                    s.shifts.get(0).startTime = "2026-08-07T17:30:00Z";
                    s.shifts.get(0).endTime = "2026-08-03T09:00:00Z";
                }, "spec.shifts[0].endTime", "must be after startTime (2026-08-07T17:30:00Z), not 2026-08-03T09:00:00Z"),
                invalid("shift endTime equal to startTime", s -> s.shifts.get(1).endTime = s.shifts.get(1).startTime,
                        "spec.shifts[1].endTime", "must be after startTime (2026-09-07T09:00:00Z), not 2026-09-07T09:00:00Z"),
                invalid("shift without endTime", s -> s.shifts.get(1).endTime = null,
                        "spec.shifts[1].endTime", "is required (an RFC 3339 instant such as 2026-08-03T09:00:00Z)"),
                invalid("shift with an unparsable startTime", s -> s.shifts.get(0).startTime = "2026-08-03 09:00",
                        "spec.shifts[0].startTime", "'2026-08-03 09:00' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z)"),
                invalid("shift with an instant lacking a zone", s -> s.shifts.get(0).startTime = "2026-08-03T09:00:00",
                        "spec.shifts[0].startTime", "'2026-08-03T09:00:00' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z)"),
                invalid("shift startTime without seconds (the schema's RFC 3339 pattern requires them)",
                        s -> s.shifts.get(0).startTime = "2026-08-03T09:00Z", "spec.shifts[0].startTime",
                        "'2026-08-03T09:00Z' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z)"),
                invalid("exception expiryTime in lower case (the schema's pattern rejects it)",
                        s -> s.exceptions.get(0).expiryTime = "2026-12-04t17:30:00z", "spec.exceptions[0].expiryTime",
                        "'2026-12-04t17:30:00z' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z)"),
                invalid("shift endTime with a seconds offset (the schema's pattern rejects it)",
                        s -> s.shifts.get(0).endTime = "2026-08-07T17:30:00+01:00:30", "spec.shifts[0].endTime",
                        "'2026-08-07T17:30:00+01:00:30' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z)"),
                invalid("shift without role (unknown enum values arrive as null)", s -> s.shifts.get(0).role = null,
                        "spec.shifts[0].role", "is required: Shadow, AdminShadow, Secondary, Primary or OnCall"),
                invalid("exception expiryTime before startTime", s -> s.exceptions.get(0).expiryTime = "2026-11-19T09:00:00Z",
                        "spec.exceptions[0].expiryTime", "must be after startTime (2026-11-20T09:00:00Z), not 2026-11-19T09:00:00Z"),
                invalid("exception without expiryTime", s -> s.exceptions.get(0).expiryTime = null,
                        "spec.exceptions[0].expiryTime", "is required (an RFC 3339 instant such as 2026-08-03T09:00:00Z)"),
                invalid("exception with an unparsable startTime", s -> s.exceptions.get(0).startTime = "tomorrow",
                        "spec.exceptions[0].startTime", "'tomorrow' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z)"),
                invalid("exception with an empty businessCase (decided: fails closed)", s -> s.exceptions.get(0).businessCase = "",
                        "spec.exceptions[0].businessCase", "is required: why the engineer needs Admin access"),
                invalid("exception without businessCase (decided: fails closed)", s -> s.exceptions.get(0).businessCase = null,
                        "spec.exceptions[0].businessCase", "is required: why the engineer needs Admin access"),
                invalid("exception with an empty approvedBy", s -> s.exceptions.get(0).approvedBy = " ",
                        "spec.exceptions[0].approvedBy", "is required and must not be empty"),
                invalid("deploy approval with an impossible date", s -> s.deployApproval.approvedOn = "2026-02-30",
                        "spec.deployApproval.approvedOn", "'2026-02-30' is not a date (YYYY-MM-DD)"),
                invalid("deploy approval with a date in another format", s -> s.deployApproval.approvedOn = "1 Feb 2026",
                        "spec.deployApproval.approvedOn", "'1 Feb 2026' is not a date (YYYY-MM-DD)"),
                invalid("deploy approval without approvedOn", s -> s.deployApproval.approvedOn = null,
                        "spec.deployApproval.approvedOn", "is required (YYYY-MM-DD)"),
                invalid("deploy approval with an empty approvedBy", s -> s.deployApproval.approvedBy = "",
                        "spec.deployApproval.approvedBy", "is required and must not be empty"),
                invalid("clearance grantedOn unparsable", s -> s.clearance.grantedOn = "2026-1-12",
                        "spec.clearance.grantedOn", "'2026-1-12' is not a date (YYYY-MM-DD)"),
                invalid("clearance BPSS without grantedOn", s -> s.clearance.grantedOn = null,
                        "spec.clearance.grantedOn", "is required for clearance level BPSS"),
                invalid("clearance without level", s -> s.clearance.level = null,
                        "spec.clearance.level", "is required: None, BPSS, SC or DV"),
                invalid("probation passedOn unparsable", s -> s.probation.passedOn = "2026-07-01T00:00:00Z",
                        "spec.probation.passedOn", "'2026-07-01T00:00:00Z' is not a date (YYYY-MM-DD)"),
                invalid("absence until before from", s -> s.absences.get(0).until = "2026-03-01",
                        "spec.absences[0].until", "must not be before from (2026-03-02), not 2026-03-01"),
                invalid("absence without from", s -> s.absences.get(0).from = null,
                        "spec.absences[0].from", "is required (YYYY-MM-DD)"),
                invalid("absence with an unparsable until", s -> s.absences.get(0).until = "soon",
                        "spec.absences[0].until", "'soon' is not a date (YYYY-MM-DD)"),
                invalid("missing subject", s -> s.subject = null,
                        "spec.subject", "is required: the engineer's user name, as the bindings name it"),
                invalid("subject with an empty name", s -> s.subject.name = "  ",
                        "spec.subject.name", "is required and must not be empty"),
                invalid("subject without kind", s -> s.subject.kind = null,
                        "spec.subject.kind", "is required: User (or Group, where the AccessPolicy allows groups)"),
                invalid("empty fullName", s -> s.fullName = "",
                        "spec.fullName", "is required and must not be empty"),
                invalid("missing role", s -> s.role = null,
                        "spec.role", "is required: Developer, SRE or TechnicalArchitect"),
                invalid("missing employment", s -> s.employment = null,
                        "spec.employment", "is required: CivilServant or Contractor"),
                invalid("a null shift entry", s -> s.shifts.set(0, null), "spec.shifts[0]", "must not be empty"),

                // The subject is one person (decided).
                invalid("a Group subject while the policy does not allow groups", s -> s.subject.kind = SubjectKind.Group,
                        "spec.subject.kind", "is Group, but the AccessPolicy does not allow group subjects: name the engineer's"
                                + " own user (kind User), or set allowGroupSubjects: true in the AccessPolicy"),
                invalid("a system: subject name (system:masters)", s -> s.subject.name = "system:masters",
                        "spec.subject.name", SYSTEM_NAME.formatted("system:masters")),
                invalid("a system: subject name in capitals with a leading space", s -> s.subject.name = " SYSTEM:Masters",
                        "spec.subject.name", SYSTEM_NAME.formatted(" SYSTEM:Masters")),
                invalid("a system: subject name in full-width letters", s -> s.subject.name = "ｓｙｓｔｅｍ：authenticated",
                        "spec.subject.name", SYSTEM_NAME.formatted("ｓｙｓｔｅｍ：authenticated")),
                invalid("a service account as the subject", s -> s.subject.name = "system:serviceaccount:kube-system:default",
                        "spec.subject.name", SYSTEM_NAME.formatted("system:serviceaccount:kube-system:default")),
                invalid("a system: subject name behind a zero-width space", s -> s.subject.name = "\u200Bsystem:masters",
                        "spec.subject.name", INVISIBLE.formatted("U+200B", 1)),

                // One person, every name they are known by (decided): spec.email.
                invalid("a user name as the subject, without spec.email", s -> s.subject.name = "jane",
                        "spec.email", EMAIL_REQUIRED.formatted("jane")),
                invalid("a user name in full-width letters as the subject, without spec.email", s -> s.subject.name = "ｊａｎｅ",
                        "spec.email", EMAIL_REQUIRED.formatted("ｊａｎｅ")),
                invalid("spec.email that is not an e-mail address", s -> s.email = "jane.doe",
                        "spec.email", "'jane.doe' is not an e-mail address: write the engineer's address, for example jane.doe@example.gov.uk"),
                invalid("an empty spec.email", s -> s.email = "",
                        "spec.email", "'' is not an e-mail address: write the engineer's address, for example jane.doe@example.gov.uk"),
                invalid("spec.email with a zero-width space", s -> s.email = "jane.doe@​example.gov.uk",
                        "spec.email", INVISIBLE.formatted("U+200B", 10)),
                invalid("spec.email with a zero-width space, beside a user name as the subject", s -> {
                    s.subject.name = "jane";
                    s.email = "​jane@example.gov.uk";
                }, "spec.email", INVISIBLE.formatted("U+200B", 1)),
                invalid("a 257-character spec.email", s -> s.email = "j".repeat(245) + "@example.com",
                        "spec.email", "must be at most 256 characters, not 257"),

                // Names with invisible characters cannot slip past the self-approval check (decided).
                invalid("subject name with a byte order mark", s -> s.subject.name = "\uFEFF" + ENGINEER,
                        "spec.subject.name", INVISIBLE.formatted("U+FEFF", 1)),
                invalid("deploy approver with a zero-width space", s -> s.deployApproval.approvedBy = "jane\u200B.doe@example.gov.uk",
                        "spec.deployApproval.approvedBy", INVISIBLE.formatted("U+200B", 5)),
                invalid("exception approver with a zero-width joiner", s -> s.exceptions.get(0).approvedBy = "jane.doe\u200D@example.gov.uk",
                        "spec.exceptions[0].approvedBy", INVISIBLE.formatted("U+200D", 9)),
                invalid("exception supervisor with a right-to-left override", s -> s.exceptions.get(0).supervisor = "\u202Eku.vog.elpmaxe@eod.enaj",
                        "spec.exceptions[0].supervisor", INVISIBLE.formatted("U+202E", 1)),
                invalid("exception supervisor with a Hangul filler", s -> s.exceptions.get(0).supervisor = ENGINEER + "\u3164",
                        "spec.exceptions[0].supervisor", INVISIBLE.formatted("U+3164", ENGINEER.length() + 1)),
                invalid("shift supervisor with a NUL", s -> s.shifts.get(0).supervisor = "sam\u0000@example.gov.uk",
                        "spec.shifts[0].supervisor", INVISIBLE.formatted("U+0000", 4)),

                // Bounds (docs/api.md): checked before anything else is read.
                invalid("501 shifts", s -> s.shifts = shifts(501), "spec.shifts", "must have at most 500 entries, not 501"),
                invalid("10,000 shifts: refused without reading one", s -> s.shifts = shifts(10_000),
                        "spec.shifts", "must have at most 500 entries, not 10000"),
                invalid("101 exceptions", s -> s.exceptions = java.util.Collections.nCopies(101, s.exceptions.get(0)),
                        "spec.exceptions", "must have at most 100 entries, not 101"),
                invalid("201 absences", s -> s.absences = java.util.Collections.nCopies(201, s.absences.get(0)),
                        "spec.absences", "must have at most 200 entries, not 201"),
                invalid("a 257-character subject name", s -> s.subject.name = "j".repeat(257),
                        "spec.subject.name", "must be at most 256 characters, not 257"),
                invalid("a 257-character deploy approver", s -> s.deployApproval.approvedBy = "t".repeat(257),
                        "spec.deployApproval.approvedBy", "must be at most 256 characters, not 257"),
                invalid("a 257-character fullName (counted in characters, not UTF-16 units)", s -> s.fullName = "😀".repeat(257),
                        "spec.fullName", "must be at most 256 characters, not 257"),
                invalid("a 1 MB business case", s -> s.exceptions.get(0).businessCase = "x".repeat(1 << 20),
                        "spec.exceptions[0].businessCase", "must be at most 2048 characters, not 1048576"),
                invalid("a 65-character instant", s -> s.shifts.get(0).startTime = "2026-08-03T09:00:00." + "0".repeat(44) + "Z",
                        "spec.shifts[0].startTime", "must be at most 64 characters, not 65"),
                invalid("a 5,000-character date is cut in the message", s -> s.deployApproval.approvedOn = "9".repeat(5000),
                        "spec.deployApproval.approvedOn", "'" + "9".repeat(80) + "…' is not a date (YYYY-MM-DD)"),
                invalid("a date with a NUL is shown with the NUL visible", s -> s.deployApproval.approvedOn = "2026-02-0\u0000",
                        "spec.deployApproval.approvedOn", "'2026-02-0<U+0000>' is not a date (YYYY-MM-DD)"));
    }

    private static final String SYSTEM_NAME = "'%s' is a Kubernetes system name (system:...) that would grant access to its"
            + " users, groups or service accounts; name the engineer's own user";
    private static final String EMAIL_REQUIRED = "is required because spec.subject.name '%s' is not an e-mail address: add the"
            + " engineer's e-mail address (for example jane.doe@example.gov.uk), so that an approval in either name is known as their own";
    private static final String INVISIBLE = "contains the invisible character %s (at character %d); write the name in plain visible text";

    private static List<digital.govuk.access.api.v1alpha1.Shift> shifts(int n) {
        List<digital.govuk.access.api.v1alpha1.Shift> shifts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            digital.govuk.access.api.v1alpha1.Shift shift = new digital.govuk.access.api.v1alpha1.Shift();
            shift.role = ShiftRole.Shadow;
            Instant start = Instant.parse("2026-01-05T09:00:00Z").plusSeconds(86_400L * i);
            shift.startTime = start.toString();
            shift.endTime = start.plusSeconds(3_600).toString();
            shifts.add(shift);
        }
        return shifts;
    }

    @Test
    void aGroupSubjectIsAllowedWhereThePolicySaysSo() {
        EngineerAccessSpec spec = full().build();
        spec.subject.kind = SubjectKind.Group;
        EffectivePolicy groups = Specs.policy().approver(HEAD_OF_TECH, ApproverRole.HeadOfTechnology).allowGroupSubjects(true).build();
        assertThat(groups.allowGroupSubjects()).isTrue();
        assertThat(EffectivePolicy.defaults().allowGroupSubjects()).as("groups are refused by default").isFalse();

        Decision d = AccessRules.decide(spec, groups, NOW);
        assertThat(d.problems()).isEmpty();
        assertThat(d.level()).isEqualTo(Level.Admin);
        // Even then, no system: group.
        spec.subject.name = "system:authenticated";
        assertThat(AccessRules.decide(spec, groups, NOW).problems()).extracting(Problem::field).containsExactly("spec.subject.name");
    }

    @Test
    void aGroupSubjectNeedsTheEngineersEmail() {
        EffectivePolicy groups = Specs.policy().allowGroupSubjects(true).build();
        EngineerAccessSpec spec = Specs.engineer().group("platform-team", null).build();
        assertThat(SpecReader.problems(spec, groups)).containsExactly(new Problem("spec.email", EMAIL_REQUIRED.formatted("platform-team")));
        spec.email = "jane.doe@example.gov.uk";
        assertThat(SpecReader.problems(spec, groups)).isEmpty();
        // A group named by an address needs none (the rule is the same for users and groups).
        assertThat(SpecReader.problems(Specs.engineer().group("platform@example.gov.uk", null).build(), groups)).isEmpty();
    }

    @Test
    void emailIsOptionalBesideAnAddressAndRequiredBesideAUserName() {
        assertThat(SpecReader.problems(Specs.engineer().userName("jane", "jane@example.gov.uk").build(), POLICY)).isEmpty();
        assertThat(SpecReader.problems(Specs.engineer().userName("jane", "ｊａｎｅ＠example.gov.uk").build(), POLICY))
                .as("a full-width @ is an @ (NFKC)").isEmpty();
        assertThat(SpecReader.problems(Specs.engineer().userName(ENGINEER, "jd@example.gov.uk").build(), POLICY))
                .as("two addresses").isEmpty();
        assertThat(SpecReader.problems(Specs.engineer().build(), POLICY)).as("an address as the subject, no spec.email").isEmpty();
        assertThat(SpecReader.problems(Specs.engineer().userName("system:masters", null).build(), POLICY))
                .as("a refused subject asks for nothing more").extracting(Problem::field).containsExactly("spec.subject.name");
    }

    @Test
    void fullWidthAndCaseVariantsOfANameCompareEqual() {
        assertThat(Names.key("ｊａｎｅ.ＤＯＥ@example.gov.uk")).isEqualTo(ENGINEER_KEY);
        assertThat(Names.key("  Jane.Doe@EXAMPLE.gov.uk\u00A0")).isEqualTo(ENGINEER_KEY);
        assertThat(Names.key("jane.doe@example.gov.uk")).isEqualTo(ENGINEER_KEY);
        assertThat(Names.key("jane.doe@example.gov.uk.")).isNotEqualTo(ENGINEER_KEY);
    }

    private static final String ENGINEER_KEY = "jane.doe@example.gov.uk";

    @ParameterizedTest(name = "{0} -> fails closed naming the field")
    @MethodSource("invalidSpecs")
    void invalidSpecFailsClosed(Invalid invalid) {
        EngineerAccessSpec spec = full().build();
        invalid.breakIt().accept(spec);

        assertThat(SpecReader.problems(spec, POLICY)).containsExactly(new Problem(invalid.field(), invalid.message()));

        Decision d = AccessRules.decide(spec, POLICY, NOW);
        assertThat(d.specValid()).isFalse();
        assertThat(d.problems()).containsExactly(new Problem(invalid.field(), invalid.message()));
        assertThat(d.level()).isEqualTo(Level.None);
        assertThat(d.supervised()).isFalse();
        assertThat(d.accessExpiryTime()).isNull();
        assertThat(d.nextTransitionTime()).isNull();
        assertThat(d.deployOnItsOwn()).isFalse();
        assertThat(d.earnedAdmin()).isFalse();
        assertThat(d.exceptions()).isEmpty();
        assertThat(d.rota().eligible).isEmpty();
        assertThat(ManagedBindings.desired("jane-doe", d, POLICY, NAMESPACES)).isEmpty();
    }

    @Test
    void everyProblemIsReportedInFieldOrderWithItsIndex() {
        EngineerAccessSpec spec = full().shift(ShiftRole.Secondary, "2026-09-21T09:00:00Z", "2026-09-20T09:00:00Z")
                .absence("2026-05-02", "2026-05-01").build();
        spec.subject = null;
        spec.exceptions.get(0).expiryTime = null;

        assertThat(SpecReader.problems(spec, POLICY)).extracting(Problem::field).containsExactly(
                "spec.subject", "spec.shifts[2].endTime", "spec.exceptions[0].expiryTime", "spec.absences[1].until");
        assertThat(AccessRules.decide(spec, POLICY, NOW).level()).isEqualTo(Level.None);
    }

    @Test
    void aMetadataNameThatCannotNameABindingFailsClosed() {
        Decision d = AccessRules.decide("Jane_Doe", full().build(), POLICY, NOW);
        assertThat(d.problems()).extracting(Problem::field).containsExactly("metadata.name");
        assertThat(d.level()).isEqualTo(Level.None);
        assertThat(ManagedBindings.desired("Jane_Doe", d, POLICY, NAMESPACES)).isEmpty();
    }

    @Test
    void listsAtTheirBoundsAreValid() {
        EngineerAccessSpec spec = full().build();
        spec.shifts = shifts(500);
        spec.exceptions = new ArrayList<>(java.util.Collections.nCopies(100, spec.exceptions.get(0)));
        spec.absences = new ArrayList<>(java.util.Collections.nCopies(200, spec.absences.get(0)));
        spec.subject.name = "j".repeat(246) + "@gov.uk";
        spec.exceptions.get(0).businessCase = "b".repeat(2048);
        assertThat(SpecReader.problems(spec, POLICY)).isEmpty();
        assertThat(AccessRules.decide(spec, POLICY, NOW).problems()).isEmpty();
    }

    @Test
    void missingSpecFailsClosed() {
        Decision d = AccessRules.decide(null, POLICY, NOW);
        assertThat(d.problems()).containsExactly(new Problem("spec", "is required"));
        assertThat(d.level()).isEqualTo(Level.None);
    }

    @Test
    void optionalFieldsMayBeAbsent() {
        EngineerAccessSpec spec = Specs.engineer().build();
        spec.shifts = null;
        spec.exceptions = null;
        spec.absences = null;
        assertThat(SpecReader.problems(spec, POLICY)).isEmpty();
        assertThat(SpecReader.problems(Specs.engineer().clearance(ClearanceLevel.None, null).build(), POLICY)).isEmpty();
        assertThat(SpecReader.problems(Specs.engineer().probation(null).approval(TECH_LEAD, "2026-02-01").build(), POLICY))
                .isEmpty();
    }

    // ------------------------------------------------------------------------------------ PolicyReader

    private static List<Problem> policyProblems(Consumer<AccessPolicySpec> edit) {
        AccessPolicySpec spec = new AccessPolicySpec();
        edit.accept(spec);
        PolicyReader.Result result = PolicyReader.read(spec);
        if (!result.valid()) {
            assertThat(result.policy()).as("an invalid policy is not used").isNull();
        }
        return result.problems();
    }

    private static SelectorRequirement requirement(String key, SelectorOperator op, String... values) {
        SelectorRequirement r = new SelectorRequirement();
        r.key = key;
        r.operator = op;
        r.values = new ArrayList<>(List.of(values));
        return r;
    }

    @Test
    void noPolicyMeansTheDefaults() {
        PolicyReader.Result result = PolicyReader.read(null);
        assertThat(result.problems()).isEmpty();
        EffectivePolicy p = result.policy();
        assertThat(p).isEqualTo(EffectivePolicy.defaults());
        assertThat(p.zone()).isEqualTo(ZoneId.of("Europe/London"));
        assertThat(p.requiredClearance()).isEqualTo(ClearanceLevel.BPSS);
        assertThat(p.deployClusterRole()).isEqualTo("production-deploy");
        assertThat(p.adminClusterRole()).isEqualTo("production-admin");
        assertThat(p.includeDeploy()).isTrue();
        assertThat(p.minShadowShifts()).isEqualTo(1);
        assertThat(p.secondaryShiftsBeforePrimary()).isEqualTo(2);
        assertThat(p.longAbsenceDays()).isEqualTo(42);
        assertThat(p.maxExceptionDays()).isEqualTo(30);
        assertThat(p.exceptionsWaiveClearance()).isFalse();
        assertThat(p.techLeads()).isEmpty();
        assertThat(p.exceptionApprovers()).isEmpty();
        assertThat(p.deployNamespaces().matches(Map.of("access.govuk.digital/deploy", "true"))).isTrue();
        assertThat(p.deployNamespaces().matches(Map.of("access.govuk.digital/admin", "true"))).isFalse();
        assertThat(p.adminNamespaces().matches(Map.of("access.govuk.digital/admin", "true"))).isTrue();
        assertThat(p.adminNamespaces().matches(Map.of())).isFalse();
        assertThat(PolicyReader.read(new AccessPolicySpec()).policy()).isEqualTo(p);
    }

    @Test
    void policyNamesWithInvisibleCharactersFailClosed() {
        assertThat(policyProblems(s -> s.techLeads = new ArrayList<>(List.of(TECH_LEAD, "tech.lead\u200B@example.gov.uk"))))
                .containsExactly(new Problem("spec.techLeads[1]", INVISIBLE.formatted("U+200B", 10)));
        assertThat(policyProblems(s -> s.exceptionApprovers.add(new ExceptionApprover("head\u2060.of.tech@example.gov.uk",
                ApproverRole.HeadOfTechnology))))
                .containsExactly(new Problem("spec.exceptionApprovers[0].name", INVISIBLE.formatted("U+2060", 5)));
    }

    @Test
    void policyBoundsAreCheckedBeforeTheEntries() {
        assertThat(policyProblems(s -> s.techLeads = new ArrayList<>(java.util.Collections.nCopies(501, ""))))
                .as("the entries (all empty) are not read").containsExactly(new Problem("spec.techLeads", "must have at most 500 entries, not 501"));
        assertThat(policyProblems(s -> s.exceptionApprovers = new ArrayList<>(java.util.Collections.nCopies(101, new ExceptionApprover()))))
                .containsExactly(new Problem("spec.exceptionApprovers", "must have at most 100 entries, not 101"));
        assertThat(policyProblems(s -> {
            s.deploy = new RoleTarget();
            s.deploy.namespaceSelector = new NamespaceSelector();
            for (int i = 0; i < 21; i++) {
                s.deploy.namespaceSelector.matchLabels.put("label-" + i, "true");
                s.deploy.namespaceSelector.matchExpressions.add(requirement("k" + i, SelectorOperator.Exists));
            }
        })).containsExactly(new Problem("spec.deploy.namespaceSelector.matchLabels", "must have at most 20 entries, not 21"),
                new Problem("spec.deploy.namespaceSelector.matchExpressions", "must have at most 20 entries, not 21"));
        assertThat(policyProblems(s -> {
            s.admin = new AdminRoleTarget();
            s.admin.namespaceSelector = new NamespaceSelector();
            s.admin.namespaceSelector.matchExpressions.add(requirement("tier", SelectorOperator.In,
                    java.util.stream.IntStream.range(0, 101).mapToObj(i -> "v" + i).toArray(String[]::new)));
        })).containsExactly(new Problem("spec.admin.namespaceSelector.matchExpressions[0].values", "must have at most 100 entries, not 101"));
    }

    @Test
    void policyLengthsAndNumbersAreBounded() {
        assertThat(policyProblems(s -> s.timeZone = "Europe/" + "x".repeat(58)))
                .containsExactly(new Problem("spec.timeZone", "must be at most 64 characters, not 65"));
        assertThat(policyProblems(s -> {
            s.deploy = new RoleTarget();
            s.deploy.clusterRole = "r".repeat(254);
        })).containsExactly(new Problem("spec.deploy.clusterRole", "must be at most 253 characters, not 254"));
        assertThat(policyProblems(s -> s.techLeads = new ArrayList<>(List.of("t".repeat(257)))))
                .containsExactly(new Problem("spec.techLeads[0]", "must be at most 256 characters, not 257"));
        assertThat(policyProblems(s -> {
            s.admin = new AdminRoleTarget();
            s.admin.namespaceSelector = new NamespaceSelector();
            s.admin.namespaceSelector.matchLabels.put("k".repeat(318), "v".repeat(64));
            s.admin.namespaceSelector.matchExpressions.add(requirement("tier", SelectorOperator.In, "p".repeat(64)));
            s.admin.namespaceSelector.matchExpressions.add(requirement("t".repeat(318), SelectorOperator.Exists));
        })).containsExactly(
                new Problem("spec.admin.namespaceSelector.matchLabels", "the label key '" + "k".repeat(80) + "…' is longer than 317 characters"),
                new Problem("spec.admin.namespaceSelector.matchLabels." + "k".repeat(80) + "…", "must be at most 63 characters, not 64"),
                new Problem("spec.admin.namespaceSelector.matchExpressions[0].values[0]", "must be at most 63 characters, not 64"),
                new Problem("spec.admin.namespaceSelector.matchExpressions[1].key", "must be at most 317 characters, not 318"));
        assertThat(policyProblems(s -> {
            s.minShadowShifts = 101;
            s.secondaryShiftsBeforePrimary = 101;
            s.longAbsenceDays = 3651;
            s.maxExceptionDays = 366;
        })).containsExactly(new Problem("spec.minShadowShifts", "must be at most 100, not 101"),
                new Problem("spec.secondaryShiftsBeforePrimary", "must be at most 100, not 101"),
                new Problem("spec.longAbsenceDays", "must be at most 3650, not 3651"),
                new Problem("spec.maxExceptionDays", "must be at most 365, not 366"));
        assertThat(policyProblems(s -> {
            s.minShadowShifts = 100;
            s.secondaryShiftsBeforePrimary = 100;
            s.longAbsenceDays = 3650;
            s.maxExceptionDays = 365;
            s.timeZone = "America/Argentina/ComodRivadavia";
        })).as("at the bounds").isEmpty();
    }

    @Test
    void badTimeZone() {
        assertThat(policyProblems(s -> s.timeZone = "Europe/Londres")).containsExactly(
                new Problem("spec.timeZone", "'Europe/Londres' is not a time zone name (for example Europe/London)"));
        assertThat(policyProblems(s -> s.timeZone = "")).extracting(Problem::field).containsExactly("spec.timeZone");
    }

    @Test
    void negativeNumbers() {
        assertThat(policyProblems(s -> s.minShadowShifts = -1))
                .containsExactly(new Problem("spec.minShadowShifts", "must be at least 0, not -1"));
        assertThat(policyProblems(s -> s.secondaryShiftsBeforePrimary = -2))
                .containsExactly(new Problem("spec.secondaryShiftsBeforePrimary", "must be at least 0, not -2"));
        assertThat(policyProblems(s -> s.longAbsenceDays = 0))
                .containsExactly(new Problem("spec.longAbsenceDays", "must be at least 1, not 0"));
        assertThat(policyProblems(s -> s.maxExceptionDays = -30))
                .containsExactly(new Problem("spec.maxExceptionDays", "must be at least 1, not -30"));
        assertThat(policyProblems(s -> {
            s.minShadowShifts = 0;
            s.secondaryShiftsBeforePrimary = 0;
            s.longAbsenceDays = 1;
            s.maxExceptionDays = 1;
        })).isEmpty();
    }

    @Test
    void inWithNoValues() {
        assertThat(policyProblems(s -> {
            s.deploy = new RoleTarget();
            s.deploy.namespaceSelector = new NamespaceSelector();
            s.deploy.namespaceSelector.matchExpressions.add(requirement("tier", SelectorOperator.In));
        })).containsExactly(new Problem("spec.deploy.namespaceSelector.matchExpressions[0].values",
                "must list at least one value for In"));
        assertThat(policyProblems(s -> {
            s.admin = new AdminRoleTarget();
            s.admin.namespaceSelector = new NamespaceSelector();
            s.admin.namespaceSelector.matchLabels.put("team", "x");
            s.admin.namespaceSelector.matchExpressions.add(requirement("tier", SelectorOperator.Exists, "prod"));
        })).containsExactly(new Problem("spec.admin.namespaceSelector.matchExpressions[0].values",
                "must be empty for Exists"));
    }

    @Test
    void emptySelectorWouldSelectEveryNamespace() {
        assertThat(policyProblems(s -> {
            s.admin = new AdminRoleTarget();
            s.admin.namespaceSelector = new NamespaceSelector();
        })).containsExactly(new Problem("spec.admin.namespaceSelector",
                "is empty and would select every namespace; name the labels to select"));
    }

    @Test
    void duplicateApproverWithDifferentRoles() {
        assertThat(policyProblems(s -> {
            s.exceptionApprovers.add(new ExceptionApprover(HEAD_OF_TECH, ApproverRole.HeadOfTechnology));
            s.exceptionApprovers.add(new ExceptionApprover(" Head.Of.Tech@example.gov.uk", ApproverRole.LeadDeveloper));
        })).containsExactly(new Problem("spec.exceptionApprovers[1].name",
                "' Head.Of.Tech@example.gov.uk' is listed twice with different roles"));
        assertThat(policyProblems(s -> {
            s.exceptionApprovers.add(new ExceptionApprover(HEAD_OF_TECH, ApproverRole.HeadOfTechnology));
            s.exceptionApprovers.add(new ExceptionApprover(HEAD_OF_TECH, ApproverRole.HeadOfTechnology));
        })).as("the same approver twice with the same role is harmless").isEmpty();
    }

    @Test
    void approverAndTechLeadEntriesMustBeComplete() {
        assertThat(policyProblems(s -> s.exceptionApprovers.add(new ExceptionApprover(" ", null))))
                .containsExactly(new Problem("spec.exceptionApprovers[0].name", "must not be empty"),
                        new Problem("spec.exceptionApprovers[0].role", "is required: LeadDeveloper or HeadOfTechnology"));
        assertThat(policyProblems(s -> s.techLeads = new ArrayList<>(List.of(TECH_LEAD, ""))))
                .containsExactly(new Problem("spec.techLeads[1]", "must not be empty"));
        assertThat(policyProblems(s -> {
            s.deploy = new RoleTarget();
            s.deploy.clusterRole = "production/deploy";
        })).containsExactly(new Problem("spec.deploy.clusterRole", "'production/deploy' is not a valid ClusterRole name"));
    }

    @Test
    void instantsTheSchemaAcceptsAreRead() {
        EngineerAccessSpec spec = full().shadow("2026-08-10T10:00:00.5+01:00", "2026-08-10T17:00:00.123456789-00:30").build();
        assertThat(SpecReader.problems(spec, POLICY)).isEmpty();
    }

    @Test
    void selectorExpressionsMatchAsInKubernetes() {
        LabelMatcher m = new LabelMatcher(Map.of("team", "govuk"), List.of(
                new LabelMatcher.Expression("tier", SelectorOperator.In, java.util.Set.of("prod", "staging")),
                new LabelMatcher.Expression("legacy", SelectorOperator.NotIn, java.util.Set.of("true")),
                new LabelMatcher.Expression("access", SelectorOperator.Exists, java.util.Set.of()),
                new LabelMatcher.Expression("frozen", SelectorOperator.DoesNotExist, java.util.Set.of())));
        Map<String, String> good = Map.of("team", "govuk", "tier", "prod", "access", "");
        assertThat(m.matches(good)).isTrue();
        assertThat(m.matches(with(good, "legacy", "false"))).as("NotIn: another value").isTrue();
        assertThat(m.matches(with(good, "legacy", "true"))).as("NotIn").isFalse();
        assertThat(m.matches(with(good, "tier", "dev"))).as("In").isFalse();
        assertThat(m.matches(with(good, "team", "other"))).as("matchLabels").isFalse();
        assertThat(m.matches(with(good, "frozen", "no"))).as("DoesNotExist").isFalse();
        Map<String, String> noAccess = new java.util.HashMap<>(good);
        noAccess.remove("access");
        assertThat(m.matches(noAccess)).as("Exists").isFalse();
        assertThat(m.matches(null)).isFalse();
        assertThat(m.selectsEverything()).isFalse();
        assertThat(LabelMatcher.of(Map.of()).selectsEverything()).isTrue();
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(labels);
        copy.put(key, value);
        return copy;
    }

    @Test
    void policyNamesAreNormalised() {
        EffectivePolicy p = Specs.policy().techLeads(" Tech.Lead@Example.gov.uk ")
                .approver(" HEAD.of.tech@example.gov.uk", ApproverRole.HeadOfTechnology).build();
        assertThat(p.techLeads()).containsExactly(TECH_LEAD);
        assertThat(p.exceptionApprovers()).containsExactly(Map.entry(HEAD_OF_TECH, ApproverRole.HeadOfTechnology));
    }
}
