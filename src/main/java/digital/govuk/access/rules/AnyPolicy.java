package digital.govuk.access.rules;

import java.time.Instant;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.DeployApproval;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.ShiftRole;

/**
 * The most any valid AccessPolicy could grant an EngineerAccess at an instant, read from the spec alone: every
 * decision, whatever the policy, is within it. While no policy is known access is frozen (decisions 15 and 76), and a
 * binding beyond this is justified by no policy at all, so it goes (decision 78).
 * <p>
 * Only what no policy setting can change is asked, and anything unclear counts as possible: Deploy needs a deploy
 * approval with all four confirmations from someone other than the engineer; Admin needs either probation passed and
 * an AdminShadow shift started, or an exception running now, approved and supervised by others, with a business case.
 * Dates (which start in the policy's time zone), clearance, tech leads, approvers and absences are the policy's, and
 * are not asked.
 */
public final class AnyPolicy {
    /** What some policy could grant: Deploy, and Admin (whose bindings can include the Deploy role's). */
    public record Most(boolean deploy, boolean admin) {
    }

    private AnyPolicy() {
    }

    public static Most of(EngineerAccessSpec spec, Instant now) {
        if (spec == null) {
            return new Most(false, false);
        }
        Set<String> engineer = identities(spec);
        boolean admin = earned(spec, now) || spec.exceptions != null && spec.exceptions.stream().anyMatch(e -> running(e, engineer, now));
        return new Most(approved(spec.deployApproval, engineer), admin);
    }

    private static boolean approved(DeployApproval a, Set<String> engineer) {
        if (a == null || Names.blank(a.approvedBy) || engineer.contains(Names.key(a.approvedBy))) {
            return false;
        }
        return SpecReader.missing(a.confirmations).isEmpty();
    }

    private static boolean earned(EngineerAccessSpec spec, Instant now) {
        if (spec.probation == null || spec.probation.passedOn == null || spec.shifts == null) {
            return false;
        }
        for (Shift s : spec.shifts) {
            if (s != null && s.role == ShiftRole.AdminShadow && notAfter(s.startTime, now)) {
                return true;
            }
        }
        return false;
    }

    private static boolean running(AdminException e, Set<String> engineer, Instant now) {
        return e != null && !Names.blank(e.approvedBy) && !engineer.contains(Names.key(e.approvedBy)) && !Names.blank(e.businessCase)
                && !Names.blank(e.supervisor) && !engineer.contains(Names.key(e.supervisor))
                && notAfter(e.startTime, now) && !notAfter(e.expiryTime, now);
    }

    /**
     * Whether the instant written is at or before {@code now}; true when it cannot be read. (A spec with an unreadable
     * instant is invalid under every policy and grants nothing, so either answer would do.)
     */
    private static boolean notAfter(String written, Instant now) {
        Instant t = SpecReader.instantOrNull(written);
        return t == null || !t.isAfter(now);
    }

    /** The names the engineer is known by, as the rules compare them. */
    private static Set<String> identities(EngineerAccessSpec spec) {
        return SpecReader.identities(Names.key(spec.subject == null ? null : spec.subject.name),
                spec.email == null ? null : Names.key(spec.email));
    }
}
