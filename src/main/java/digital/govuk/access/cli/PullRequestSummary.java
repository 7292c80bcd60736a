package digital.govuk.access.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.ExceptionState;
import digital.govuk.access.api.v1alpha1.ExceptionStatus;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.rules.Values;

/**
 * {@code plan --against OLDPATH -o markdown}: a summary for a pull request comment. Who gains or loses which
 * access, in which namespaces, from when and until when, who approved the facts that changed, and which
 * manifests are invalid and why; the riskiest changes (new Admin, exceptions) first.
 */
final class PullRequestSummary {
    /** The groups, riskiest first. */
    enum Group {
        NEW_ADMIN("New Admin access"),
        EXCEPTIONS("Admin by exception"),
        NEW_DEPLOY("New Deploy access"),
        REDUCED("Access reduced or removed"),
        OTHER("Other changes");

        final String title;

        Group(String title) {
            this.title = title;
        }
    }

    private PullRequestSummary() {
    }

    static String render(PlanDiff diff, List<InputError> errors, Instant at) {
        Map<Group, List<PlanDiff.Change>> groups = new EnumMap<>(Group.class);
        for (PlanDiff.Change c : diff.changes()) {
            groups.computeIfAbsent(group(c, at), g -> new ArrayList<>()).add(c);
        }
        for (PlanDiff.Change c : diff.approvalsOnly()) {
            groups.computeIfAbsent(c.facts().stream().anyMatch(f -> f.isException() && !f.removed()) ? Group.EXCEPTIONS : Group.OTHER,
                    g -> new ArrayList<>()).add(c);
        }

        StringBuilder out = new StringBuilder("## Production access: what this change does\n\n");
        out.append("Planned at ").append(at).append(" against the target branch, by the rules the operator applies.\n\n");
        if (!errors.isEmpty()) {
            out.append("> **").append(errors.size()).append(errors.size() == 1 ? " invalid manifest" : " invalid manifests")
                    .append("**: invalid input grants nothing, and this check fails. See [Invalid manifests](#invalid-manifests).\n\n");
        }
        List<String> counts = new ArrayList<>();
        for (Group g : Group.values()) {
            int n = groups.getOrDefault(g, List.of()).size();
            if (n > 0) {
                counts.add(g.title + ": **" + n + "**");
            }
        }
        int unchanged = diff.unchanged() - diff.approvalsOnly().size();
        counts.add("unchanged: " + unchanged);
        out.append(diff.changes().isEmpty() && diff.approvalsOnly().isEmpty() ? "No engineer gains or loses access. " : "")
                .append(String.join(" · ", counts)).append("\n");

        for (Group g : Group.values()) {
            List<PlanDiff.Change> list = groups.getOrDefault(g, List.of());
            if (list.isEmpty()) {
                continue;
            }
            out.append("\n### ").append(g.title).append("\n");
            for (PlanDiff.Change c : list) {
                engineer(out, c, at);
            }
        }
        if (!errors.isEmpty()) {
            out.append("\n### Invalid manifests\n\n| file | object | field | problem |\n|---|---|---|---|\n");
            for (InputError e : errors) {
                out.append("| ").append(md(e.file())).append(" | ").append(md(e.object())).append(" | ")
                        .append(e.field() == null || e.field().isEmpty() ? "" : md(e.field())).append(" | ").append(md(e.message()))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    /** The riskiest thing a change does. */
    static Group group(PlanDiff.Change c, Instant at) {
        if (c.facts().stream().anyMatch(f -> f.isException() && !f.removed())) {
            return Group.EXCEPTIONS;
        }
        List<Stages.Stage> after = fromNow(c.after(), c, true, at);
        List<Stages.Stage> before = fromNow(c.before(), c, false, at);
        AccessStage gained = null;
        boolean byException = false;
        boolean lost = !c.lost().isEmpty() || c.after() == null;
        for (Stages.Stage s : after) {
            Stages.Stage was = Stages.at(before, s.from());
            AccessStage wasStage = was == null ? AccessStage.None : was.stage();
            if (s.stage().compareTo(wasStage) > 0 && (gained == null || s.stage().compareTo(gained) > 0)) {
                gained = s.stage();
                byException = s.decision().grounds().exception() != null && !s.decision().earnedAdmin();
            }
            lost |= s.stage().compareTo(wasStage) < 0;
        }
        if (gained != null && gained.compareTo(AccessStage.AdminSupervised) >= 0) {
            return byException ? Group.EXCEPTIONS : Group.NEW_ADMIN;
        }
        if (gained == AccessStage.Deploy) {
            return Group.NEW_DEPLOY;
        }
        return lost ? Group.REDUCED : Group.OTHER;
    }

    /** One side's stages from {@code at} on (empty when the EngineerAccess is absent on that side). */
    private static List<Stages.Stage> fromNow(Plan.Engineer e, PlanDiff.Change c, boolean after, Instant at) {
        if (e == null) {
            return List.of();
        }
        List<Stages.Stage> later = after ? c.laterAfter() : c.laterBefore();
        List<Stages.Stage> all = new ArrayList<>();
        AccessStage stage = AccessStage.of(e.resource().getStatus().level, Boolean.TRUE.equals(e.resource().getStatus().supervised));
        all.add(new Stages.Stage(stage, at, later.isEmpty() ? null : later.get(0).from(), e.decision(), e.bindings()));
        all.addAll(later);
        return all;
    }

    private static void engineer(StringBuilder out, PlanDiff.Change c, Instant at) {
        Plan.Engineer shown = c.after() != null ? c.after() : c.before();
        String fullName = shown.resource().getSpec() == null ? "" : " (" + md(Values.cut(shown.resource().getSpec().fullName)) + ")";
        out.append("\n**").append(md(c.name())).append("**").append(fullName).append("\n\n");
        String was = side(c.levelBefore(), c.supervisedBefore(), c.expiryBefore());
        String now = side(c.levelAfter(), c.supervisedAfter(), c.expiryAfter());
        out.append("- Now: ").append(was.equals(now) ? now + ", unchanged" : was + " → **" + now + "**").append('\n');
        if (!c.gained().isEmpty()) {
            out.append("  - gains ").append(bindings(c.gained())).append('\n');
        }
        if (!c.lost().isEmpty()) {
            out.append("  - loses ").append(bindings(c.lost())).append('\n');
        }
        if (c.laterChanges()) {
            out.append("- Later: ").append(md(PlanDiff.words(c.laterAfter())));
            if (!c.laterBefore().isEmpty()) {
                out.append(" (was: ").append(md(PlanDiff.words(c.laterBefore()))).append(")");
            }
            out.append('\n');
        }
        String why = whyLost(c);
        if (why != null) {
            out.append("- Why: ").append(md(why)).append('\n');
        }
        // A whole EngineerAccess added or removed: its approvals are what a reviewer checks, not every fact.
        boolean whole = c.before() == null || c.after() == null;
        for (FactChanges.Change f : c.facts()) {
            if (whole && f.approvedBy() == null) {
                continue;
            }
            out.append("- ").append(f.kind().substring(0, 1).toUpperCase(java.util.Locale.ROOT)).append(f.kind().substring(1))
                    .append(' ').append(f.path()).append(": ").append(md(f.words()));
            if (f.approvedBy() != null) {
                out.append(", **approved by ").append(md(Values.cut(f.approvedBy()))).append("**");
            }
            if (f.isException() && !f.removed() && c.after() != null) {
                out.append(exceptionState(c.after(), f.path()));
            }
            out.append('\n');
        }
        if (c.after() != null && c.after().decision() != null && !c.after().decision().specValid()) {
            out.append("- **Invalid**: grants nothing (see Invalid manifests)\n");
        }
    }

    /** Why access is lost now: what the rules say is unmet for the level that went (null when none is lost now). */
    private static String whyLost(PlanDiff.Change c) {
        if (c.after() == null || c.after().decision() == null || c.levelBefore() == null || c.levelAfter() == null) {
            return null;
        }
        digital.govuk.access.api.v1alpha1.Level before = digital.govuk.access.api.v1alpha1.Level.valueOf(c.levelBefore());
        digital.govuk.access.api.v1alpha1.Level after = digital.govuk.access.api.v1alpha1.Level.valueOf(c.levelAfter());
        if (after.compareTo(before) >= 0) {
            return null;
        }
        if (!c.after().decision().specValid()) {
            return "the spec is invalid";
        }
        return c.after().decision().unmet().stream().filter(u -> u.level.compareTo(after) > 0).map(u -> u.message).findFirst().orElse(null);
    }

    /** How an added or changed exception stands at the planned instant, warning when it is rejected. */
    private static String exceptionState(Plan.Engineer e, String path) {
        if (e.decision() == null || !e.decision().specValid()) {
            return "";
        }
        int index = Integer.parseInt(path.substring(path.indexOf('[') + 1, path.indexOf(']')));
        for (ExceptionStatus s : e.decision().exceptions()) {
            if (s.index == index) {
                return s.state == ExceptionState.Rejected
                        ? "; ⚠ **Rejected (" + s.reason + ")**: " + md(s.message)
                        : "; " + s.state + ": " + md(s.message);
            }
        }
        return "";
    }

    private static String side(String level, Boolean supervised, String expiry) {
        if (level == null) {
            return "no EngineerAccess";
        }
        AccessStage stage = AccessStage.of(digital.govuk.access.api.v1alpha1.Level.valueOf(level), Boolean.TRUE.equals(supervised));
        return stage.words() + (expiry == null ? "" : " until " + expiry);
    }

    private static String bindings(List<DesiredBinding> bindings) {
        return bindings.stream().collect(Collectors.groupingBy(DesiredBinding::clusterRole, java.util.TreeMap::new, Collectors.toList()))
                .entrySet().stream()
                .map(en -> md(en.getKey()) + " in " + en.getValue().stream().map(b -> md(b.namespace())
                        + (b.expiry() == null ? "" : " until " + b.expiry())).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; "));
    }

    private static String md(String text) {
        return Output.md(text);
    }
}
