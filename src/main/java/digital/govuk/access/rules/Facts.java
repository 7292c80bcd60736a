package digital.govuk.access.rules;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.ShiftRole;

/**
 * An EngineerAccess spec after checking and parsing: dates turned into the instants at which they
 * take effect in the policy time zone. Built by {@link SpecReader}; read by {@link AccessRules}.
 */
record Facts(
        String engineer,
        ClearanceLevel clearance,
        Instant clearanceFrom,
        LocalDate clearanceOn,
        Instant probationPassed,
        LocalDate probationOn,
        Approval approval,
        List<ShiftFact> shifts,
        List<ExceptionFact> exceptions,
        List<AbsenceFact> absences) {

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
