package digital.govuk.access.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import digital.govuk.access.api.v1alpha1.Absence;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.Clearance;
import digital.govuk.access.api.v1alpha1.DeployApproval;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.Probation;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.api.v1alpha1.Subject;
import digital.govuk.access.rules.SpecReader;
import digital.govuk.access.rules.Values;

/**
 * The facts a change to an EngineerAccess adds, changes or removes, each with who approved it when the fact
 * names an approver: what a reviewer of a pull request checks against the approvals given outside Git.
 */
final class FactChanges {
    /** One fact added, changed or removed. {@code path} is where it is in the spec on the side that has it. */
    record Change(String kind, String path, String words, String approvedBy) {
        boolean isException() {
            return path.startsWith("spec.exceptions");
        }

        boolean removed() {
            return kind.equals("removed");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private FactChanges() {
    }

    /** What changed from {@code before} to {@code after}; either may be null (the EngineerAccess is new, or gone). */
    static List<Change> between(EngineerAccessSpec before, EngineerAccessSpec after) {
        List<Change> out = new ArrayList<>();
        if (before == null && after == null) {
            return out;
        }
        one(out, "spec.subject", field(before, s -> s.subject), field(after, s -> s.subject), FactChanges::subject, x -> null);
        one(out, "spec.clearance", field(before, s -> s.clearance), field(after, s -> s.clearance), FactChanges::clearance, x -> null);
        one(out, "spec.probation", field(before, s -> s.probation), field(after, s -> s.probation), FactChanges::probation, x -> null);
        one(out, "spec.deployApproval", field(before, s -> s.deployApproval), field(after, s -> s.deployApproval),
                FactChanges::approval, a -> a.approvedBy);
        many(out, "spec.shifts", list(before, s -> s.shifts), list(after, s -> s.shifts), FactChanges::shift, x -> null);
        many(out, "spec.exceptions", list(before, s -> s.exceptions), list(after, s -> s.exceptions), FactChanges::exception,
                e -> e.approvedBy);
        many(out, "spec.absences", list(before, s -> s.absences), list(after, s -> s.absences), FactChanges::absence, x -> null);
        return out;
    }

    private static <T> T field(EngineerAccessSpec spec, Function<EngineerAccessSpec, T> get) {
        return spec == null ? null : get.apply(spec);
    }

    private static <T> List<T> list(EngineerAccessSpec spec, Function<EngineerAccessSpec, List<T>> get) {
        List<T> l = spec == null ? null : get.apply(spec);
        return l == null ? List.of() : l;
    }

    private static <T> void one(List<Change> out, String path, T before, T after, Function<T, String> words,
            Function<T, String> approver) {
        if (before == null && after == null || same(before, after)) {
            return;
        }
        String kind = before == null ? "added" : after == null ? "removed" : "changed";
        T shown = after == null ? before : after;
        out.add(new Change(kind, path, words.apply(shown), approver.apply(shown)));
    }

    /** Entries compared as a whole: one in the new list not in the old is added; one in the old not in the new, removed. */
    private static <T> void many(List<Change> out, String path, List<T> before, List<T> after, Function<T, String> words,
            Function<T, String> approver) {
        List<JsonNode> old = new ArrayList<>(before.stream().map(FactChanges::tree).toList());
        List<JsonNode> now = new ArrayList<>(after.stream().map(FactChanges::tree).toList());
        for (int i = 0; i < after.size(); i++) {
            if (!old.remove(now.get(i))) {
                T e = after.get(i);
                out.add(new Change("added", path + "[" + i + "]", e == null ? "" : words.apply(e), e == null ? null : approver.apply(e)));
            }
        }
        List<JsonNode> remaining = new ArrayList<>(after.stream().map(FactChanges::tree).toList());
        for (int i = 0; i < before.size(); i++) {
            if (!remaining.remove(tree(before.get(i)))) {
                T e = before.get(i);
                out.add(new Change("removed", path + "[" + i + "]", e == null ? "" : words.apply(e),
                        e == null ? null : approver.apply(e)));
            }
        }
    }

    private static boolean same(Object a, Object b) {
        return Objects.equals(tree(a), tree(b));
    }

    private static JsonNode tree(Object o) {
        return JSON.valueToTree(o);
    }

    private static String subject(Subject s) {
        return s.kind + " " + Values.cut(s.name);
    }

    private static String clearance(Clearance c) {
        return c.level + (c.grantedOn == null ? "" : " from " + Values.cut(c.grantedOn));
    }

    private static String probation(Probation p) {
        return p.passedOn == null ? "not passed" : "passed on " + Values.cut(p.passedOn);
    }

    private static String approval(DeployApproval a) {
        List<String> missing = SpecReader.missing(a.confirmations);
        return "Deploy approved on " + Values.cut(a.approvedOn) + (missing.isEmpty() ? "" : ", not confirmed: " + String.join(", ", missing));
    }

    private static String shift(Shift s) {
        return s.role + " shift from " + Values.cut(s.startTime) + " until " + Values.cut(s.endTime)
                + (s.supervisor == null ? "" : ", supervised by " + Values.cut(s.supervisor));
    }

    private static String exception(AdminException e) {
        return "Admin by exception from " + Values.cut(e.startTime) + " until " + Values.cut(e.expiryTime)
                + (e.supervisor == null || e.supervisor.isBlank() ? ", with no supervisor" : ", supervised by " + Values.cut(e.supervisor))
                + ": \"" + Values.cut(e.businessCase) + "\"";
    }

    private static String absence(Absence a) {
        return "away from " + Values.cut(a.from) + (a.until == null ? ", not back yet" : " until " + Values.cut(a.until));
    }
}
