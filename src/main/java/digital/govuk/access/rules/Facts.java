package digital.govuk.access.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.ShiftRole;

/**
 * An EngineerAccess spec after checking and parsing: dates turned into the instants at which they
 * take effect in the policy time zone. Built by {@link SpecReader}; read by {@link AccessRules}. {@code identities}
 * are the names the engineer is known by (subject name and e-mail address), as {@link Names#key} gives them.
 */
record Facts(
        Set<String> identities,
        ClearanceLevel clearance,
        Instant clearanceFrom,
        LocalDate clearanceOn,
        Instant probationPassed,
        LocalDate probationOn,
        Approval approval,
        List<ShiftFact> shifts,
        List<ExceptionFact> exceptions,
        List<AbsenceFact> absences) {

    /**
     * Whether a name (as {@link Names#key} gives it) is the engineer's own: their subject's name or their e-mail
     * address. Every check that a person is not the engineer asks this.
     */
    boolean isEngineer(String name) {
        return identities.contains(name);
    }

    /** The deploy approval. {@code missingConfirmations} names the confirmations that are not true. */
    record Approval(String approvedBy, Instant from, LocalDate on, List<String> missingConfirmations) {
    }

    record ShiftFact(ShiftRole role, Instant start, Instant end) {
    }

    record ExceptionFact(int index, String approvedBy, String businessCase, String supervisor, Instant start, Instant expiry) {
    }

    /**
     * An absence. {@code revokedFrom} is the first instant at which it has lasted more than the policy's
     * long-absence days; {@code returnAt} is the start of the return day (null while ongoing).
     * {@code isLong} is true when a recorded return comes after {@code revokedFrom}, or the absence is ongoing.
     */
    record AbsenceFact(LocalDate from, LocalDate until, Instant revokedFrom, Instant returnAt, boolean isLong) {
    }
}
