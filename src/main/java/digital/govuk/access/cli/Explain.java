package digital.govuk.access.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import digital.govuk.access.status.StatusBuilder;
import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.RotaRole;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.Unmet;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.rules.AccessFlow;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.OnePerson;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;

/**
 * {@code explain NAME}: one engineer in plain words: what they have and why, what is missing and what to do
 * next, and when it changes; from the cluster also what the operator has applied and its recent history.
 */
final class Explain {
    /** Future changes shown at most. */
    static final int CHANGES = 5;
    /** History entries shown at most, the newest. */
    static final int HISTORY = 5;

    private Explain() {
    }

    /**
     * @param fromCluster the engineer was read from a cluster (else from files)
     * @param written     the status the operator wrote, from a cluster; null from files or when there is none yet
     */
    static String of(Plan.Engineer e, Plan.Result plan, Instant at, boolean fromCluster, EngineerAccessStatus written) {
        EngineerAccessSpec spec = e.resource().getSpec();
        StringBuilder out = new StringBuilder();
        out.append(Values.cut(e.name())).append(spec == null || spec.fullName == null ? "" : " (" + Values.cut(spec.fullName) + ")")
                .append(", at ").append(StatusBuilder.shown(at)).append(", from ").append(fromCluster ? "the cluster" : "files").append("\n\n");
        Decision d = e.decision();
        if (d == null && plan.policy().builtIn()) {
            out.append("Access is frozen: there is no AccessPolicy named default, so the operator grants nothing new until one is\n"
                    + "created (" + StatusBuilder.FROZEN_ENDS + ").\n");
            operator(out, e, written);
            return out.toString();
        }
        if (d == null) {
            out.append("Access is frozen: the AccessPolicy default is invalid, so the operator grants nothing new\n"
                    + "(" + StatusBuilder.FROZEN_ENDS + "). Ask the policy's owners to fix: ")
                    .append(plan.policy().problems().stream().map(Problem::toString).collect(Collectors.joining("; "))).append('\n');
            operator(out, e, written);
            return out.toString();
        }
        if (!d.specValid()) {
            boolean samePerson = d.problems().stream().anyMatch(p -> OnePerson.REASON.equals(p.reason()));
            out.append(samePerson ? "Has:     no production access: an earlier EngineerAccess names the same person, so this one grants nothing.\n"
                    : "Has:     no production access: the spec is invalid, so it grants nothing.\n");
            out.append("Fix:\n");
            for (Problem p : d.problems()) {
                out.append("  - ").append(p).append('\n');
            }
            operator(out, e, written);
            return out.toString();
        }
        List<Stages.Stage> stages = Stages.of(e, plan);
        Stages.Stage now = Stages.at(stages, at);
        has(out, d, e.bindings(), now);
        why(out, d, spec);
        missing(out, d);
        exceptions(out, d);
        changes(out, Stages.fromOn(stages, at), spec);
        rota(out, d, plan);
        operator(out, e, written);
        return out.toString();
    }

    private static void has(StringBuilder out, Decision d, List<DesiredBinding> bindings, Stages.Stage now) {
        AccessStage stage = AccessStage.of(d.level(), d.supervised());
        out.append("Has:     ");
        if (stage == AccessStage.None) {
            out.append("no production access");
        } else {
            out.append("Production ").append(stage.words()).append(" in ").append(namespaces(bindings));
        }
        if (now != null && now.from() != null) {
            out.append(", since ").append(now.from());
        }
        if (d.accessExpiryTime() != null) {
            out.append(", until ").append(d.accessExpiryTime()).append(" (time-limited)");
        }
        out.append(".\n");
        if (d.supervised()) {
            out.append("         Use Admin only under supervision.\n");
        }
    }

    /** {@code apps (production-deploy, production-admin) and platform (production-admin)}. */
    private static String namespaces(List<DesiredBinding> bindings) {
        if (bindings.isEmpty()) {
            return "no namespace (the policy selects none)";
        }
        Map<String, List<String>> byNamespace = new TreeMap<>();
        bindings.forEach(b -> byNamespace.computeIfAbsent(b.namespace(), k -> new ArrayList<>()).add(b.clusterRole()));
        return Values.and(byNamespace.entrySet().stream().map(en -> en.getKey() + " (" + String.join(", ", en.getValue()) + ")").toList());
    }

    private static void why(StringBuilder out, Decision d, EngineerAccessSpec spec) {
        List<String> why = new ArrayList<>();
        Decision.Grounds g = d.grounds();
        if (d.earnedAdmin() && g.adminShadowShift() != null) {
            Shift s = spec.shifts.get(g.adminShadowShift());
            AccessFlow.Move move = d.supervised() ? AccessFlow.Move.AdminShadowShiftStarted : AccessFlow.Move.AdminShadowShiftEnded;
            why.add("Admin: " + move.rule + " (spec.shifts[" + g.adminShadowShift() + "], " + Values.cut(s.startTime) + " to "
                    + Values.cut(s.endTime) + (s.supervisor == null ? "" : ", supervised by " + Values.cut(s.supervisor)) + ")");
        }
        if (g.exception() != null) {
            AdminException x = spec.exceptions.get(g.exception());
            why.add("Admin: " + AccessFlow.Move.ExceptionStarted.rule + " (spec.exceptions[" + g.exception() + "], approved by "
                    + Values.cut(x.approvedBy) + ", supervised by " + Values.cut(x.supervisor) + ", until " + Values.cut(x.expiryTime)
                    + ": \"" + Values.cut(x.businessCase) + "\")");
        }
        if (d.deployOnItsOwn()) {
            why.add("Deploy: " + AccessFlow.Move.DeployGranted.rule + " (approved by " + Values.cut(spec.deployApproval.approvedBy)
                    + " on " + Values.cut(spec.deployApproval.approvedOn) + ")");
        } else if (d.level() == Level.Admin) {
            why.add("Deploy: comes with Admin");
        }
        if (why.isEmpty()) {
            return;
        }
        out.append("Why:     ").append(why.get(0)).append('\n');
        for (String w : why.subList(1, why.size())) {
            out.append("         ").append(w).append('\n');
        }
    }

    private static void missing(StringBuilder out, Decision d) {
        if (d.unmet().isEmpty()) {
            out.append("Missing: nothing: Admin is the highest access.\n");
            return;
        }
        out.append("Missing, and what to do next:\n");
        for (Level level : List.of(Level.Deploy, Level.Admin)) {
            List<Unmet> unmet = d.unmet().stream().filter(u -> u.level == level).toList();
            if (!unmet.isEmpty()) {
                out.append("  for ").append(level).append(":\n");
                for (Unmet u : unmet) {
                    out.append("  - ").append(u.message).append(" (").append(u.code).append(", ")
                            .append(AccessFlow.field(u)).append(")\n");
                }
            }
        }
    }

    private static void exceptions(StringBuilder out, Decision d) {
        for (ExceptionStatus x : d.exceptions()) {
            out.append("Exception spec.exceptions[").append(x.index).append("]: ").append(x.state)
                    .append(x.reason == null ? "" : " (" + x.reason + ")").append(": ").append(x.message).append('\n');
        }
    }

    /** The changes the facts' own dates bring, each with the rule that makes it. */
    private static void changes(StringBuilder out, List<Stages.Stage> from, EngineerAccessSpec spec) {
        if (from.size() <= 1) {
            out.append("Changes: none scheduled by the facts.\n");
            return;
        }
        out.append("Changes:\n");
        for (int i = 1; i < from.size() && i <= CHANGES; i++) {
            Stages.Stage before = from.get(i - 1);
            Stages.Stage s = from.get(i);
            AccessFlow.Transition t = AccessFlow.between(before.stage(), before.decision().accessExpiryTime(), s.decision(), spec, s.from());
            out.append("  ").append(s.from()).append("  ").append(s.stage().words())
                    .append(s.stage() == AccessStage.None ? "" : " in " + s.namespaces())
                    .append(t == null ? "" : ": " + t.move().rule + (t.fact() == null ? "" : " (" + t.fact() + ")")).append('\n');
        }
        if (from.size() - 1 > CHANGES) {
            out.append("  and ").append(from.size() - 1 - CHANGES).append(" more\n");
        }
    }

    private static void rota(StringBuilder out, Decision d, Plan.Result plan) {
        List<RotaRole> eligible = d.rota().eligible;
        out.append("Rota:    ");
        if (eligible.isEmpty()) {
            out.append("not eligible yet: the rota needs Admin earned through Technical 2nd Line");
        } else {
            out.append("may be drafted as ").append(Values.and(eligible.stream().map(Enum::name).toList()));
            if (!eligible.contains(RotaRole.Primary)) {
                out.append("; Primary and OnCall after ").append(plan.policy().policy().secondaryShiftsBeforePrimary())
                        .append(" Secondary shifts (").append(d.rota().secondaryShiftsCompleted).append(" done)");
            }
        }
        out.append(".\n");
        for (String problem : d.rotaOrderProblems()) {
            out.append("         Out of order: ").append(problem).append('\n');
        }
    }

    /** What the operator has written: whether it has applied this, the RoleBindings that exist, and its history. */
    private static void operator(StringBuilder out, Plan.Engineer e, EngineerAccessStatus written) {
        if (written == null) {
            return;
        }
        Long generation = e.resource().getMetadata().getGeneration();
        out.append("\nOperator: ");
        if (written.observedGeneration != null && generation != null && written.observedGeneration < generation) {
            out.append("has not acted on the latest edit yet; ");
        }
        out.append("its status says ").append(AccessStage.of(written.level, Boolean.TRUE.equals(written.supervised)).words())
                .append(" with ").append(written.bindings == null || written.bindings.isEmpty() ? "no RoleBinding"
                        : written.bindings.stream().map(b -> b.namespace + "/" + b.name).collect(Collectors.joining(", ")))
                .append(".\n");
        List<AccessTransition> history = written.history == null ? List.of() : written.history;
        if (!history.isEmpty()) {
            out.append("Recent changes (status.history, newest last):\n");
            for (AccessTransition t : history.subList(Math.max(0, history.size() - HISTORY), history.size())) {
                out.append("  ").append(t.time).append("  ").append(t.message).append('\n');
            }
        }
    }
}
