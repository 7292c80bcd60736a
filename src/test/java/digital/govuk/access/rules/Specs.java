package digital.govuk.access.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import digital.govuk.access.api.v1alpha1.Absence;
import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.AdminRoleTarget;
import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.Clearance;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.Confirmations;
import digital.govuk.access.api.v1alpha1.DeployApproval;
import digital.govuk.access.api.v1alpha1.Employment;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerRole;
import digital.govuk.access.api.v1alpha1.ExceptionApprover;
import digital.govuk.access.api.v1alpha1.Probation;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.ShiftRole;
import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.api.v1alpha1.SubjectKind;

/** A small fluent builder of EngineerAccess specs and policies, to keep test rows short. */
final class Specs {
    static final String ENGINEER = "jane.doe@example.gov.uk";
    static final String TECH_LEAD = "tech.lead@example.gov.uk";
    static final String HEAD_OF_TECH = "head.of.tech@example.gov.uk";
    static final String LEAD_DEV = "lead.dev@example.gov.uk";
    static final String SUPERVISOR = "sam.primary@example.gov.uk";
    static final ZoneId LONDON = ZoneId.of("Europe/London");

    private Specs() {
    }

    /** An engineer with no facts yet beyond the required identity fields. */
    static Builder engineer() {
        return new Builder();
    }

    /** BPSS from 2026-01-12 and a complete deploy approval by the tech lead dated 2026-02-01. */
    static Builder deployReady() {
        return engineer().clearance(ClearanceLevel.BPSS, "2026-01-12").approval(TECH_LEAD, "2026-02-01");
    }

    /**
     * {@link #deployReady()} plus probation passed 2026-07-01, one Shadow shift in August and an AdminShadow
     * shift from 2026-09-07T09:00:00Z to 2026-09-11T17:30:00Z.
     */
    static Builder adminReady() {
        return deployReady().probation("2026-07-01")
                .shadow("2026-08-03T09:00:00Z", "2026-08-07T17:30:00Z")
                .adminShadow("2026-09-07T09:00:00Z", "2026-09-11T17:30:00Z");
    }

    /** Parses an RFC 3339 instant, or a date as the start of that day in Europe/London. */
    static Instant at(String value) {
        if (value.length() == 10) {
            return LocalDate.parse(value).atStartOfDay(LONDON).toInstant();
        }
        return OffsetDateTime.parse(value).toInstant();
    }

    static Policy policy() {
        return new Policy();
    }

    /** The defaults plus two exception approvers: the Head of Technology and a Lead Developer. */
    static EffectivePolicy withApprovers() {
        return policy().approver(HEAD_OF_TECH, ApproverRole.HeadOfTechnology)
                .approver(LEAD_DEV, ApproverRole.LeadDeveloper).build();
    }

    static final class Builder {
        private final EngineerAccessSpec spec = new EngineerAccessSpec();

        Builder() {
            spec.fullName = "Jane Doe";
            spec.role = EngineerRole.Developer;
            spec.employment = Employment.CivilServant;
            spec.subject = new Subject(SubjectKind.User, ENGINEER);
        }

        Builder subject(String name) {
            spec.subject = name == null ? null : new Subject(SubjectKind.User, name);
            return this;
        }

        /** A User subject named by a user name (not an e-mail address), with the engineer's address in spec.email. */
        Builder userName(String name, String email) {
            spec.subject = new Subject(SubjectKind.User, name);
            spec.email = email;
            return this;
        }

        /** A Group subject, with the engineer's address in spec.email. */
        Builder group(String name, String email) {
            spec.subject = new Subject(SubjectKind.Group, name);
            spec.email = email;
            return this;
        }

        Builder role(EngineerRole role) {
            spec.role = role;
            return this;
        }

        Builder employment(Employment employment) {
            spec.employment = employment;
            return this;
        }

        Builder fullName(String fullName) {
            spec.fullName = fullName;
            return this;
        }

        Builder clearance(ClearanceLevel level, String grantedOn) {
            spec.clearance = new Clearance();
            spec.clearance.level = level;
            spec.clearance.grantedOn = grantedOn;
            return this;
        }

        Builder noClearance() {
            spec.clearance = null;
            return this;
        }

        Builder probation(String passedOn) {
            spec.probation = new Probation();
            spec.probation.passedOn = passedOn;
            return this;
        }

        /** A deploy approval with all four confirmations true. */
        Builder approval(String by, String on) {
            return approval(by, on, true, true, true, true);
        }

        Builder approval(String by, String on, Boolean codeReview, Boolean releaseResponsibilities, Boolean rollback,
                Boolean gettingHelp) {
            DeployApproval a = new DeployApproval();
            a.approvedBy = by;
            a.approvedOn = on;
            a.confirmations = new Confirmations();
            a.confirmations.codeReview = codeReview;
            a.confirmations.releaseResponsibilities = releaseResponsibilities;
            a.confirmations.rollback = rollback;
            a.confirmations.gettingHelp = gettingHelp;
            spec.deployApproval = a;
            return this;
        }

        /** A deploy approval with no confirmations recorded at all. */
        Builder approvalWithoutConfirmations(String by, String on) {
            approval(by, on);
            spec.deployApproval.confirmations = null;
            return this;
        }

        Builder noApproval() {
            spec.deployApproval = null;
            return this;
        }

        Builder shift(ShiftRole role, String start, String end) {
            Shift s = new Shift();
            s.role = role;
            s.startTime = start;
            s.endTime = end;
            spec.shifts.add(s);
            return this;
        }

        Builder shadow(String start, String end) {
            return shift(ShiftRole.Shadow, start, end);
        }

        Builder adminShadow(String start, String end) {
            return shift(ShiftRole.AdminShadow, start, end);
        }

        Builder secondary(String start, String end) {
            return shift(ShiftRole.Secondary, start, end);
        }

        Builder primary(String start, String end) {
            return shift(ShiftRole.Primary, start, end);
        }

        Builder onCall(String start, String end) {
            return shift(ShiftRole.OnCall, start, end);
        }

        Builder withoutShifts() {
            spec.shifts.clear();
            return this;
        }

        /** An exception with a business case. */
        Builder exception(String by, String supervisor, String start, String expiry) {
            return exception(by, "Cover for incident response while the team is short-staffed", supervisor, start, expiry);
        }

        Builder exception(String by, String businessCase, String supervisor, String start, String expiry) {
            AdminException e = new AdminException();
            e.approvedBy = by;
            e.businessCase = businessCase;
            e.supervisor = supervisor;
            e.startTime = start;
            e.expiryTime = expiry;
            spec.exceptions.add(e);
            return this;
        }

        Builder absence(String from, String until) {
            Absence a = new Absence();
            a.from = from;
            a.until = until;
            spec.absences.add(a);
            return this;
        }

        EngineerAccessSpec build() {
            return spec;
        }
    }

    static final class Policy {
        private final AccessPolicySpec spec = new AccessPolicySpec();
        private final Map<String, ApproverRole> approvers = new LinkedHashMap<>();

        Policy zone(String zone) {
            spec.timeZone = zone;
            return this;
        }

        Policy requiredClearance(ClearanceLevel level) {
            spec.requiredClearance = level;
            return this;
        }

        Policy techLeads(String... names) {
            spec.techLeads = new ArrayList<>(List.of(names));
            return this;
        }

        Policy approver(String name, ApproverRole role) {
            approvers.put(name, role);
            return this;
        }

        Policy minShadowShifts(int n) {
            spec.minShadowShifts = n;
            return this;
        }

        Policy secondaryShiftsBeforePrimary(int n) {
            spec.secondaryShiftsBeforePrimary = n;
            return this;
        }

        Policy longAbsenceDays(int n) {
            spec.longAbsenceDays = n;
            return this;
        }

        Policy maxExceptionDays(int n) {
            spec.maxExceptionDays = n;
            return this;
        }

        Policy exceptionsWaiveClearance(boolean waive) {
            spec.exceptionsWaiveClearance = waive;
            return this;
        }

        Policy allowGroupSubjects(boolean allow) {
            spec.allowGroupSubjects = allow;
            return this;
        }

        Policy includeDeploy(boolean include) {
            if (spec.admin == null) {
                spec.admin = new AdminRoleTarget();
            }
            spec.admin.includeDeploy = include;
            return this;
        }

        AccessPolicySpec spec() {
            spec.exceptionApprovers = new ArrayList<>();
            approvers.forEach((name, role) -> spec.exceptionApprovers.add(new ExceptionApprover(name, role)));
            return spec;
        }

        /** The effective policy; fails the test if the policy is invalid. */
        EffectivePolicy build() {
            PolicyReader.Result result = PolicyReader.read(spec());
            if (!result.valid()) {
                throw new IllegalStateException("test policy is invalid: " + result.problems());
            }
            return result.policy();
        }
    }
}
