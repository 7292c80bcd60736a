package digital.govuk.access.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import digital.govuk.access.status.StatusBuilder;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.bindings.DesiredBinding;

/**
 * Who gains or loses what between two plans at the same instant (for a pull request): now, and later as the
 * facts' own dates come (a future-dated approval, an exception's start and expiry).
 */
final class PlanDiff {
    /**
     * One engineer whose access changes, now or later. A null level means the EngineerAccess is absent on that
     * side; a null expiry means the access on that side has no time limit. {@code laterBefore} and
     * {@code laterAfter} are the stages after the current one on each side; {@code facts} what the change adds,
     * changes or removes in the spec.
     */
    record Change(String name, String levelBefore, String levelAfter, Boolean supervisedBefore, Boolean supervisedAfter,
            String expiryBefore, String expiryAfter, List<DesiredBinding> gained, List<DesiredBinding> lost,
            Plan.Engineer before, Plan.Engineer after, List<Stages.Stage> laterBefore, List<Stages.Stage> laterAfter,
            List<FactChanges.Change> facts) {

        boolean laterChanges() {
            return !Stages.same(laterBefore, laterAfter);
        }
    }

    private final List<Change> changes;
    private final int unchanged;
    /** Engineers whose access stays the same though an approval in their spec changed: a reviewer checks those too. */
    private final List<Change> approvalsOnly;

    private PlanDiff(List<Change> changes, int unchanged, List<Change> approvalsOnly) {
        this.changes = changes;
        this.unchanged = unchanged;
        this.approvalsOnly = approvalsOnly;
    }

    List<Change> changes() {
        return changes;
    }

    int unchanged() {
        return unchanged;
    }

    List<Change> approvalsOnly() {
        return approvalsOnly;
    }

    static PlanDiff between(Plan.Result before, Plan.Result after, Instant at) {
        Set<String> names = new LinkedHashSet<>(before.engineers().keySet());
        names.addAll(after.engineers().keySet());
        List<Change> changes = new ArrayList<>();
        List<Change> approvalsOnly = new ArrayList<>();
        int unchanged = 0;
        for (String name : names) {
            Plan.Engineer b = before.engineers().get(name);
            Plan.Engineer a = after.engineers().get(name);
            List<DesiredBinding> was = b == null ? List.of() : b.bindings();
            List<DesiredBinding> now = a == null ? List.of() : a.bindings();
            List<DesiredBinding> gained = minus(now, was);
            List<DesiredBinding> lost = minus(was, now);
            String levelBefore = level(b);
            String levelAfter = level(a);
            Boolean supBefore = supervised(b);
            Boolean supAfter = supervised(a);
            // An exception extended or cut short changes how long the access lasts: that is a change too.
            String expiryBefore = expiry(b);
            String expiryAfter = expiry(a);
            List<Stages.Stage> laterBefore = later(b, before, at);
            List<Stages.Stage> laterAfter = later(a, after, at);
            Change change = new Change(name, levelBefore, levelAfter, supBefore, supAfter, expiryBefore, expiryAfter, gained, lost,
                    b, a, laterBefore, laterAfter, FactChanges.between(spec(b), spec(a)));
            if (gained.isEmpty() && lost.isEmpty() && Objects.equals(levelBefore, levelAfter) && Objects.equals(supBefore, supAfter)
                    && Objects.equals(expiryBefore, expiryAfter) && !change.laterChanges()) {
                unchanged++;
                if (change.facts().stream().anyMatch(f -> f.approvedBy() != null)) {
                    approvalsOnly.add(change);
                }
            } else {
                changes.add(change);
            }
        }
        return new PlanDiff(changes, unchanged, approvalsOnly);
    }

    /** The stages after the one that holds at {@code at}. */
    private static List<Stages.Stage> later(Plan.Engineer e, Plan.Result plan, Instant at) {
        List<Stages.Stage> from = Stages.fromOn(Stages.of(e, plan), at);
        return from.isEmpty() ? from : from.subList(1, from.size());
    }

    private static digital.govuk.access.api.v1alpha1.EngineerAccessSpec spec(Plan.Engineer e) {
        return e == null ? null : e.resource().getSpec();
    }

    private static String level(Plan.Engineer e) {
        return e == null ? null : String.valueOf(status(e).level);
    }

    private static String expiry(Plan.Engineer e) {
        return e == null ? null : status(e).accessExpiryTime;
    }

    private static Boolean supervised(Plan.Engineer e) {
        return e == null ? null : status(e).supervised;
    }

    private static EngineerAccessStatus status(Plan.Engineer e) {
        return e.resource().getStatus();
    }

    /** Bindings in {@code a} that {@code b} lacks, compared by namespace, name and role (expiry aside). */
    private static List<DesiredBinding> minus(List<DesiredBinding> a, List<DesiredBinding> b) {
        List<DesiredBinding> out = new ArrayList<>();
        for (DesiredBinding x : a) {
            boolean found = b.stream().anyMatch(y -> y.namespace().equals(x.namespace()) && y.name().equals(x.name())
                    && y.clusterRole().equals(x.clusterRole()));
            if (!found) {
                out.add(x);
            }
        }
        return out;
    }

    String toText(Instant at) {
        StringBuilder out = new StringBuilder("Changes in access at " + StatusBuilder.shown(at) + "\n");
        if (changes.isEmpty()) {
            out.append("No engineer gains or loses access.\n");
        }
        for (Change c : changes) {
            out.append(c.name()).append(": ").append(describe(c.levelBefore(), c.supervisedBefore(), c.expiryBefore()))
                    .append(" -> ").append(describe(c.levelAfter(), c.supervisedAfter(), c.expiryAfter())).append('\n');
            for (DesiredBinding g : c.gained()) {
                out.append("  + gains ").append(g.clusterRole()).append(" in ").append(g.namespace())
                        .append(g.expiry() == null ? "" : " until " + g.expiry()).append('\n');
            }
            for (DesiredBinding l : c.lost()) {
                out.append("  - loses ").append(l.clusterRole()).append(" in ").append(l.namespace()).append('\n');
            }
            if (c.laterChanges()) {
                out.append("  later: ").append(words(c.laterAfter())).append('\n');
                if (!c.laterBefore().isEmpty()) {
                    out.append("  was later: ").append(words(c.laterBefore())).append('\n');
                }
            }
        }
        out.append(changes.size()).append(changes.size() == 1 ? " engineer changes, " : " engineers change, ")
                .append(unchanged).append(" unchanged\n");
        return out.toString();
    }

    /** Stages in words, {@code ; } between them; {@code no change} for none. */
    static String words(List<Stages.Stage> stages) {
        return stages.isEmpty() ? "no change" : String.join("; ", stages.stream().map(Stages.Stage::words).toList());
    }

    private static String describe(String level, Boolean supervised, String expiry) {
        if (level == null) {
            return "(absent)";
        }
        List<String> notes = new ArrayList<>();
        if (Boolean.TRUE.equals(supervised)) {
            notes.add("supervised");
        }
        if (expiry != null) {
            notes.add("until " + expiry);
        }
        return notes.isEmpty() ? level : level + " (" + String.join(", ", notes) + ")";
    }

    Map<String, Object> toJson(Instant at) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("at", at.toString());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Change c : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            Map<String, Object> before = side(c.levelBefore(), c.supervisedBefore(), c.expiryBefore());
            before.put("later", c.laterBefore().stream().map(PlanDiff::stage).toList());
            Map<String, Object> after = side(c.levelAfter(), c.supervisedAfter(), c.expiryAfter());
            after.put("later", c.laterAfter().stream().map(PlanDiff::stage).toList());
            m.put("before", before);
            m.put("after", after);
            m.put("gained", c.gained().stream().map(PlanDiff::binding).toList());
            m.put("lost", c.lost().stream().map(PlanDiff::binding).toList());
            list.add(m);
        }
        root.put("changes", list);
        root.put("unchanged", unchanged);
        return root;
    }

    private static Map<String, Object> side(String level, Boolean supervised, String expiry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("present", level != null);
        m.put("level", level == null ? "None" : level);
        m.put("supervised", Boolean.TRUE.equals(supervised));
        if (expiry != null) {
            m.put("accessExpiryTime", expiry);
        }
        return m;
    }

    private static Map<String, Object> stage(Stages.Stage s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", s.stage().name());
        m.put("from", String.valueOf(s.from()));
        if (s.until() != null) {
            m.put("until", s.until().toString());
        }
        m.put("namespaces", s.bindings().stream().map(DesiredBinding::namespace).distinct().sorted().toList());
        return m;
    }

    private static Map<String, Object> binding(DesiredBinding b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", b.namespace());
        m.put("name", b.name());
        m.put("clusterRole", b.clusterRole());
        if (b.expiry() != null) {
            m.put("expiryTime", b.expiry().toString());
        }
        return m;
    }
}
