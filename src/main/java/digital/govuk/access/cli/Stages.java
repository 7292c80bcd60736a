package digital.govuk.access.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.Timeline;

/**
 * One planned engineer's access stage by stage through time, from the facts alone (the same decision the
 * operator makes, at each instant it changes), with the RoleBindings each stage gives in the plan's namespaces.
 */
final class Stages {
    /** Decisions walked for one engineer at most: a career has a few dozen; a spec at the bounds is cut there. */
    static final int MAX_PERIODS = 1000;

    /**
     * One stage, from {@code from} (null: since before any fact) until {@code until} (null: no end), with the
     * decision at its start and the bindings it gives then.
     */
    record Stage(AccessStage stage, Instant from, Instant until, Decision decision, List<DesiredBinding> bindings) {
        boolean holds(Instant t) {
            return (from == null || !t.isBefore(from)) && (until == null || t.isBefore(until));
        }

        /** {@code apps, platform}, or {@code no namespace}. */
        String namespaces() {
            String names = bindings.stream().map(DesiredBinding::namespace).distinct().sorted().collect(Collectors.joining(", "));
            return names.isEmpty() ? "no namespace" : names;
        }

        /** The stage, its namespaces and its time: {@code Admin (supervised) in apps, platform from T until U}. */
        String words() {
            return stage.words() + (stage == AccessStage.None ? "" : " in " + namespaces())
                    + (from == null ? "" : " from " + from) + (until == null ? "" : " until " + until);
        }

        /** The same stage, seen from {@code at} on: it starts there at the earliest. */
        Stage from(Instant at) {
            return from != null && from.isAfter(at) ? this : new Stage(stage, at, until, decision, bindings);
        }
    }

    private Stages() {
    }

    /**
     * The engineer's stages from before the first fact; empty when nothing can be decided (an invalid policy). An
     * invalid spec is one stage, None, for ever.
     */
    static List<Stage> of(Plan.Engineer e, Plan.Result plan) {
        if (e == null || e.decision() == null || plan.policy().policy() == null) {
            return List.of();
        }
        if (!e.decision().specValid()) {
            return List.of(new Stage(AccessStage.None, null, null, e.decision(), List.of()));
        }
        List<Stage> out = new ArrayList<>();
        for (Timeline.Period p : Timeline.stages(Timeline.of(e.name(), e.resource().getSpec(), plan.policy().policy(),
                Timeline.BEGINNING, null, MAX_PERIODS))) {
            out.add(new Stage(p.stage(), p.start().equals(Timeline.BEGINNING) ? null : p.start(), p.end(), p.decision(),
                    ManagedBindings.desired(e.name(), p.decision(), plan.policy().policy(), plan.namespaces())));
        }
        return out;
    }

    /** The stage that holds at {@code at}, or null when there is none. */
    static Stage at(List<Stage> stages, Instant at) {
        return stages.stream().filter(s -> s.holds(at)).findFirst().orElse(null);
    }

    /** The stages from {@code at} on, the first one starting at {@code at}. */
    static List<Stage> fromOn(List<Stage> stages, Instant at) {
        return stages.stream().filter(s -> s.until() == null || s.until().isAfter(at)).map(s -> s.from(at)).toList();
    }

    /** Whether two engineers' stages from {@code at} on are the same: stage, times and namespaces. */
    static boolean same(List<Stage> a, List<Stage> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Stage x = a.get(i);
            Stage y = b.get(i);
            if (x.stage() != y.stage() || !java.util.Objects.equals(x.from(), y.from()) || !java.util.Objects.equals(x.until(), y.until())
                    || !x.namespaces().equals(y.namespaces())) {
                return false;
            }
        }
        return true;
    }
}
