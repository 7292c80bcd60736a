package digital.govuk.access.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.ExceptionState;
import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.RejectionCode;
import digital.govuk.access.api.v1alpha1.RotaRole;
import digital.govuk.access.api.v1alpha1.RotaStatus;
import digital.govuk.access.api.v1alpha1.ShiftRole;
import digital.govuk.access.api.v1alpha1.Unmet;
import digital.govuk.access.api.v1alpha1.UnmetCode;

/**
 * The access decision: a pure function of (EngineerAccess spec, policy, instant). The operator, the
 * {@code plan} command and the tests all call {@link #decide}. The rules it implements are written out
 * in docs/access-rules.md; comments below name the rule each part implements.
 */
public final class AccessRules {

    private AccessRules() {
    }

    /**
     * Decides access for a named EngineerAccess: as {@link #decide(EngineerAccessSpec, EffectivePolicy, Instant)},
     * and also invalid when the name cannot be used on the RoleBindings.
     */
    public static Decision decide(String name, EngineerAccessSpec spec, EffectivePolicy policy, Instant now) {
        List<Problem> nameProblems = EngineerNames.problems(name);
        if (!nameProblems.isEmpty()) {
            List<Problem> all = new ArrayList<>(nameProblems);
            all.addAll(SpecReader.problems(spec, policy));
            return Decision.invalid(all);
        }
        return decide(spec, policy, now);
    }

    /** Decides one engineer's access at {@code now}, including the next instant at which the decision changes. */
    public static Decision decide(EngineerAccessSpec spec, EffectivePolicy policy, Instant now) {
        SpecReader.Result read = SpecReader.read(spec, policy);
        if (read.facts() == null) {
            return Decision.invalid(read.problems());
        }
        Facts facts = read.facts();
        Prepared prepared = new Prepared(facts, policy);
        Decision current = at(prepared, now);
        // The decision only changes at instants named by the facts, and is constant between them (every
        // test below is "instant >= some fact instant"), so the next change is the first of those
        // instants after now at which the decision differs. Each try costs time linear in the spec's size
        // (see Prepared), and the spec's lists are bounded (Bounds), so a decision stays fast.
        Instant previous = null;
        for (Instant candidate : candidates(facts, now)) {
            if (candidate.equals(previous)) {
                continue; // tried already
            }
            previous = candidate;
            if (!at(prepared, candidate).equals(current)) {
                return current.withNextTransition(candidate);
            }
        }
        return current;
    }

    /** The facts' instants after now, in order; an instant named twice is there twice. */
    private static List<Instant> candidates(Facts f, Instant now) {
        List<Instant> later = new ArrayList<>();
        addAfter(later, f.clearanceFrom(), now);
        addAfter(later, f.probationPassed(), now);
        if (f.approval() != null) {
            addAfter(later, f.approval().from(), now);
        }
        for (Facts.ShiftFact s : f.shifts()) {
            addAfter(later, s.start(), now);
            addAfter(later, s.end(), now);
        }
        for (Facts.ExceptionFact e : f.exceptions()) {
            addAfter(later, e.start(), now);
            addAfter(later, e.expiry(), now);
        }
        for (Facts.AbsenceFact a : f.absences()) {
            addAfter(later, a.revokedFrom(), now);
            addAfter(later, a.returnAt(), now);
        }
        later.sort(null);
        return later;
    }

    private static void addAfter(List<Instant> later, Instant t, Instant now) {
        if (t != null && t.isAfter(now)) {
            later.add(t);
        }
    }

    /**
     * What does not depend on the instant, worked out once per decision so that the decision at one instant
     * takes time linear in the size of the spec: the Shadow shifts' ends in order, whether each AdminShadow
     * shift found the prerequisites met at its start, and the exception checks that do not involve time.
     */
    private static final class Prepared {
        final Facts f;
        final EffectivePolicy p;
        /** The Shadow shifts' ends in order, in the first {@code shadowCount} places. */
        private final Instant[] shadowEnds;
        private final int shadowCount;
        private final boolean[] prerequisitesAtStart;
        private final ExceptionStatus[] rejected;
        /** Each exception's state once its expiryTime has passed: the state of its last moment (see {@link #ended}). */
        private final ExceptionStatus[] ended;

        Prepared(Facts f, EffectivePolicy p) {
            this.f = f;
            this.p = p;
            List<Facts.ShiftFact> shifts = f.shifts();
            Instant[] ends = new Instant[shifts.size()];
            int shadows = 0;
            for (Facts.ShiftFact s : shifts) {
                if (s.role() == ShiftRole.Shadow) {
                    ends[shadows++] = s.end();
                }
            }
            Arrays.sort(ends, 0, shadows);
            this.shadowEnds = ends;
            this.shadowCount = shadows;
            this.prerequisitesAtStart = new boolean[shifts.size()];
            for (int i = 0; i < shifts.size(); i++) {
                Facts.ShiftFact s = shifts.get(i);
                prerequisitesAtStart[i] = s.role() == ShiftRole.AdminShadow && prerequisitesAt(this, s.start());
            }
            this.rejected = new ExceptionStatus[f.exceptions().size()];
            for (int i = 0; i < rejected.length; i++) {
                rejected[i] = exceptionRejection(f.exceptions().get(i), f, p);
            }
            this.ended = new ExceptionStatus[rejected.length];
            for (int i = 0; i < ended.length; i++) {
                if (rejected[i] == null) {
                    ended[i] = ended(f.exceptions().get(i), f, p);
                }
            }
        }

        /** Shadow shifts that ended at or before {@code t}. */
        int shadowShiftsEndedBy(Instant t) {
            int low = 0;
            int high = shadowCount;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (shadowEnds[mid].isAfter(t)) {
                    high = mid;
                } else {
                    low = mid + 1;
                }
            }
            return low;
        }
    }

    /** The decision at instant {@code t}, without the next transition. */
    private static Decision at(Prepared x, Instant t) {
        Facts f = x.f;
        EffectivePolicy p = x.p;
        Time time = new Time(f, p, t);

        // Production Deploy.
        List<Unmet> unmet = new ArrayList<>();
        List<Unmet> deployUnmet = deployUnmet(f, p, time);
        boolean deployOk = deployUnmet.isEmpty();

        // Production Admin, earned through 2nd line.
        Earned earned = earnedAdmin(x, time);

        // Production Admin by exception.
        List<ExceptionStatus> exceptions = new ArrayList<>(f.exceptions().size());
        Instant latestActiveExpiry = null;
        Integer latestActive = null;
        for (int i = 0; i < f.exceptions().size(); i++) {
            Facts.ExceptionFact e = f.exceptions().get(i);
            ExceptionStatus status = x.rejected[i] != null ? x.rejected[i] : exceptionState(x, i, time);
            exceptions.add(status);
            if (status.state == ExceptionState.Active && (latestActiveExpiry == null || e.expiry().isAfter(latestActiveExpiry))) {
                latestActiveExpiry = e.expiry();
                latestActive = i;
            }
        }
        boolean exceptionAdmin = latestActiveExpiry != null;

        Level level = earned.held || exceptionAdmin ? Level.Admin : deployOk ? Level.Deploy : Level.None;
        // Supervised during the AdminShadow shift and under an exception; not once a qualifying
        // AdminShadow shift has ended.
        boolean supervised = level == Level.Admin && !(earned.held && earned.completedEnd != null);
        // accessExpiryTime only when Admin comes from exceptions alone.
        Instant expiry = level == Level.Admin && !earned.held ? latestActiveExpiry : null;

        if (level == Level.None) {
            unmet.addAll(deployUnmet);
        }
        if (level != Level.Admin) {
            unmet.addAll(adminUnmet(x, time, earned));
        }

        Rota rota = rota(f, p, time, earned);
        Integer shift = !earned.held ? null : supervised ? earned.firstIndex : earned.completedIndex;
        Decision.Grounds grounds = new Decision.Grounds(shift, exceptionAdmin ? latestActive : null,
                time.revoked ? time.revokingAbsence : null);
        return new Decision(List.of(), level, supervised, expiry, null, deployOk, earned.held, time.revoked,
                immutable(unmet), immutable(exceptions), rota.status, rota.orderProblems, grounds);
    }

    /** As {@link List#copyOf}, without copying an empty list (the usual case for most of a decision's lists). */
    private static <T> List<T> immutable(List<T> list) {
        return list.isEmpty() ? List.of() : List.copyOf(list);
    }

    /** Facts about time at one instant that several rules share. */
    private static final class Time {
        final Instant now;
        /** Start of the return day of the latest long absence that has ended by now; null if none. */
        final Instant lastReturn;
        final java.time.LocalDate lastReturnDay;
        /** An ongoing long absence has passed its threshold. */
        final boolean revoked;
        final java.time.LocalDate revokingAbsenceFrom;
        /** The index of that absence in the spec. */
        final Integer revokingAbsence;

        Time(Facts f, EffectivePolicy p, Instant now) {
            this.now = now;
            Instant ret = null;
            java.time.LocalDate retDay = null;
            boolean rev = false;
            java.time.LocalDate revFrom = null;
            Integer revIndex = null;
            for (int i = 0; i < f.absences().size(); i++) {
                Facts.AbsenceFact a = f.absences().get(i);
                if (!a.isLong()) {
                    continue;
                }
                boolean returned = a.returnAt() != null && !now.isBefore(a.returnAt());
                if (returned) {
                    if (ret == null || a.returnAt().isAfter(ret)) {
                        ret = a.returnAt();
                        retDay = a.until();
                    }
                } else if (!now.isBefore(a.revokedFrom())) {
                    rev = true;
                    revFrom = a.from();
                    revIndex = i;
                }
            }
            this.lastReturn = ret;
            this.lastReturnDay = retDay;
            this.revoked = rev;
            this.revokingAbsenceFrom = revFrom;
            this.revokingAbsence = revIndex;
        }

        boolean beforeReturn(Instant t) {
            return lastReturn != null && t.isBefore(lastReturn);
        }
    }

    // Rule: clearance level at least requiredClearance, effective from the start of grantedOn.
    private static boolean clearanceAt(Facts f, EffectivePolicy p, Instant t) {
        if (p.requiredClearance().ordinal() == 0) {
            return true;
        }
        return f.clearance().compareTo(p.requiredClearance()) >= 0 && f.clearanceFrom() != null && !t.isBefore(f.clearanceFrom());
    }

    private static Unmet clearanceUnmet(Level level, Facts f, EffectivePolicy p) {
        String message;
        if (f.clearance().compareTo(p.requiredClearance()) < 0) {
            message = f.clearance().ordinal() == 0
                    ? "No security clearance is recorded; " + p.requiredClearance() + " is required: once it is granted,"
                            + " record its level and date in spec.clearance"
                    : "Clearance " + f.clearance() + " is below the required " + p.requiredClearance() + ": once "
                            + p.requiredClearance() + " is granted, record it in spec.clearance";
        } else {
            message = "Clearance " + f.clearance() + " counts from " + f.clearanceOn() + ": nothing to do but wait for that day";
        }
        return new Unmet(level, UnmetCode.ClearanceMissing, message);
    }

    private static boolean probationAt(Facts f, Instant t) {
        return f.probationPassed() != null && !t.isBefore(f.probationPassed());
    }

    private static List<Unmet> deployUnmet(Facts f, EffectivePolicy p, Time time) {
        List<Unmet> unmet = new ArrayList<>(2);
        if (time.revoked) {
            unmet.add(longAbsence(Level.Deploy, p, time));
        }
        if (!clearanceAt(f, p, time.now)) {
            unmet.add(clearanceUnmet(Level.Deploy, f, p));
        }
        Facts.Approval a = f.approval();
        if (a == null) {
            unmet.add(new Unmet(Level.Deploy, UnmetCode.DeployApprovalMissing, "No deploy approval from a tech lead is recorded:"
                    + " ask your tech lead to check the four points (code review, releasing, rollback, getting help) and"
                    + " record the approval in spec.deployApproval"));
            return unmet;
        }
        if (time.now.isBefore(a.from())) {
            unmet.add(new Unmet(Level.Deploy, UnmetCode.DeployApprovalMissing,
                    "The deploy approval is dated " + a.on() + " and counts from that day: nothing to do but wait"));
        } else if (time.beforeReturn(a.from())) {
            unmet.add(new Unmet(Level.Deploy, UnmetCode.ReapprovalRequired, "The deploy approval of " + a.on()
                    + " was given before the return on " + time.lastReturnDay
                    + " from a long absence; a new approval dated on or after " + time.lastReturnDay + " is needed:"
                    + " ask your tech lead to approve again"));
        }
        if (!a.missingConfirmations().isEmpty()) {
            unmet.add(new Unmet(Level.Deploy, UnmetCode.ApprovalIncomplete, "The tech lead has not confirmed: "
                    + String.join(", ", a.missingConfirmations()) + "; ask your tech lead to confirm "
                    + Values.and(a.missingConfirmations().stream().map(AccessRules::confirmationInWords).toList())));
        }
        if (f.isEngineer(a.approvedBy())) {
            unmet.add(new Unmet(Level.Deploy, UnmetCode.SelfApproval,
                    "The engineer cannot approve their own deploy access: ask your tech lead to approve it"));
        } else if (!p.techLeads().isEmpty() && !p.techLeads().contains(a.approvedBy())) {
            unmet.add(new Unmet(Level.Deploy, UnmetCode.ApproverNotTechLead,
                    "The approver " + Values.cut(a.approvedBy()) + " is not one of the policy's tech leads: ask one of them"
                    + " to approve, or the policy's owners to add the approver to techLeads"));
        }
        return unmet;
    }

    private static Unmet longAbsence(Level level, EffectivePolicy p, Time time) {
        return new Unmet(level, UnmetCode.LongAbsence, "Away since " + time.revokingAbsenceFrom + ", more than "
                + p.longAbsenceDays() + " days: all access is revoked until the return. On return, record the date"
                + " (until) and " + (level == Level.Deploy ? "ask your tech lead for a new deploy approval"
                        : "ask to be booked on a new AdminShadow shift"));
    }

    /** What a tech lead confirms, in the words the unmet message asks for it. */
    private static String confirmationInWords(String confirmation) {
        return switch (confirmation) {
            case "codeReview" -> "code review knowledge";
            case "releaseResponsibilities" -> "release responsibilities";
            case "rollback" -> "rollback knowledge";
            default -> "knowing how to get help";
        };
    }

    /** Earned Admin at one instant. */
    private record Earned(boolean held, Facts.ShiftFact first, Integer firstIndex, Instant completedEnd, Integer completedIndex) {
    }

    // Rule: prerequisites all at the same time: clearance, probation passed, enough completed Shadow shifts.
    private static boolean prerequisitesAt(Prepared x, Instant t) {
        return clearanceAt(x.f, x.p, t) && probationAt(x.f, t) && x.shadowShiftsEndedBy(t) >= x.p.minShadowShifts();
    }

    // Rule: an AdminShadow shift counts when the prerequisites held at its start and, after a long
    // absence, it started on or after the return date.
    private static boolean qualifies(Prepared x, int shift, Time time) {
        return x.prerequisitesAtStart[shift] && !time.beforeReturn(x.f.shifts().get(shift).start());
    }

    private static Earned earnedAdmin(Prepared x, Time time) {
        Facts f = x.f;
        EffectivePolicy p = x.p;
        Facts.ShiftFact first = null;
        Integer firstIndex = null;
        Instant completedEnd = null;
        Integer completedIndex = null;
        for (int i = 0; i < f.shifts().size(); i++) {
            Facts.ShiftFact s = f.shifts().get(i);
            if (s.start().isAfter(time.now) || !qualifies(x, i, time)) {
                continue;
            }
            if (first == null || s.start().isBefore(first.start())) {
                first = s;
                firstIndex = i;
            }
            if (!s.end().isAfter(time.now) && (completedEnd == null || s.end().isBefore(completedEnd))) {
                completedEnd = s.end();
                completedIndex = i;
            }
        }
        // Precise point: prerequisites at the shift's start and still now, and no revocation now.
        boolean held = first != null && !time.revoked && clearanceAt(f, p, time.now) && probationAt(f, time.now);
        return new Earned(held, first, firstIndex, completedEnd, completedIndex);
    }

    private static List<Unmet> adminUnmet(Prepared x, Time time, Earned earned) {
        Facts f = x.f;
        EffectivePolicy p = x.p;
        List<Unmet> unmet = new ArrayList<>(3);
        if (time.revoked) {
            unmet.add(longAbsence(Level.Admin, p, time));
        }
        if (!clearanceAt(f, p, time.now)) {
            unmet.add(clearanceUnmet(Level.Admin, f, p));
        }
        if (!probationAt(f, time.now)) {
            unmet.add(new Unmet(Level.Admin, UnmetCode.ProbationNotPassed, f.probationOn() == null
                    ? "Probation is not passed yet (no date is recorded): once it is passed, record the date in spec.probation.passedOn"
                    : "Probation is not passed yet (passes on " + f.probationOn() + "): nothing to do but wait for that day"));
        }
        int shadows = x.shadowShiftsEndedBy(time.now);
        if (shadows < p.minShadowShifts()) {
            unmet.add(new Unmet(Level.Admin, UnmetCode.ShadowShiftMissing, shadows + " of the " + p.minShadowShifts()
                    + " required Technical 2nd Line Shadow shifts completed: ask to be booked on a Shadow shift"));
        }
        if (earned.first == null) {
            unmet.add(adminShadowUnmet(x, time));
        }
        return unmet;
    }

    private static Unmet adminShadowUnmet(Prepared x, Time time) {
        Facts.ShiftFact beforeReturn = null;
        Facts.ShiftFact tooEarly = null;
        Facts.ShiftFact next = null;
        for (int i = 0; i < x.f.shifts().size(); i++) {
            Facts.ShiftFact s = x.f.shifts().get(i);
            if (s.role() != ShiftRole.AdminShadow) {
                continue;
            }
            if (s.start().isAfter(time.now)) {
                if (next == null || s.start().isBefore(next.start())) {
                    next = s;
                }
            } else if (!x.prerequisitesAtStart[i]) {
                tooEarly = s;
            } else if (time.beforeReturn(s.start())) {
                beforeReturn = s;
            }
        }
        if (beforeReturn != null) {
            return new Unmet(Level.Admin, UnmetCode.ReapprovalRequired, "The AdminShadow shift of " + beforeReturn.start()
                    + " was before the return on " + time.lastReturnDay + " from a long absence; a new AdminShadow shift"
                    + " starting on or after " + time.lastReturnDay + " is needed: ask to be booked on one");
        }
        StringBuilder message = new StringBuilder("No AdminShadow shift has started with the prerequisites met");
        if (tooEarly != null) {
            message.append("; the shift of ").append(tooEarly.start())
                    .append(" does not count because it started before the prerequisites held");
        }
        if (next != null) {
            message.append("; the next AdminShadow shift starts at ").append(next.start())
                    .append(": it counts if the other requirements are met by then");
        } else {
            message.append(": once the other requirements are met, ask to be booked on one last shadow shift (AdminShadow)");
        }
        return new Unmet(Level.Admin, UnmetCode.AdminShadowShiftMissing, message.toString());
    }

    // Rule: exceptions, checked in order; the first check that fails gives the reason. These checks do not
    // involve time: null when none fails.
    private static ExceptionStatus exceptionRejection(Facts.ExceptionFact e, Facts f, EffectivePolicy p) {
        RejectionCode rejection = null;
        String message = null;
        ApproverRole role = p.exceptionApprovers().get(e.approvedBy());
        if (role == null) {
            rejection = RejectionCode.ApproverNotAuthorised;
            message = Values.cut(e.approvedBy()) + " is not a Lead Developer or Head of Technology listed in the policy's exceptionApprovers";
        } else if (f.isEngineer(e.approvedBy())) {
            rejection = RejectionCode.SelfApproval;
            message = "The engineer cannot approve their own exception";
        } else if (e.businessCase().isBlank()) {
            rejection = RejectionCode.MissingBusinessCase;
            message = "The business case is blank";
        } else if (Names.blank(e.supervisor())) {
            rejection = RejectionCode.MissingSupervisor;
            message = "No supervisor is named";
        } else if (f.isEngineer(e.supervisor())) {
            rejection = RejectionCode.MissingSupervisor;
            message = "The engineer cannot supervise themselves";
        } else if (e.expiry().isAfter(e.start().atZone(p.zone()).plusDays(p.maxExceptionDays()).toInstant())) {
            rejection = RejectionCode.TooLong;
            message = "Runs from " + e.start() + " to " + e.expiry() + ", longer than the policy's "
                    + p.maxExceptionDays() + " days";
        }
        return rejection == null ? null : new ExceptionStatus(e.index(), ExceptionState.Rejected, rejection, message);
    }

    // The checks that involve time, for an exception that passed those above.
    private static ExceptionStatus exceptionState(Prepared x, int i, Time time) {
        Facts.ExceptionFact e = x.f.exceptions().get(i);
        if (time.now.isBefore(e.start())) {
            return new ExceptionStatus(e.index(), ExceptionState.Pending, null, "Starts at " + e.start());
        }
        if (!time.now.isBefore(e.expiry())) {
            return x.ended[i];
        }
        return running(e, x.f, x.p, time);
    }

    /**
     * An exception once its expiryTime has passed keeps the state of its last moment: Expired when it was
     * Active then, and Rejected with the reason it had then (ClearanceMissing, VoidedByLongAbsence) when it was
     * not, so that the record never says an exception granted access that it did not (decision 32).
     */
    private static ExceptionStatus ended(Facts.ExceptionFact e, Facts f, EffectivePolicy p) {
        Instant last = e.expiry().minusNanos(1);
        ExceptionStatus atEnd = running(e, f, p, new Time(f, p, last));
        return atEnd.state == ExceptionState.Active
                ? new ExceptionStatus(e.index(), ExceptionState.Expired, null, "Expired at " + e.expiry())
                : atEnd;
    }

    // An exception between its startTime and its expiryTime.
    private static ExceptionStatus running(Facts.ExceptionFact e, Facts f, EffectivePolicy p, Time time) {
        if (!p.exceptionsWaiveClearance() && !clearanceAt(f, p, time.now)) {
            return new ExceptionStatus(e.index(), ExceptionState.Rejected, RejectionCode.ClearanceMissing,
                    "An exception does not waive the required " + p.requiredClearance() + " clearance");
        }
        if (time.revoked) {
            return new ExceptionStatus(e.index(), ExceptionState.Rejected, RejectionCode.VoidedByLongAbsence,
                    "Voided while a long absence revokes all access");
        }
        if (time.beforeReturn(e.start())) {
            return new ExceptionStatus(e.index(), ExceptionState.Rejected, RejectionCode.VoidedByLongAbsence,
                    "Started before the return on " + time.lastReturnDay + " from a long absence");
        }
        return new ExceptionStatus(e.index(), ExceptionState.Active, null,
                "Admin, supervised by " + Values.cut(e.supervisor()) + ", until " + e.expiry());
    }

    private record Rota(RotaStatus status, List<String> orderProblems) {
    }

    // Rule: rota progression. Secondary with earned Admin; Primary and OnCall after enough Secondary shifts.
    private static Rota rota(Facts f, EffectivePolicy p, Time time, Earned earned) {
        int completed = 0;
        Instant eligibleFrom = null;
        if (earned.completedEnd != null) {
            Instant[] ends = new Instant[f.shifts().size()];
            for (Facts.ShiftFact s : f.shifts()) {
                if (s.role() == ShiftRole.Secondary && !s.start().isBefore(earned.completedEnd) && !s.end().isAfter(time.now)) {
                    ends[completed++] = s.end();
                }
            }
            int need = p.secondaryShiftsBeforePrimary();
            if (need == 0) {
                eligibleFrom = earned.completedEnd;
            } else if (completed >= need) {
                Arrays.sort(ends, 0, completed);
                eligibleFrom = ends[need - 1];
            }
        }
        List<RotaRole> eligible = new ArrayList<>(3);
        if (earned.held) {
            eligible.add(RotaRole.Secondary);
            if (eligibleFrom != null) {
                eligible.add(RotaRole.Primary);
                eligible.add(RotaRole.OnCall);
            }
        }
        List<String> problems = new ArrayList<>(0);
        for (Facts.ShiftFact s : f.shifts()) {
            boolean senior = s.role() == ShiftRole.Primary || s.role() == ShiftRole.OnCall;
            if (senior && !s.start().isAfter(time.now) && !time.beforeReturn(s.start())
                    && (eligibleFrom == null || s.start().isBefore(eligibleFrom))) {
                problems.add(s.role() + " shift of " + s.start() + " started before the engineer was eligible"
                        + (eligibleFrom == null ? "" : " (eligible from " + eligibleFrom + ")"));
            }
        }
        return new Rota(new RotaStatus(completed, eligible), immutable(problems));
    }
}
