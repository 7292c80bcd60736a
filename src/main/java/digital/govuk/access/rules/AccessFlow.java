package digital.govuk.access.rules;

import static digital.govuk.access.api.v1alpha1.AccessStage.Admin;
import static digital.govuk.access.api.v1alpha1.AccessStage.AdminSupervised;
import static digital.govuk.access.api.v1alpha1.AccessStage.Deploy;
import static digital.govuk.access.api.v1alpha1.AccessStage.None;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.ExceptionState;
import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.Unmet;
import digital.govuk.access.api.v1alpha1.UnmetCode;

/**
 * How an engineer moves between the stages None, Deploy, Admin (supervised) and Admin: each {@link Move} is a
 * rule of docs/access-rules.md with the edges it can take. {@link #between} names the move behind a change of
 * the decision (the operator records it in {@code status.history}), and docs/access-flow.md is drawn from the
 * same moves, so the diagram and the record cannot disagree. A property test walks generated careers through
 * time and checks that every change the decision makes by itself is an edge drawn here.
 */
public final class AccessFlow {

    /** One edge of a move. {@code byTime}: it happens as time passes; otherwise only when facts are edited. */
    public record Edge(AccessStage from, AccessStage to, boolean byTime) {
    }

    /** The rules that move an engineer between stages, in the order the diagram lists them. */
    public enum Move {
        DeployGranted("the Deploy rules hold: clearance and a tech lead's approval with all four confirmations",
                "Production Deploy", time(None, Deploy)),
        AdminShadowShiftStarted("an AdminShadow shift starts after clearance, passed probation and a Shadow shift",
                "Production Admin (earned through 2nd line)", time(None, AdminSupervised), time(Deploy, AdminSupervised)),
        ExceptionStarted("an exception approved by a Lead Developer or the Head of Technology starts (at most 30 days)",
                "Production Admin by exception", time(None, AdminSupervised), time(Deploy, AdminSupervised)),
        AdminShadowShiftEnded("the AdminShadow shift ends: Admin is kept, unsupervised",
                "Production Admin (earned through 2nd line)", time(AdminSupervised, Admin), edit(None, Admin), edit(Deploy, Admin)),
        ExceptionExpired("the exception reaches its expiryTime", "Production Admin by exception",
                time(AdminSupervised, Deploy), time(AdminSupervised, None)),
        LongAbsence("away more than 42 days (longAbsenceDays): all access is revoked until the return", "Long absence",
                time(Deploy, None), time(AdminSupervised, None), time(Admin, None)),
        RequirementLost("a fact is changed or removed, so a requirement no longer holds", "Production Deploy, Production Admin (earned through 2nd line), Production Admin by exception",
                edit(Deploy, None), edit(AdminSupervised, Deploy), edit(AdminSupervised, None), edit(Admin, AdminSupervised),
                edit(Admin, Deploy), edit(Admin, None)),
        SpecInvalid("the spec becomes invalid: nothing is granted from it", "Invalid input",
                edit(Deploy, None), edit(AdminSupervised, None), edit(Admin, None)),
        Deleted("the EngineerAccess is deleted: all its access ends at once, however long finalizers hold the record",
                "Decisions this project made where the rules above are silent", edit(Deploy, None), edit(AdminSupervised, None), edit(Admin, None));

        /** The rule in plain words, as the diagram labels the edge. */
        public final String rule;
        /** The section of docs/access-rules.md that holds the rule. */
        public final String section;
        public final List<Edge> edges;

        Move(String rule, String section, Edge... edges) {
            this.rule = rule;
            this.section = section;
            this.edges = List.of(edges);
        }

        public boolean has(AccessStage from, AccessStage to, boolean byTime) {
            return edges.stream().anyMatch(e -> e.from() == from && e.to() == to && (e.byTime() || !byTime));
        }
    }

    private static Edge time(AccessStage from, AccessStage to) {
        return new Edge(from, to, true);
    }

    private static Edge edit(AccessStage from, AccessStage to) {
        return new Edge(from, to, false);
    }

    /**
     * A change of stage: the move, and the fact in the spec it comes from (a field path such as
     * {@code spec.exceptions[0]}; null when none can be named), with the person who approved that fact and the
     * one who supervises, when the fact names them.
     */
    public record Transition(Move move, AccessStage from, AccessStage to, String fact, String approvedBy, String supervisor) {
    }

    private AccessFlow() {
    }

    /**
     * The transition from stage {@code from} (whose time-limited access ended at {@code fromExpiry}, null when it
     * had none) to the stage of decision {@code d} for {@code spec} at {@code now}; null when the stage is the same.
     */
    public static Transition between(AccessStage from, Instant fromExpiry, Decision d, EngineerAccessSpec spec, Instant now) {
        AccessStage to = AccessStage.of(d.level(), d.supervised());
        if (from == to) {
            return null;
        }
        if (!d.specValid()) {
            return new Transition(Move.SpecInvalid, from, to, d.problems().isEmpty() ? null : d.problems().get(0).field(), null, null);
        }
        Decision.Grounds g = d.grounds();
        if (to.compareTo(from) > 0) {
            switch (to) {
                case Deploy:
                    return new Transition(Move.DeployGranted, from, to, "spec.deployApproval", spec.deployApproval.approvedBy, null);
                case AdminSupervised:
                    if (d.earnedAdmin()) {
                        return shift(Move.AdminShadowShiftStarted, from, to, spec, g.adminShadowShift());
                    }
                    return exception(Move.ExceptionStarted, from, to, spec, g.exception());
                default:
                    return shift(Move.AdminShadowShiftEnded, from, to, spec, g.adminShadowShift());
            }
        }
        if (d.revoked()) {
            return new Transition(Move.LongAbsence, from, to, g.absence() == null ? "spec.absences" : "spec.absences[" + g.absence() + "]",
                    null, null);
        }
        if (from == AdminSupervised && fromExpiry != null && !now.isBefore(fromExpiry)) {
            return exception(Move.ExceptionExpired, from, to, spec, endingAt(spec, fromExpiry));
        }
        Level lost = to.compareTo(AdminSupervised) < 0 && from.compareTo(AdminSupervised) >= 0 || from == Admin ? Level.Admin : Level.Deploy;
        if (lost == Level.Admin) {
            for (ExceptionStatus e : d.exceptions()) {
                if (e.state == ExceptionState.Rejected) {
                    return exception(Move.RequirementLost, from, to, spec, e.index);
                }
            }
        }
        String fact = d.unmet().stream().filter(u -> u.level == lost).findFirst().map(AccessFlow::field).orElse(null);
        return new Transition(Move.RequirementLost, from, to, fact, null, null);
    }

    /**
     * The transition while the AccessPolicy is invalid and access is frozen: time-limited access still ends (and what no
     * policy could grant, decision 78), so a fall from Admin (supervised) at its expiry is that exception expiring; the
     * spec's facts are not read.
     */
    public static Transition frozen(AccessStage from, Instant fromExpiry, AccessStage to, Instant now) {
        if (from == to) {
            return null;
        }
        boolean expired = from == AdminSupervised && fromExpiry != null && !now.isBefore(fromExpiry);
        return new Transition(expired ? Move.ExceptionExpired : Move.RequirementLost, from, to, null, null, null);
    }

    /**
     * The transition of an EngineerAccess marked for deletion, whose bindings are gone (decision 70): from
     * {@code from} to None; null when it held nothing.
     */
    public static Transition deleted(AccessStage from) {
        return from == None ? null : new Transition(Move.Deleted, from, None, null, null, null);
    }

    /** The field of the spec an unmet requirement is about. */
    public static String field(Unmet u) {
        return field(u.code);
    }

    public static String field(UnmetCode code) {
        return switch (code) {
            case ClearanceMissing -> "spec.clearance";
            case DeployApprovalMissing, ApprovalIncomplete, SelfApproval, ApproverNotTechLead, ReapprovalRequired -> "spec.deployApproval";
            case ProbationNotPassed -> "spec.probation";
            case ShadowShiftMissing, AdminShadowShiftMissing -> "spec.shifts";
            case LongAbsence -> "spec.absences";
        };
    }

    private static Transition shift(Move move, AccessStage from, AccessStage to, EngineerAccessSpec spec, Integer index) {
        if (index == null || index >= spec.shifts.size()) {
            return new Transition(move, from, to, "spec.shifts", null, null);
        }
        return new Transition(move, from, to, "spec.shifts[" + index + "]", null, spec.shifts.get(index).supervisor);
    }

    private static Transition exception(Move move, AccessStage from, AccessStage to, EngineerAccessSpec spec, Integer index) {
        if (index == null || index >= spec.exceptions.size()) {
            return new Transition(move, from, to, "spec.exceptions", null, null);
        }
        AdminException e = spec.exceptions.get(index);
        return new Transition(move, from, to, "spec.exceptions[" + index + "]", e.approvedBy, e.supervisor);
    }

    /** The exception that ends at {@code expiry}; null when none does (it was removed from the spec). */
    private static Integer endingAt(EngineerAccessSpec spec, Instant expiry) {
        for (int i = spec.exceptions.size() - 1; i >= 0; i--) {
            try {
                if (OffsetDateTime.parse(spec.exceptions.get(i).expiryTime).toInstant().equals(expiry)) {
                    return i;
                }
            } catch (DateTimeParseException | NullPointerException e) {
                // a valid spec has none; nothing to name then
            }
        }
        return null;
    }
}
