package digital.govuk.access.rules;

import java.time.Instant;
import java.util.Arrays;

import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.Bounds;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.ShiftRole;

/**
 * How long one decision takes for the largest spec the bounds allow ({@link Bounds}), built so that the
 * decision never changes after now and every candidate instant is tried (the worst case for
 * {@link AccessRules#decide}): {@code make bench-bounds [ARGS="SHIFTS EXCEPTIONS ABSENCES"]}. Not a test: it
 * prints, and never fails on time.
 */
public final class BoundsBenchmark {
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    static long sink;

    private BoundsBenchmark() {
    }

    public static void main(String[] args) {
        int shifts = args.length > 0 ? Integer.parseInt(args[0]) : Bounds.SHIFTS;
        int exceptions = args.length > 1 ? Integer.parseInt(args[1]) : Bounds.EXCEPTIONS;
        int absences = args.length > 2 ? Integer.parseInt(args[2]) : Bounds.ABSENCES;
        EffectivePolicy policy = Specs.policy().approver(Specs.HEAD_OF_TECH, ApproverRole.HeadOfTechnology).build();
        EngineerAccessSpec spec = worstCase(shifts, exceptions, absences);
        Decision d = AccessRules.decide(spec, policy, NOW);
        System.out.println("BoundsBenchmark: " + shifts + " shifts, " + exceptions + " exceptions, " + absences
                + " absences; level " + d.level() + ", problems " + d.problems().size() + ", next " + d.nextTransitionTime());
        if (!d.problems().isEmpty()) {
            System.out.println("  refused, as over a bound: " + d.problems());
        } else if (d.level() != Level.Admin) {
            throw new IllegalStateException("the worst case should hold Admin: " + d);
        }
        for (int i = 0; i < Integer.getInteger("bench.warmup", 30); i++) {
            sink += AccessRules.decide(spec, policy, NOW).unmet().size();
        }
        double[] ms = new double[15];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            sink += AccessRules.decide(spec, policy, NOW).unmet().size();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("  decide: median %.2f ms, min %.2f ms, max %.2f ms (%d runs)%n", ms[ms.length / 2], ms[0],
                ms[ms.length - 1], ms.length);
    }

    /**
     * Earned Admin (not supervised) with two completed Secondary shifts, then future shifts whose starts and
     * ends change nothing: every candidate instant is tried. Exceptions and absences are short and also change
     * nothing visible to the level.
     */
    static EngineerAccessSpec worstCase(int shifts, int exceptions, int absences) {
        Specs.Builder b = Specs.adminReady()
                .secondary("2026-09-14T09:00:00Z", "2026-09-18T17:30:00Z")
                .secondary("2026-09-21T09:00:00Z", "2026-09-25T17:30:00Z");
        ShiftRole[] roles = {ShiftRole.Shadow, ShiftRole.AdminShadow, ShiftRole.Primary, ShiftRole.OnCall};
        Instant start = Instant.parse("2026-12-07T09:00:00Z");
        for (int i = 4; i < shifts; i++) {
            Instant s = start.plusSeconds(86_400L * (i - 4));
            b.shift(roles[i % roles.length], s.toString(), s.plusSeconds(3_600).toString());
        }
        // Half long absences, all over before the engineer started (each is checked at every instant); half
        // short absences in the future (each adds two instants to try, and changes nothing).
        for (int i = 0; i < absences; i++) {
            java.time.LocalDate from = i % 2 == 0
                    ? java.time.LocalDate.parse("1995-01-02").plusDays(55L * (i / 2))
                    : java.time.LocalDate.parse("2027-01-04").plusDays(7L * (i / 2));
            b.absence(from.toString(), from.plusDays(i % 2 == 0 ? 50 : 3).toString());
        }
        EngineerAccessSpec spec = b.build();
        // Exceptions approved by someone who may not: rejected whatever the instant.
        for (int i = 0; i < exceptions; i++) {
            Instant s = start.plusSeconds(86_400L * i + 1_800);
            b.exception("not.an.approver@example.gov.uk", Specs.SUPERVISOR, s.toString(), s.plusSeconds(3_600).toString());
        }
        spec.clearance.level = ClearanceLevel.SC;
        return spec;
    }
}
