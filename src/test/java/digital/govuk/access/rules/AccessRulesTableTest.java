package digital.govuk.access.rules;

import static digital.govuk.access.rules.Specs.ENGINEER;
import static digital.govuk.access.rules.Specs.HEAD_OF_TECH;
import static digital.govuk.access.rules.Specs.LEAD_DEV;
import static digital.govuk.access.rules.Specs.SUPERVISOR;
import static digital.govuk.access.rules.Specs.TECH_LEAD;
import static digital.govuk.access.rules.Specs.adminReady;
import static digital.govuk.access.rules.Specs.at;
import static digital.govuk.access.rules.Specs.deployReady;
import static digital.govuk.access.rules.Specs.engineer;
import static digital.govuk.access.rules.Specs.policy;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.Employment;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerRole;
import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.RotaRole;
import digital.govuk.access.api.v1alpha1.Unmet;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;

/**
 * One row per rule sentence of docs/access-rules.md (shared/design/access-rules.md), each unmet code and
 * each exception rejection code. Every row states the whole decision: level, supervised, accessExpiryTime,
 * nextTransitionTime, unmet codes, exception states, rota and RotaOrder; rows may also state messages and
 * the managed bindings.
 */
class AccessRulesTableTest {

    /** Defaults plus a Head of Technology and a Lead Developer as exception approvers. */
    private static final EffectivePolicy P = Specs.withApprovers();
    private static final EffectivePolicy DEFAULTS = EffectivePolicy.defaults();

    /** What an engineer with clearance but nothing towards Admin lacks for Admin. */
    private static final String[] ADMIN_NOTHING = {"Admin:ProbationNotPassed", "Admin:ShadowShiftMissing",
            "Admin:AdminShadowShiftMissing"};

    /** The exception used by most exception rows: 14 days, approved by the Head of Technology. */
    private static final String EX_START = "2026-11-20T09:00:00Z";
    private static final String EX_EXPIRY = "2026-12-04T17:30:00Z";

    private static final String NAME = "jane-doe";
    private static final List<NamespaceInfo> NAMESPACES = List.of(
            new NamespaceInfo("apps", Map.of(EffectivePolicy.DEPLOY_LABEL, "true", EffectivePolicy.ADMIN_LABEL, "true"), false),
            new NamespaceInfo("tools", Map.of(EffectivePolicy.DEPLOY_LABEL, "true"), false),
            new NamespaceInfo("secrets", Map.of(EffectivePolicy.ADMIN_LABEL, "true"), false),
            new NamespaceInfo("other", Map.of("team", "x"), false),
            new NamespaceInfo("going", Map.of(EffectivePolicy.DEPLOY_LABEL, "true", EffectivePolicy.ADMIN_LABEL, "true"), true));

    record Row(String name, EngineerAccessSpec spec, EffectivePolicy policy, Instant now, Expect expect) {
    }

    /** The expected decision. Everything but messages and bindings is always checked; defaults mean "nothing". */
    static final class Expect {
        final Level level;
        boolean supervised;
        final List<String> unmet = new ArrayList<>();
        final List<String> exceptions = new ArrayList<>();
        String expiry;
        String next;
        int secondaryShifts;
        final List<RotaRole> eligible = new ArrayList<>();
        boolean rotaOrder = true;
        final Map<String, String> messages = new LinkedHashMap<>();
        List<String> bindings;

        Expect(Level level) {
            this.level = level;
        }

        Expect supervised() {
            supervised = true;
            return this;
        }

        /** Unmet reasons as {@code Level:Code}. */
        Expect unmet(String... codes) {
            unmet.addAll(Arrays.asList(codes));
            return this;
        }

        Expect adminNothing() {
            return unmet(ADMIN_NOTHING);
        }

        /** Exception states by index: {@code Active}, or {@code Rejected:Code}. */
        Expect exceptions(String... states) {
            exceptions.addAll(Arrays.asList(states));
            return this;
        }

        Expect expiry(String instant) {
            expiry = instant;
            return this;
        }

        Expect next(String instant) {
            next = instant;
            return this;
        }

        Expect rota(int secondaries, RotaRole... roles) {
            secondaryShifts = secondaries;
            eligible.addAll(Arrays.asList(roles));
            return this;
        }

        Expect rotaOrderFalse() {
            rotaOrder = false;
            return this;
        }

        Expect message(String levelCode, String message) {
            messages.put(levelCode, message);
            return this;
        }

        /** Managed bindings as {@code namespace:level} or {@code namespace:level@expiry}. */
        Expect bindings(String... expected) {
            bindings = List.of(expected);
            return this;
        }
    }

    static Expect expect(Level level) {
        return new Expect(level);
    }

    private static Arguments row(String name, Specs.Builder spec, EffectivePolicy policy, String now, Expect expect) {
        return Arguments.of(Named.of(name, new Row(name, spec.build(), policy, at(now), expect)));
    }

    private static final RotaRole SEC = RotaRole.Secondary;
    private static final RotaRole PRI = RotaRole.Primary;
    private static final RotaRole ONC = RotaRole.OnCall;

    static Stream<Arguments> rows() {
        return Stream.of(
                // ---------------------------------------------------------------- Production Deploy
                row("Deploy 'granted when all hold': clearance, complete approval, approver not the engineer, no long absence",
                        deployReady(), P, "2026-03-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing().bindings("apps:deploy", "tools:deploy")),
                row("Deploy 1 'clearance level is at least requiredClearance': none recorded -> ClearanceMissing",
                        deployReady().noClearance(), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Admin:ClearanceMissing").adminNothing()
                                .message("Deploy:ClearanceMissing", "No security clearance is recorded; BPSS is required: once it is granted,"
                                        + " record its level and date in spec.clearance")
                                .bindings()),
                row("Deploy 1 'at least requiredClearance': clearance level None recorded -> ClearanceMissing",
                        deployReady().clearance(ClearanceLevel.None, null), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Admin:ClearanceMissing").adminNothing()),
                row("Deploy 1 'order None < BPSS < SC < DV': BPSS is below a required SC -> ClearanceMissing",
                        deployReady(), policy().requiredClearance(ClearanceLevel.SC).build(), "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Admin:ClearanceMissing").adminNothing()
                                .message("Deploy:ClearanceMissing", "Clearance BPSS is below the required SC: once SC is granted, record it in spec.clearance")),
                row("Deploy 1 'order None < BPSS < SC < DV': DV satisfies a required SC",
                        deployReady().clearance(ClearanceLevel.DV, "2026-01-12"),
                        policy().requiredClearance(ClearanceLevel.SC).build(), "2026-03-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Deploy 1 'effective from clearance.grantedOn': granted tomorrow -> ClearanceMissing, next = start of that day",
                        deployReady().clearance(ClearanceLevel.BPSS, "2026-03-02"), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Admin:ClearanceMissing").adminNothing()
                                .message("Deploy:ClearanceMissing", "Clearance BPSS counts from 2026-03-02: nothing to do but wait for that day")
                                .next("2026-03-02T00:00:00Z")),
                row("Deploy 1: requiredClearance None needs no clearance at all",
                        engineer().approval(TECH_LEAD, "2026-02-01"),
                        policy().requiredClearance(ClearanceLevel.None).build(), "2026-03-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Deploy 2 'a deployApproval exists': none -> DeployApprovalMissing",
                        deployReady().noApproval(), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .message("Deploy:DeployApprovalMissing", "No deploy approval from a tech lead is recorded: ask your tech lead to"
                                        + " check the four points (code review, releasing, rollback, getting help) and record the approval"
                                        + " in spec.deployApproval")),
                row("Deploy 2 'effective from approvedOn' / 'a deploy approval dated in the future counts as missing until its day'",
                        deployReady().approval(TECH_LEAD, "2026-03-10"), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .message("Deploy:DeployApprovalMissing", "The deploy approval is dated 2026-03-10 and counts from that day: nothing to do but wait")
                                .next("2026-03-10T00:00:00Z")),
                row("Deploy 2 'effective from approvedOn': counts from the start of that day",
                        deployReady().approval(TECH_LEAD, "2026-03-10"), P, "2026-03-10T00:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Deploy 2 'all four confirmations true': codeReview false -> ApprovalIncomplete",
                        deployReady().approval(TECH_LEAD, "2026-02-01", false, true, true, true), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ApprovalIncomplete").adminNothing()
                                .message("Deploy:ApprovalIncomplete", "The tech lead has not confirmed: codeReview; ask your tech lead to confirm code review knowledge")),
                row("Deploy 2 'all four confirmations true': releaseResponsibilities false -> ApprovalIncomplete",
                        deployReady().approval(TECH_LEAD, "2026-02-01", true, false, true, true), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ApprovalIncomplete").adminNothing()
                                .message("Deploy:ApprovalIncomplete", "The tech lead has not confirmed: releaseResponsibilities; ask your tech lead to confirm release responsibilities")),
                row("Deploy 2 'all four confirmations true': rollback false -> ApprovalIncomplete",
                        deployReady().approval(TECH_LEAD, "2026-02-01", true, true, false, true), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ApprovalIncomplete").adminNothing()
                                .message("Deploy:ApprovalIncomplete", "The tech lead has not confirmed: rollback; ask your tech lead to confirm rollback knowledge")),
                row("Deploy 2 'all four confirmations true': gettingHelp absent (absent means false) -> ApprovalIncomplete",
                        deployReady().approval(TECH_LEAD, "2026-02-01", true, true, true, null), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ApprovalIncomplete").adminNothing()
                                .message("Deploy:ApprovalIncomplete", "The tech lead has not confirmed: gettingHelp; ask your tech lead to confirm knowing how to get help")),
                row("Deploy 2 'all four confirmations true': no confirmations recorded -> ApprovalIncomplete",
                        deployReady().approvalWithoutConfirmations(TECH_LEAD, "2026-02-01"), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ApprovalIncomplete").adminNothing()
                                .message("Deploy:ApprovalIncomplete",
                                        "The tech lead has not confirmed: codeReview, releaseResponsibilities, rollback, gettingHelp; ask your"
                                                + " tech lead to confirm code review knowledge, release responsibilities, rollback knowledge and knowing"
                                                + " how to get help")),
                row("Deploy 3 'the approver is not the engineer' -> SelfApproval",
                        deployReady().approval(ENGINEER, "2026-02-01"), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:SelfApproval").adminNothing()),
                row("Deploy 3 'approver is not the engineer': names compare trimmed and case-insensitive -> SelfApproval",
                        deployReady().approval("  Jane.Doe@Example.GOV.uk ", "2026-02-01"), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:SelfApproval").adminNothing()),
                row("Deploy 3 'approver is not the engineer': the name in full-width letters is the same name (NFKC, decided) -> SelfApproval",
                        deployReady().approval("ｊａｎｅ.ＤＯＥ@example.gov.uk", "2026-02-01"), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:SelfApproval").adminNothing()),
                row("Deploy 3 'approver is not the engineer': subject User jane, approved by Jane@example.gov.uk, the engineer's"
                        + " spec.email (one person, two names: decided) -> SelfApproval",
                        deployReady().userName("jane", "jane@example.gov.uk").approval("Jane@example.gov.uk", "2026-02-01"), P,
                        "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:SelfApproval").adminNothing()
                                .message("Deploy:SelfApproval", "The engineer cannot approve their own deploy access: ask your tech lead to approve it")),
                row("Deploy 3 'approver is not the engineer': subject User jane with spec.email, approved by the user name JANE -> SelfApproval",
                        deployReady().userName("jane", "jane@example.gov.uk").approval(" JANE", "2026-02-01"), P, "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:SelfApproval").adminNothing()),
                row("Deploy 3 'approver is not the engineer': a Group subject's engineer approving by their spec.email -> SelfApproval",
                        deployReady().group("platform-team", "jane@example.gov.uk").approval("ｊａｎｅ@example.gov.uk", "2026-02-01"),
                        policy().allowGroupSubjects(true).build(), "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:SelfApproval").adminNothing()),
                row("Deploy 3: subject User jane with spec.email, approved by a tech lead: granted (the e-mail address is another name, not a change)",
                        deployReady().userName("jane", "jane@example.gov.uk"), P, "2026-03-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing().bindings("apps:deploy", "tools:deploy")),
                row("Deploy 3 'when the policy lists techLeads, is one of them': not listed -> ApproverNotTechLead",
                        deployReady(), policy().techLeads("other.lead@example.gov.uk").build(), "2026-03-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ApproverNotTechLead").adminNothing()
                                .message("Deploy:ApproverNotTechLead",
                                        "The approver tech.lead@example.gov.uk is not one of the policy's tech leads: ask one of them to"
                                                + " approve, or the policy's owners to add the approver to techLeads")),
                row("Deploy 3 'when the policy lists techLeads, is one of them': listed (case-insensitive) -> Deploy",
                        deployReady(), policy().techLeads(" Tech.Lead@example.gov.uk").build(), "2026-03-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Deploy 4 'not revoked by a long absence': ongoing absence past its threshold -> LongAbsence",
                        deployReady().absence("2026-03-02", null), P, "2026-05-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").adminNothing()
                                .message("Deploy:LongAbsence",
                                        "Away since 2026-03-02, more than 42 days: all access is revoked until the return. On return,"
                                                + " record the date (until) and ask your tech lead for a new deploy approval")
                                .bindings()),
                row("Deploy 'Civil servants and contractors are treated alike': a Contractor SRE gets Deploy",
                        deployReady().employment(Employment.Contractor).role(EngineerRole.SRE), P, "2026-03-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing()),

                // ---------------------------------------------------------------- Production Admin, earned
                row("Admin: before the AdminShadow shift -> Deploy, AdminShadowShiftMissing, next = the shift's startTime",
                        adminReady(), P, "2026-09-01T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:AdminShadowShiftMissing")
                                .message("Admin:AdminShadowShiftMissing", "No AdminShadow shift has started with the prerequisites met;"
                                        + " the next AdminShadow shift starts at 2026-09-07T09:00:00Z: it counts if the other requirements are met by then")
                                .next("2026-09-07T09:00:00Z")),
                row("Admin 'During that AdminShadow shift (startTime <= now < endTime): Admin, supervised': at startTime",
                        adminReady(), P, "2026-09-07T09:00:00Z",
                        expect(Level.Admin).supervised().rota(0, SEC).next("2026-09-11T17:30:00Z")
                                .bindings("apps:admin", "apps:deploy", "secrets:admin", "tools:deploy")),
                row("Admin 'During that AdminShadow shift (now < endTime)': 1 s before endTime still supervised",
                        adminReady(), P, "2026-09-11T17:29:59Z",
                        expect(Level.Admin).supervised().rota(0, SEC).next("2026-09-11T17:30:00Z")),
                row("Admin 'After it ends: Admin, not supervised, kept': at endTime",
                        adminReady(), P, "2026-09-11T17:30:00Z",
                        expect(Level.Admin).rota(0, SEC)),
                row("Admin 'After it ends: Admin, not supervised, kept': a year later, no expiry",
                        adminReady(), P, "2027-09-11T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC).bindings("apps:admin", "apps:deploy", "secrets:admin", "tools:deploy")),
                row("Admin 'does not also require the deploy approval' (decided); Deploy bindings come with it (includeDeploy)",
                        adminReady().noApproval(), P, "2026-10-01T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC).bindings("apps:admin", "apps:deploy", "secrets:admin", "tools:deploy")),
                row("Admin 'includeDeploy' false: earned Admin without a deploy approval gets no Deploy bindings",
                        adminReady().noApproval(), policy().includeDeploy(false).build(), "2026-10-01T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC).bindings("apps:admin", "secrets:admin")),
                row("Admin 'includeDeploy' false: Deploy bindings still exist when the deploy rules hold on their own",
                        adminReady(), policy().includeDeploy(false).build(), "2026-10-01T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC).bindings("apps:admin", "apps:deploy", "secrets:admin", "tools:deploy")),
                row("Admin prerequisite 'probation.passedOn reached': none recorded -> ProbationNotPassed",
                        adminReady().probation(null), P, "2026-10-01T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:ProbationNotPassed", "Admin:AdminShadowShiftMissing")
                                .message("Admin:ProbationNotPassed", "Probation is not passed yet (no date is recorded): once it is passed,"
                                        + " record the date in spec.probation.passedOn")
                                .message("Admin:AdminShadowShiftMissing", "No AdminShadow shift has started with the prerequisites met;"
                                        + " the shift of 2026-09-07T09:00:00Z does not count because it started before the prerequisites held:"
                                        + " once the other requirements are met, ask to be booked on one last shadow shift (AdminShadow)")),
                row("Admin prerequisite 'probation.passedOn reached': passes in the future -> ProbationNotPassed, next = start of that day (BST)",
                        deployReady().probation("2026-07-01"), P, "2026-06-15T12:00:00Z",
                        expect(Level.Deploy).adminNothing()
                                .message("Admin:ProbationNotPassed", "Probation is not passed yet (passes on 2026-07-01): nothing to do but wait for that day")
                                .next("2026-06-30T23:00:00Z")),
                row("Admin prerequisite 'at least minShadowShifts (1) completed Shadow shifts': none -> ShadowShiftMissing",
                        deployReady().probation("2026-07-01").adminShadow("2026-09-07T09:00:00Z", "2026-09-11T17:30:00Z"),
                        P, "2026-09-08T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:ShadowShiftMissing", "Admin:AdminShadowShiftMissing")
                                .message("Admin:ShadowShiftMissing", "0 of the 1 required Technical 2nd Line Shadow shifts completed: ask to be booked on a Shadow shift")),
                row("Admin prerequisite 'at least minShadowShifts': minShadowShifts 2 and one Shadow shift -> ShadowShiftMissing",
                        adminReady(), policy().minShadowShifts(2).build(), "2026-09-08T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:ShadowShiftMissing", "Admin:AdminShadowShiftMissing")
                                .message("Admin:ShadowShiftMissing", "1 of the 2 required Technical 2nd Line Shadow shifts completed: ask to be booked on a Shadow shift")),
                row("Admin prerequisite: minShadowShifts 0 needs no Shadow shift",
                        deployReady().probation("2026-07-01").adminShadow("2026-09-07T09:00:00Z", "2026-09-11T17:30:00Z"),
                        policy().minShadowShifts(0).build(), "2026-09-08T12:00:00Z",
                        expect(Level.Admin).supervised().rota(0, SEC).next("2026-09-11T17:30:00Z")),
                row("Admin 'Shadow shifts that ended before the start of an AdminShadow shift': one ending after it does not count",
                        deployReady().probation("2026-07-01").shadow("2026-09-06T09:00:00Z", "2026-09-07T10:00:00Z")
                                .adminShadow("2026-09-07T09:00:00Z", "2026-09-11T17:30:00Z"),
                        P, "2026-09-08T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:AdminShadowShiftMissing")),
                row("Admin: a Shadow shift whose endTime equals the AdminShadow startTime counts (decided)",
                        deployReady().probation("2026-07-01").shadow("2026-09-06T09:00:00Z", "2026-09-07T09:00:00Z")
                                .adminShadow("2026-09-07T09:00:00Z", "2026-09-11T17:30:00Z"),
                        P, "2026-09-08T12:00:00Z",
                        expect(Level.Admin).supervised().rota(0, SEC).next("2026-09-11T17:30:00Z")),
                row("Admin 'An AdminShadow shift that started before the prerequisites held does not count': probation passed mid-shift",
                        adminReady().probation("2026-09-08"), P, "2026-09-09T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:AdminShadowShiftMissing")),
                row("Admin 'started before the prerequisites held does not count': clearance granted mid-shift",
                        adminReady().clearance(ClearanceLevel.BPSS, "2026-09-08"), P, "2026-09-09T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:AdminShadowShiftMissing")),
                row("Admin 'started before the prerequisites held does not count': a later AdminShadow shift does count",
                        adminReady().probation("2026-09-08").adminShadow("2026-10-05T09:00:00Z", "2026-10-09T17:30:00Z"),
                        P, "2026-10-06T12:00:00Z",
                        expect(Level.Admin).supervised().rota(0, SEC).next("2026-10-09T17:30:00Z")),
                row("Admin precise point 'no revocation by long absence now': earned Admin revoked -> LongAbsence, no rota",
                        adminReady().absence("2026-10-01", null), P, "2026-11-20T12:00:00Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").bindings()),

                // ---------------------------------------------------------------- Admin by exception
                row("Exception state 'Pending (startTime in the future)'; next = startTime",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P, "2026-11-01T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().exceptions("Pending")
                                .next(EX_START).bindings()),
                row("Exception 'grants Admin, supervised, from startTime': Active, accessExpiryTime = expiryTime, no rota",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P, EX_START,
                        expect(Level.Admin).supervised().exceptions("Active").expiry(EX_EXPIRY).next(EX_EXPIRY)
                                .bindings("apps:admin@" + EX_EXPIRY, "apps:deploy@" + EX_EXPIRY, "secrets:admin@" + EX_EXPIRY,
                                        "tools:deploy@" + EX_EXPIRY)),
                row("Exception 'until expiryTime': Expired at expiryTime, access removed",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P, EX_EXPIRY,
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().exceptions("Expired").bindings()),
                row("Exception 'approvedBy ... LeadDeveloper or HeadOfTechnology': a Lead Developer -> Active",
                        cleared().exception(LEAD_DEV, SUPERVISOR, EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry(EX_EXPIRY).next(EX_EXPIRY)),
                row("Exception 'approvedBy is listed in exceptionApprovers': not listed -> ApproverNotAuthorised",
                        cleared().exception(TECH_LEAD, SUPERVISOR, EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:ApproverNotAuthorised")),
                row("Exception 'the role comes from the policy': the default policy lists no approvers -> ApproverNotAuthorised",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), DEFAULTS, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:ApproverNotAuthorised")),
                row("Exception approver 'is not the engineer': a listed approver approving their own -> SelfApproval",
                        cleared().exception(" JANE.DOE@example.gov.uk", SUPERVISOR, EX_START, EX_EXPIRY),
                        policy().approver(ENGINEER, ApproverRole.LeadDeveloper).build(), "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:SelfApproval")),
                row("Exception approver 'is not the engineer': in full-width letters, listed in the policy the plain way (NFKC, decided) -> SelfApproval",
                        cleared().exception("ｊａｎｅ.ｄｏｅ＠example.gov.uk", SUPERVISOR, EX_START, EX_EXPIRY),
                        policy().approver(ENGINEER, ApproverRole.HeadOfTechnology).build(), "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:SelfApproval")),
                row("Exception approver 'is not the engineer': subject User jane, approved by a listed approver who is the engineer's"
                        + " spec.email (decided) -> SelfApproval",
                        cleared().userName("jane", "jane@example.gov.uk").exception("Jane@example.gov.uk", SUPERVISOR, EX_START, EX_EXPIRY),
                        policy().approver("jane@example.gov.uk", ApproverRole.LeadDeveloper).build(), "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:SelfApproval")),
                row("Exception approver 'is not the engineer': subject User jane with spec.email, approved by the user name jane,"
                        + " listed in the policy -> SelfApproval",
                        cleared().userName("jane", "jane@example.gov.uk").exception("Jane", SUPERVISOR, EX_START, EX_EXPIRY),
                        policy().approver("jane", ApproverRole.HeadOfTechnology).build(), "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:SelfApproval")),
                row("Exception 'businessCase ... non-empty': whitespace only -> MissingBusinessCase (decided)",
                        cleared().exception(HEAD_OF_TECH, "   ", SUPERVISOR, EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:MissingBusinessCase")),
                row("Exception 'supervisor non-empty': none named -> MissingSupervisor",
                        cleared().exception(HEAD_OF_TECH, null, EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:MissingSupervisor")),
                row("Exception 'supervisor non-empty': blank -> MissingSupervisor",
                        cleared().exception(HEAD_OF_TECH, "  ", EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:MissingSupervisor")),
                row("Exception 'the supervisor is not the engineer' (trimmed, case-insensitive) -> MissingSupervisor",
                        cleared().exception(HEAD_OF_TECH, " Jane.Doe@EXAMPLE.gov.uk", EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:MissingSupervisor")),
                row("Exception 'the supervisor is not the engineer': in full-width letters with a no-break space (NFKC, decided) -> MissingSupervisor",
                        cleared().exception(HEAD_OF_TECH, "Ｊａｎｅ.Doe@example.gov.uk\u00A0", EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:MissingSupervisor")),
                row("Exception 'the supervisor is not the engineer': subject User jane, supervised by the engineer's spec.email"
                        + " (decided) -> MissingSupervisor",
                        cleared().userName("jane", "jane@example.gov.uk").exception(HEAD_OF_TECH, "JANE@example.gov.uk ", EX_START, EX_EXPIRY),
                        P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:MissingSupervisor")),
                row("Exception 'the supervisor is not the engineer': subject User jane.doe@example.gov.uk with another address in"
                        + " spec.email, supervised by that address -> MissingSupervisor",
                        cleared().userName(ENGINEER, "jd@example.gov.uk").exception(HEAD_OF_TECH, "jd@example.gov.uk", EX_START, EX_EXPIRY),
                        P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:MissingSupervisor")),
                row("Exception: subject User jane with spec.email, approved and supervised by others: Active",
                        cleared().userName("jane", "jane@example.gov.uk").exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY),
                        P, "2026-11-25T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry(EX_EXPIRY).next(EX_EXPIRY)),
                row("Exception 'expiryTime - startTime is at most maxExceptionDays (30)': 30 days + 1 s -> TooLong",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, "2026-11-01T09:00:00Z", "2026-12-01T09:00:01Z"), P,
                        "2026-11-15T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().exceptions("Rejected:TooLong")),
                row("Exception 'at most maxExceptionDays': exactly 30 days is allowed",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, "2026-11-01T09:00:00Z", "2026-12-01T09:00:00Z"), P,
                        "2026-11-15T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry("2026-12-01T09:00:00Z")
                                .next("2026-12-01T09:00:00Z")),
                row("Exception 'at most maxExceptionDays' in calendar days across summer time: 2026-03-10T12:00Z + 30 days = 2026-04-09T11:00Z, allowed",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, "2026-03-10T12:00:00Z", "2026-04-09T11:00:00Z"), P,
                        "2026-03-20T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry("2026-04-09T11:00:00Z")
                                .next("2026-04-09T11:00:00Z")),
                row("Exception 'at most maxExceptionDays' in calendar days across summer time: 720 hours to 2026-04-09T12:00Z -> TooLong",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, "2026-03-10T12:00:00Z", "2026-04-09T12:00:00Z"), P,
                        "2026-03-20T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().exceptions("Rejected:TooLong")),
                row("Exception 'the clearance rule holds': an exception waives probation and shadow shifts, not clearance -> ClearanceMissing",
                        engineer().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:ClearanceMissing").bindings()),
                row("Exception rejected for missing clearance is still Rejected after its expiry, not Expired (decided 32)",
                        engineer().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P, EX_EXPIRY,
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:ClearanceMissing").bindings()),
                row("Exception Active at its end reads Expired after it, though clearance only began during it (decided 32)",
                        cleared().clearance(ClearanceLevel.BPSS, "2026-11-27").exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY),
                        P, "2026-12-05T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().exceptions("Expired")),
                row("Exception ClearanceMissing while clearance is not yet effective; next = start of the grantedOn day",
                        cleared().clearance(ClearanceLevel.BPSS, "2026-11-27").exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY),
                        P, "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:ClearanceMissing").next("2026-11-27T00:00:00Z")),
                row("Exception 'exceptionsWaiveClearance' true: Active without clearance",
                        engineer().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY),
                        policy().approver(HEAD_OF_TECH, ApproverRole.HeadOfTechnology).exceptionsWaiveClearance(true).build(),
                        "2026-11-25T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry(EX_EXPIRY).next(EX_EXPIRY)),
                row("Exception 'checks run in the order listed; the first that fails gives the reason': ApproverNotAuthorised first",
                        engineer().exception(TECH_LEAD, " ", null, "2026-11-01T09:00:00Z", "2026-12-20T09:00:00Z"), P,
                        "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:ApproverNotAuthorised")),
                row("Exception checks in order: SelfApproval before MissingBusinessCase",
                        engineer().exception(ENGINEER, " ", null, "2026-11-01T09:00:00Z", "2026-12-20T09:00:00Z"),
                        policy().approver(ENGINEER, ApproverRole.HeadOfTechnology).build(), "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:SelfApproval")),
                row("Exception checks in order: MissingBusinessCase before MissingSupervisor",
                        engineer().exception(HEAD_OF_TECH, " ", null, "2026-11-01T09:00:00Z", "2026-12-20T09:00:00Z"), P,
                        "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:MissingBusinessCase")),
                row("Exception checks in order: MissingSupervisor before TooLong",
                        engineer().exception(HEAD_OF_TECH, null, "2026-11-01T09:00:00Z", "2026-12-20T09:00:00Z"), P,
                        "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:MissingSupervisor")),
                row("Exception checks in order: TooLong before ClearanceMissing",
                        engineer().exception(HEAD_OF_TECH, SUPERVISOR, "2026-11-01T09:00:00Z", "2026-12-20T09:00:00Z"), P,
                        "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().exceptions("Rejected:TooLong")),
                row("Exception 'While an ongoing long absence revokes access, an exception that would be active is Rejected with VoidedByLongAbsence'",
                        cleared().absence("2026-10-01", null).exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P,
                        "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Deploy:DeployApprovalMissing", "Admin:LongAbsence")
                                .adminNothing().exceptions("Rejected:VoidedByLongAbsence").bindings()),
                row("Exception voided by a long absence is still Rejected after its expiry, not Expired (decided 32)",
                        cleared().absence("2026-10-01", null).exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P,
                        "2026-12-10T12:00:00Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Deploy:DeployApprovalMissing", "Admin:LongAbsence")
                                .adminNothing().exceptions("Rejected:VoidedByLongAbsence").bindings()),
                row("Exception Active until a long absence voided it ends Rejected, as it was at its end (decided 32)",
                        cleared().absence("2026-10-20", null).exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P,
                        "2026-12-10T12:00:00Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Deploy:DeployApprovalMissing", "Admin:LongAbsence")
                                .adminNothing().exceptions("Rejected:VoidedByLongAbsence").bindings()),
                row("Long absence 'exceptions count only if they start on or after the return date': started before -> VoidedByLongAbsence",
                        cleared().absence("2026-09-01", "2026-11-23").exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P,
                        "2026-11-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:VoidedByLongAbsence")),
                row("Long absence: an exception that started before the return is still Rejected after its expiry (decided 32)",
                        cleared().absence("2026-09-01", "2026-11-23").exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P,
                        EX_EXPIRY,
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing()
                                .exceptions("Rejected:VoidedByLongAbsence")),
                row("Long absence 'exceptions count only if they start on or after the return date': starting on the return day -> Active",
                        cleared().absence("2026-09-01", "2026-11-23")
                                .exception(HEAD_OF_TECH, SUPERVISOR, "2026-11-23T00:00:00Z", EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry(EX_EXPIRY).next(EX_EXPIRY)),
                row("accessExpiryTime 'the latest expiryTime among the active ones'",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY)
                                .exception(LEAD_DEV, SUPERVISOR, "2026-11-22T09:00:00Z", "2026-12-10T17:30:00Z"), P,
                        "2026-11-25T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active", "Active").expiry("2026-12-10T17:30:00Z")
                                .next(EX_EXPIRY)),
                row("accessExpiryTime 'only when Admin comes from exceptions alone': earned Admin with an active exception has none",
                        adminReady().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.Admin).exceptions("Active").rota(0, SEC).next(EX_EXPIRY)
                                .bindings("apps:admin", "apps:deploy", "secrets:admin", "tools:deploy")),
                row("accessExpiryTime: exception-only Admin on top of Deploy expires; the Deploy binding of its own does not",
                        deployReady().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY), P, "2026-11-25T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry(EX_EXPIRY).next(EX_EXPIRY)
                                .bindings("apps:admin@" + EX_EXPIRY, "apps:deploy", "secrets:admin@" + EX_EXPIRY, "tools:deploy")),
                row("Exception Admin with 'includeDeploy' false: no Deploy bindings",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY),
                        policy().approver(HEAD_OF_TECH, ApproverRole.HeadOfTechnology).includeDeploy(false).build(),
                        "2026-11-25T12:00:00Z",
                        expect(Level.Admin).supervised().exceptions("Active").expiry(EX_EXPIRY).next(EX_EXPIRY)
                                .bindings("apps:admin@" + EX_EXPIRY, "secrets:admin@" + EX_EXPIRY)),
                row("Exception datetimes are exact instants: a start written with an offset (+01:00) is Pending until that instant",
                        cleared().exception(HEAD_OF_TECH, SUPERVISOR, "2026-03-29T01:30:00+01:00", "2026-03-30T12:00:00+01:00"), P,
                        "2026-03-29T00:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().exceptions("Pending")
                                .next("2026-03-29T00:30:00Z")),

                // ---------------------------------------------------------------- Rota
                row("Rota 'Earned Admin (not an exception) makes the engineer eligible for Secondary'",
                        adminReady(), P, "2026-09-15T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC)),
                row("Rota: a Secondary shift still in progress is not completed",
                        adminReady().secondary("2026-09-21T09:00:00Z", "2026-09-25T17:30:00Z"), P, "2026-09-23T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC).next("2026-09-25T17:30:00Z")),
                row("Rota 'Eligibility for Primary and OnCall starts when the last of the required Secondary shifts ends': 1 s before",
                        withTwoSecondaries(), P, "2026-10-23T17:29:59Z",
                        expect(Level.Admin).rota(1, SEC).next("2026-10-23T17:30:00Z")),
                row("Rota 'After secondaryShiftsBeforePrimary (2) completed Secondary shifts, also Primary and OnCall'",
                        withTwoSecondaries(), P, "2026-10-23T17:30:00Z",
                        expect(Level.Admin).rota(2, SEC, PRI, ONC)),
                row("Rota 'secondaryShiftsCompleted counts Secondary shifts that started at or after the end of the first completed qualifying AdminShadow shift'",
                        adminReady().secondary("2026-09-01T09:00:00Z", "2026-09-01T17:00:00Z")
                                .secondary("2026-09-21T09:00:00Z", "2026-09-25T17:30:00Z"), P, "2026-10-01T12:00:00Z",
                        expect(Level.Admin).rota(1, SEC)),
                row("Rota: secondaryShiftsBeforePrimary 0: Primary and OnCall once the AdminShadow shift ends",
                        adminReady(), policy().secondaryShiftsBeforePrimary(0).build(), "2026-09-12T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC, PRI, ONC)),
                row("Rota: secondaryShiftsBeforePrimary 0: during the AdminShadow shift only Secondary",
                        adminReady(), policy().secondaryShiftsBeforePrimary(0).build(), "2026-09-08T12:00:00Z",
                        expect(Level.Admin).supervised().rota(0, SEC).next("2026-09-11T17:30:00Z")),
                row("Rota 'A recorded Primary shift that started before the engineer was eligible is flagged (RotaOrder False)'",
                        withTwoSecondaries().primary("2026-10-05T09:00:00Z", "2026-10-05T17:00:00Z"), P, "2026-11-01T12:00:00Z",
                        expect(Level.Admin).rota(2, SEC, PRI, ONC).rotaOrderFalse()),
                row("Rota: Primary and OnCall shifts after eligibility are in order (RotaOrder True)",
                        withTwoSecondaries().primary("2026-11-02T09:00:00Z", "2026-11-02T17:00:00Z")
                                .onCall("2026-11-07T00:00:00Z", "2026-11-08T00:00:00Z"), P, "2026-11-10T12:00:00Z",
                        expect(Level.Admin).rota(2, SEC, PRI, ONC)),
                row("Rota 'RotaOrder is False ... (or with no earned Admin at all)': an OnCall shift with Deploy only",
                        deployReady().onCall("2026-05-01T18:00:00Z", "2026-05-02T09:00:00Z"), P, "2026-06-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing().rotaOrderFalse()),
                row("Rota: a Primary shift scheduled later is flagged only once it starts (next = its start)",
                        deployReady().primary("2026-07-01T09:00:00Z", "2026-07-01T17:00:00Z"), P, "2026-06-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing().next("2026-07-01T09:00:00Z")),
                row("Rota: Primary/OnCall shifts from before the latest return from a long absence are ignored (decided)",
                        deployReady().approval(TECH_LEAD, "2026-05-01").primary("2026-02-10T09:00:00Z", "2026-02-10T17:00:00Z")
                                .absence("2026-03-02", "2026-05-01"), P, "2026-06-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Long absence 'everything granted before the absence ended is void': Secondary shifts count again from the new AdminShadow shift",
                        withTwoSecondaries().primary("2026-11-02T09:00:00Z", "2026-11-02T17:00:00Z")
                                .approval(TECH_LEAD, "2027-01-04").absence("2026-11-09", "2027-01-04")
                                .adminShadow("2027-01-11T09:00:00Z", "2027-01-15T17:30:00Z"), P, "2027-01-20T12:00:00Z",
                        expect(Level.Admin).rota(0, SEC)),
                row("Rota: no eligibility while a long absence revokes access",
                        withTwoSecondaries().absence("2026-11-01", null), P, "2026-12-20T12:00:00Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").rota(2)),

                // ---------------------------------------------------------------- Long absence
                row("Long absence 'more than longAbsenceDays (42)': ongoing from 2026-03-02 at start-of-day(from + 42) = 2026-04-12T23:00Z is not yet revoked; next = 1 s later",
                        deployReady().absence("2026-03-02", null), P, "2026-04-12T23:00:00Z",
                        expect(Level.Deploy).adminNothing().next("2026-04-12T23:00:01Z")),
                row("Long absence 'revokes all access once it passes that length': ongoing, 1 s after the threshold -> LongAbsence",
                        deployReady().absence("2026-03-02", null), P, "2026-04-12T23:00:01Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").adminNothing()),
                row("Long absence: an ongoing absence shorter than the threshold changes nothing yet; next = the threshold",
                        deployReady().absence("2026-03-02", null), P, "2026-03-20T12:00:00Z",
                        expect(Level.Deploy).adminNothing().next("2026-04-12T23:00:01Z")),
                row("Long absence: a future absence; next = its threshold (2026-06-01 + 42 days, BST)",
                        deployReady().absence("2026-06-01", null), P, "2026-05-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing().next("2026-07-12T23:00:01Z")),
                row("Long absence 'Absences of 42 days or less change nothing': until = from + 42 days, at the threshold + 1 s",
                        deployReady().absence("2026-03-02", "2026-04-13"), P, "2026-04-12T23:00:01Z",
                        expect(Level.Deploy).adminNothing()),
                row("Long absence 'Absences of 42 days or less change nothing': the approval before it still counts after it",
                        deployReady().absence("2026-03-02", "2026-04-13"), P, "2026-05-01T12:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Long absence of 43 days (until = from + 43) at the threshold instant: not yet revoked",
                        deployReady().absence("2026-03-02", "2026-04-14"), P, "2026-04-12T23:00:00Z",
                        expect(Level.Deploy).adminNothing().next("2026-04-12T23:00:01Z")),
                row("Long absence of 43 days: revoked from the threshold until the return day; next = start of the return day",
                        deployReady().absence("2026-03-02", "2026-04-14"), P, "2026-04-13T12:00:00Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").adminNothing()
                                .next("2026-04-13T23:00:00Z")),
                row("Long absence 'On return ... deploy needs an approval dated on or after the return date' -> ReapprovalRequired",
                        deployReady().absence("2026-03-02", "2026-04-14"), P, "2026-04-13T23:00:00Z",
                        expect(Level.None).unmet("Deploy:ReapprovalRequired").adminNothing()
                                .message("Deploy:ReapprovalRequired", "The deploy approval of 2026-02-01 was given before the return on"
                                        + " 2026-04-14 from a long absence; a new approval dated on or after 2026-04-14 is needed: ask your tech lead to approve again")),
                row("Long absence 'deploy needs an approval dated on or after the return date': one dated on the return day counts",
                        deployReady().approval(TECH_LEAD, "2026-04-14").absence("2026-03-02", "2026-04-14"), P, "2026-04-14T12:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Long absence 'earned Admin needs a new AdminShadow shift on or after the return date' -> ReapprovalRequired; 'earlier Shadow shifts still count'",
                        adminReady().approval(TECH_LEAD, "2026-12-01").absence("2026-10-01", "2026-12-01"), P, "2026-12-02T12:00:00Z",
                        expect(Level.Deploy).unmet("Admin:ReapprovalRequired")
                                .message("Admin:ReapprovalRequired", "The AdminShadow shift of 2026-09-07T09:00:00Z was before the return on"
                                        + " 2026-12-01 from a long absence; a new AdminShadow shift starting on or after 2026-12-01 is needed: ask to be booked on one")),
                row("Long absence: a new AdminShadow shift after the return gives Admin again, supervised; 'Clearance and probation stand'",
                        adminReady().approval(TECH_LEAD, "2026-12-01").absence("2026-10-01", "2026-12-01")
                                .adminShadow("2026-12-07T09:00:00Z", "2026-12-11T17:30:00Z"), P, "2026-12-08T12:00:00Z",
                        expect(Level.Admin).supervised().rota(0, SEC).next("2026-12-11T17:30:00Z")),
                row("Long absence threshold across the change to summer time: from 2026-02-20, at 2026-04-02T23:00:00Z not yet revoked",
                        deployReady().absence("2026-02-20", null), P, "2026-04-02T23:00:00Z",
                        expect(Level.Deploy).adminNothing().next("2026-04-02T23:00:01Z")),
                row("Long absence threshold across the change to summer time: from 2026-02-20, revoked at 2026-04-02T23:00:01Z",
                        deployReady().absence("2026-02-20", null), P, "2026-04-02T23:00:01Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").adminNothing()),
                row("Long absence threshold across the change back: from 2026-09-20 (BST), not revoked at 2026-10-31T23:00:01Z; next 2026-11-01T00:00:01Z",
                        deployReady().absence("2026-09-20", null), P, "2026-10-31T23:00:01Z",
                        expect(Level.Deploy).adminNothing().next("2026-11-01T00:00:01Z")),
                row("Long absence threshold across the change back: from 2026-09-20, revoked at 2026-11-01T00:00:01Z",
                        deployReady().absence("2026-09-20", null), P, "2026-11-01T00:00:01Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").adminNothing()),
                row("Long absence: longAbsenceDays is a policy setting (10 days)",
                        deployReady().absence("2026-03-02", null), policy().longAbsenceDays(10).build(), "2026-03-12T00:00:01Z",
                        expect(Level.None).unmet("Deploy:LongAbsence", "Admin:LongAbsence").adminNothing()
                                .message("Deploy:LongAbsence",
                                        "Away since 2026-03-02, more than 10 days: all access is revoked until the return. On return,"
                                                + " record the date (until) and ask your tech lead for a new deploy approval")),

                // ---------------------------------------------------------------- Time zone and future facts
                row("Inputs 'A fact dated in the future takes effect at the start of that day': 2026-03-30 starts at 2026-03-29T23:00:00Z (BST)",
                        deployReady().approval(TECH_LEAD, "2026-03-30"), P, "2026-03-29T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().next("2026-03-29T23:00:00Z")),
                row("Inputs: a fact dated 2026-03-30 still missing at 2026-03-29T22:59:59Z",
                        deployReady().approval(TECH_LEAD, "2026-03-30"), P, "2026-03-29T22:59:59Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().next("2026-03-29T23:00:00Z")),
                row("Inputs: a fact dated 2026-03-30 holds at 2026-03-29T23:00:00Z",
                        deployReady().approval(TECH_LEAD, "2026-03-30"), P, "2026-03-29T23:00:00Z",
                        expect(Level.Deploy).adminNothing()),
                row("Inputs: a fact dated 2026-03-29 (the day clocks go forward) starts at 2026-03-29T00:00:00Z (GMT midnight)",
                        deployReady().approval(TECH_LEAD, "2026-03-29"), P, "2026-03-28T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().next("2026-03-29T00:00:00Z")),
                row("Inputs: a fact dated 2026-10-25 (the day clocks go back) starts at 2026-10-24T23:00:00Z (BST midnight)",
                        deployReady().approval(TECH_LEAD, "2026-10-25"), P, "2026-10-24T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().next("2026-10-24T23:00:00Z")),
                row("Inputs: a fact dated 2026-10-26 takes effect at 2026-10-26T00:00:00Z (GMT)",
                        deployReady().approval(TECH_LEAD, "2026-10-26"), P, "2026-10-25T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().next("2026-10-26T00:00:00Z")),
                row("Inputs 'in the policy time zone': with timeZone UTC, 2026-03-30 starts at 2026-03-30T00:00:00Z",
                        deployReady().approval(TECH_LEAD, "2026-03-30"), policy().zone("UTC").build(), "2026-03-29T12:00:00Z",
                        expect(Level.None).unmet("Deploy:DeployApprovalMissing").adminNothing().next("2026-03-30T00:00:00Z")),
                row("Time 'nextTransitionTime': the earliest of several future facts (clearance before approval)",
                        deployReady().clearance(ClearanceLevel.BPSS, "2026-04-01").approval(TECH_LEAD, "2026-04-15"), P,
                        "2026-03-20T12:00:00Z",
                        expect(Level.None).unmet("Deploy:ClearanceMissing", "Deploy:DeployApprovalMissing", "Admin:ClearanceMissing")
                                .adminNothing().next("2026-03-31T23:00:00Z")));
    }

    /** BPSS, approved, probation passed, Shadow, AdminShadow (ends 2026-09-11T17:30Z), two Secondary shifts. */
    private static Specs.Builder withTwoSecondaries() {
        return adminReady().secondary("2026-09-21T09:00:00Z", "2026-09-25T17:30:00Z")
                .secondary("2026-10-19T09:00:00Z", "2026-10-23T17:30:00Z");
    }

    /** BPSS from 2026-01-12 and nothing else. */
    private static Specs.Builder cleared() {
        return engineer().clearance(ClearanceLevel.BPSS, "2026-01-12");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        Decision d = AccessRules.decide(row.spec(), row.policy(), row.now());
        Expect e = row.expect();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(d.problems()).as("problems").isEmpty();
        soft.assertThat(d.level()).as("level").isEqualTo(e.level);
        soft.assertThat(d.supervised()).as("supervised").isEqualTo(e.supervised);
        soft.assertThat(d.accessExpiryTime()).as("accessExpiryTime").isEqualTo(e.expiry == null ? null : at(e.expiry));
        soft.assertThat(d.nextTransitionTime()).as("nextTransitionTime").isEqualTo(e.next == null ? null : at(e.next));
        soft.assertThat(d.unmet().stream().map(u -> u.level + ":" + u.code).toList()).as("unmet")
                .containsExactlyInAnyOrderElementsOf(e.unmet);
        soft.assertThat(d.exceptions().stream().map(AccessRulesTableTest::state).toList()).as("exception states")
                .containsExactlyElementsOf(e.exceptions);
        for (int i = 0; i < d.exceptions().size(); i++) {
            soft.assertThat(d.exceptions().get(i).index).as("exception index").isEqualTo(i);
        }
        soft.assertThat(d.rota().secondaryShiftsCompleted).as("secondaryShiftsCompleted").isEqualTo(e.secondaryShifts);
        soft.assertThat(d.rota().eligible).as("rota eligible").containsExactlyElementsOf(e.eligible);
        soft.assertThat(d.rotaOrderProblems().isEmpty()).as("RotaOrder True").isEqualTo(e.rotaOrder);
        if (d.level() != Level.Admin) {
            soft.assertThat(d.deployOnItsOwn()).as("deployOnItsOwn").isEqualTo(d.level() == Level.Deploy);
        }
        e.messages.forEach((levelCode, message) -> soft.assertThat(
                d.unmet().stream().filter(u -> (u.level + ":" + u.code).equals(levelCode)).map(u -> u.message).toList())
                .as("message of " + levelCode).containsExactly(message));
        if (e.bindings != null) {
            List<DesiredBinding> bindings = ManagedBindings.desired(NAME, d, row.policy(), NAMESPACES);
            soft.assertThat(bindings.stream().map(AccessRulesTableTest::binding).toList()).as("bindings")
                    .containsExactlyInAnyOrderElementsOf(e.bindings);
            for (DesiredBinding b : bindings) {
                soft.assertThat(b.name()).isEqualTo(NAME + "-" + b.level());
                soft.assertThat(b.clusterRole()).isEqualTo(b.level().equals("admin") ? row.policy().adminClusterRole()
                        : row.policy().deployClusterRole());
            }
        }
        // errorsCollected, not wasSuccess: wasSuccess says only whether the last assertion passed.
        if (!soft.errorsCollected().isEmpty()) {
            throw new AssertionError("Row \"" + row.name() + "\" at " + row.now() + ":\n"
                    + String.join("\n", soft.errorsCollected().stream().map(Throwable::getMessage).toList()));
        }
    }

    private static String state(ExceptionStatus s) {
        return s.reason == null ? s.state.name() : s.state + ":" + s.reason;
    }

    private static String binding(DesiredBinding b) {
        return b.namespace() + ":" + b.level() + (b.expiry() == null ? "" : "@" + b.expiry());
    }

    @Test
    void everyUnmetAndRejectionCodeHasARow() {
        String names = rows().map(a -> ((Named<?>) a.get()[0]).getName() + " "
                + ((Row) ((Named<?>) a.get()[0]).getPayload()).expect().unmet + " "
                + ((Row) ((Named<?>) a.get()[0]).getPayload()).expect().exceptions).reduce("", String::concat);
        for (var code : digital.govuk.access.api.v1alpha1.UnmetCode.values()) {
            assertThat(names).as("a row expects unmet " + code).contains(":" + code);
        }
        for (var code : digital.govuk.access.api.v1alpha1.RejectionCode.values()) {
            assertThat(names).as("a row expects rejection " + code).contains("Rejected:" + code);
        }
        for (var state : digital.govuk.access.api.v1alpha1.ExceptionState.values()) {
            assertThat(names).as("a row expects exception state " + state).contains(state.name());
        }
    }

    /** Issue 10: an unmet message says what to do next, not only what is missing. */
    @Test
    void everyUnmetMessageSaysWhatToDoNext() {
        List<String> seen = new ArrayList<>();
        rows().map(a -> (Row) ((Named<?>) a.get()[0]).getPayload()).forEach(row -> {
            for (Unmet u : AccessRules.decide(row.spec(), row.policy(), row.now()).unmet()) {
                seen.add(u.code.name());
                assertThat(u.message).as("%s:%s in row %s", u.level, u.code, row.name())
                        .containsPattern(": (ask|once|nothing to do but wait|it counts if)|; ask |\\. On return, record");
            }
        });
        assertThat(seen).as("every unmet code is seen").containsAll(
                Arrays.stream(digital.govuk.access.api.v1alpha1.UnmetCode.values()).map(Enum::name).toList());
    }

    @Test
    void unmetIsOnlyForLevelsNotHeld() {
        rows().map(a -> (Row) ((Named<?>) a.get()[0]).getPayload()).forEach(row -> {
            Decision d = AccessRules.decide(row.spec(), row.policy(), row.now());
            for (Unmet u : d.unmet()) {
                assertThat(u.level.compareTo(d.level())).as("unmet %s:%s with level %s", u.level, u.code, d.level())
                        .isGreaterThan(0);
            }
        });
    }
}
