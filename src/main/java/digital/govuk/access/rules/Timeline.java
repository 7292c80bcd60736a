package digital.govuk.access.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;

/**
 * One engineer's access through time, from the facts alone: the decision from one instant on, and again at
 * each instant it changes ({@code nextTransitionTime}). Pure, like the decision; {@code plan --against}, the
 * report and {@code explain} read the past and the future from it.
 */
public final class Timeline {
    /** Before every fact: the start of a timeline that covers an engineer's whole record. */
    public static final Instant BEGINNING = Instant.MIN;

    /** One stretch of time with one decision, from {@code start} (inclusive) to {@code end} (exclusive; null: no end). */
    public record Period(Instant start, Instant end, Decision decision) {
        public AccessStage stage() {
            return AccessStage.of(decision.level(), decision.supervised());
        }
    }

    private Timeline() {
    }

    /**
     * The decisions from {@code from} up to {@code until} (null: no limit), at most {@code max} periods; the last
     * one's end is where the timeline was cut, or null when nothing changes after it.
     */
    public static List<Period> of(String name, EngineerAccessSpec spec, EffectivePolicy policy, Instant from, Instant until, int max) {
        List<Period> periods = new ArrayList<>();
        Instant start = from;
        Decision d = AccessRules.decide(name, spec, policy, start);
        while (true) {
            Instant next = d.nextTransitionTime();
            if (next == null || periods.size() + 1 >= max || (until != null && !next.isBefore(until))) {
                periods.add(new Period(start, next, d));
                return periods;
            }
            periods.add(new Period(start, next, d));
            start = next;
            d = AccessRules.decide(name, spec, policy, start);
        }
    }

    /**
     * The periods joined while the stage stays the same: each entry starts where the stage changed, with the
     * decision of that instant.
     */
    public static List<Period> stages(List<Period> periods) {
        List<Period> out = new ArrayList<>();
        for (Period p : periods) {
            Period last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.stage() == p.stage()) {
                out.set(out.size() - 1, new Period(last.start(), p.end(), last.decision()));
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
