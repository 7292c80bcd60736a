package digital.govuk.access.rules;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.Bounds;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.ExceptionApprover;
import digital.govuk.access.api.v1alpha1.NamespaceSelector;
import digital.govuk.access.api.v1alpha1.RoleTarget;
import digital.govuk.access.api.v1alpha1.SelectorOperator;
import digital.govuk.access.api.v1alpha1.SelectorRequirement;

/** Turns an AccessPolicy spec into an {@link EffectivePolicy}, or says what is wrong with it. */
public final class PolicyReader {

    /** The policy (null when there are problems) and the problems found. */
    public record Result(EffectivePolicy policy, List<Problem> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private PolicyReader() {
    }

    /** Reads a policy spec; {@code null} stands for "no AccessPolicy named default": all defaults. */
    public static Result read(AccessPolicySpec spec) {
        AccessPolicySpec s = spec == null ? new AccessPolicySpec() : spec;
        List<Problem> problems = new ArrayList<>();

        // The lists' bounds first: a policy over them is refused before any of their entries is read.
        Bounded.tooMany(s.techLeads, Bounds.TECH_LEADS, "spec.techLeads", problems);
        Bounded.tooMany(s.exceptionApprovers, Bounds.EXCEPTION_APPROVERS, "spec.exceptionApprovers", problems);
        selectorSizes(s.deploy, "spec.deploy.namespaceSelector", problems);
        selectorSizes(s.admin, "spec.admin.namespaceSelector", problems);
        if (!problems.isEmpty()) {
            return new Result(null, List.copyOf(problems));
        }

        ZoneId zone = null;
        String zoneName = s.timeZone == null ? EffectivePolicy.DEFAULT_ZONE : s.timeZone;
        if (!Bounded.tooLong(zoneName, Bounds.TIME_ZONE, "spec.timeZone", problems)) {
            try {
                zone = ZoneId.of(zoneName);
            } catch (DateTimeException e) {
                problems.add(new Problem("spec.timeZone", Values.quote(zoneName) + " is not a time zone name (for example Europe/London)"));
            }
        }

        ClearanceLevel required = s.requiredClearance == null ? ClearanceLevel.BPSS : s.requiredClearance;

        String deployRole = clusterRole(s.deploy, "spec.deploy", EffectivePolicy.DEFAULT_DEPLOY_ROLE, problems);
        LabelMatcher deployNs = selector(s.deploy == null ? null : s.deploy.namespaceSelector,
                "spec.deploy.namespaceSelector", EffectivePolicy.DEPLOY_LABEL, problems);
        String adminRole = clusterRole(s.admin, "spec.admin", EffectivePolicy.DEFAULT_ADMIN_ROLE, problems);
        LabelMatcher adminNs = selector(s.admin == null ? null : s.admin.namespaceSelector,
                "spec.admin.namespaceSelector", EffectivePolicy.ADMIN_LABEL, problems);
        boolean includeDeploy = s.admin == null || s.admin.includeDeploy == null || s.admin.includeDeploy;

        int minShadow = number(s.minShadowShifts, 1, 0, Bounds.SHIFT_COUNT, "spec.minShadowShifts", problems);
        int secondaries = number(s.secondaryShiftsBeforePrimary, 2, 0, Bounds.SHIFT_COUNT, "spec.secondaryShiftsBeforePrimary", problems);
        int longAbsence = number(s.longAbsenceDays, 42, 1, Bounds.LONG_ABSENCE_DAYS, "spec.longAbsenceDays", problems);
        int maxException = number(s.maxExceptionDays, 30, 1, Bounds.EXCEPTION_DAYS, "spec.maxExceptionDays", problems);
        boolean waive = s.exceptionsWaiveClearance != null && s.exceptionsWaiveClearance;
        boolean groups = s.allowGroupSubjects != null && s.allowGroupSubjects;

        Set<String> techLeads = new LinkedHashSet<>();
        List<String> leads = s.techLeads == null ? List.of() : s.techLeads;
        for (int i = 0; i < leads.size(); i++) {
            String field = "spec.techLeads[" + i + "]";
            if (Names.blank(leads.get(i))) {
                problems.add(new Problem(field, "must not be empty"));
            } else {
                String lead = Names.check(leads.get(i), field, problems);
                if (lead != null) {
                    techLeads.add(lead);
                }
            }
        }

        Map<String, ApproverRole> approvers = new LinkedHashMap<>();
        List<ExceptionApprover> list = s.exceptionApprovers == null ? List.of() : s.exceptionApprovers;
        for (int i = 0; i < list.size(); i++) {
            ExceptionApprover a = list.get(i);
            String field = "spec.exceptionApprovers[" + i + "]";
            if (a == null) {
                problems.add(new Problem(field, "must not be empty"));
                continue;
            }
            String name = null;
            if (Names.blank(a.name)) {
                problems.add(new Problem(field + ".name", "must not be empty"));
            } else {
                name = Names.check(a.name, field + ".name", problems);
            }
            if (a.role == null) {
                problems.add(new Problem(field + ".role", "is required: LeadDeveloper or HeadOfTechnology"));
            }
            if (name != null && a.role != null) {
                ApproverRole before = approvers.put(name, a.role);
                if (before != null && before != a.role) {
                    problems.add(new Problem(field + ".name", Values.quote(a.name) + " is listed twice with different roles"));
                }
            }
        }

        if (!problems.isEmpty()) {
            return new Result(null, List.copyOf(problems));
        }
        return new Result(new EffectivePolicy(zone, required, deployRole, deployNs, adminRole, includeDeploy, adminNs,
                minShadow, secondaries, longAbsence, maxException, waive, Set.copyOf(techLeads), Map.copyOf(approvers), groups),
                List.of());
    }

    private static String clusterRole(RoleTarget target, String field, String fallback, List<Problem> problems) {
        if (target == null || target.clusterRole == null) {
            return fallback;
        }
        if (!Bounded.tooLong(target.clusterRole, Bounds.CLUSTER_ROLE, field + ".clusterRole", problems)
                && !ObjectNames.isValidName(target.clusterRole)) {
            problems.add(new Problem(field + ".clusterRole", Values.quote(target.clusterRole) + " is not a valid ClusterRole name"));
        }
        return target.clusterRole;
    }

    private static LabelMatcher selector(NamespaceSelector selector, String field, String defaultLabel, List<Problem> problems) {
        if (selector == null) {
            return LabelMatcher.of(Map.of(defaultLabel, "true"));
        }
        Map<String, String> labels = selector.matchLabels == null ? Map.of() : selector.matchLabels;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (Names.blank(e.getKey())) {
                problems.add(new Problem(field + ".matchLabels", "a label key must not be empty"));
            } else if (e.getKey().codePointCount(0, e.getKey().length()) > Bounds.LABEL_KEY) {
                problems.add(new Problem(field + ".matchLabels", "the label key " + Values.quote(e.getKey())
                        + " is longer than " + Bounds.LABEL_KEY + " characters"));
            }
            if (e.getValue() == null) {
                problems.add(new Problem(field + ".matchLabels." + Values.cut(e.getKey()), "must have a value"));
            } else {
                Bounded.tooLong(e.getValue(), Bounds.LABEL_VALUE, field + ".matchLabels." + Values.cut(e.getKey()), problems);
            }
        }
        List<LabelMatcher.Expression> expressions = new ArrayList<>();
        List<SelectorRequirement> reqs = selector.matchExpressions == null ? List.of() : selector.matchExpressions;
        for (int i = 0; i < reqs.size(); i++) {
            SelectorRequirement r = reqs.get(i);
            String f = field + ".matchExpressions[" + i + "]";
            if (r == null || Names.blank(r.key)) {
                problems.add(new Problem(f + ".key", "must not be empty"));
                continue;
            }
            if (Bounded.tooLong(r.key, Bounds.LABEL_KEY, f + ".key", problems)) {
                continue;
            }
            if (r.operator == null) {
                problems.add(new Problem(f + ".operator", "is required: In, NotIn, Exists or DoesNotExist"));
                continue;
            }
            List<String> values = r.values == null ? List.of() : r.values;
            for (int v = 0; v < values.size(); v++) {
                Bounded.tooLong(values.get(v), Bounds.LABEL_VALUE, f + ".values[" + v + "]", problems);
            }
            boolean needsValues = r.operator == SelectorOperator.In || r.operator == SelectorOperator.NotIn;
            if (needsValues && values.isEmpty()) {
                problems.add(new Problem(f + ".values", "must list at least one value for " + r.operator));
            } else if (!needsValues && !values.isEmpty()) {
                problems.add(new Problem(f + ".values", "must be empty for " + r.operator));
            }
            expressions.add(new LabelMatcher.Expression(r.key, r.operator, new HashSet<>(values)));
        }
        LabelMatcher matcher = new LabelMatcher(Map.copyOf(withoutNulls(labels)), List.copyOf(expressions));
        if (matcher.selectsEverything()) {
            problems.add(new Problem(field, "is empty and would select every namespace; name the labels to select"));
        }
        return matcher;
    }

    private static Map<String, String> withoutNulls(Map<String, String> labels) {
        Map<String, String> copy = new LinkedHashMap<>();
        labels.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }

    private static int number(Integer value, int fallback, int min, int max, String field, List<Problem> problems) {
        if (value == null) {
            return fallback;
        }
        if (value < min) {
            problems.add(new Problem(field, "must be at least " + min + ", not " + value));
        } else if (value > max) {
            problems.add(new Problem(field, "must be at most " + max + ", not " + value));
        }
        return value;
    }

    /** The bounds of a namespace selector's lists, checked before any entry is read. */
    private static void selectorSizes(RoleTarget target, String field, List<Problem> problems) {
        NamespaceSelector selector = target == null ? null : target.namespaceSelector;
        if (selector == null) {
            return;
        }
        Bounded.tooMany(selector.matchLabels, Bounds.SELECTOR_TERMS, field + ".matchLabels", problems);
        if (!Bounded.tooMany(selector.matchExpressions, Bounds.SELECTOR_TERMS, field + ".matchExpressions", problems)
                && selector.matchExpressions != null) {
            for (int i = 0; i < selector.matchExpressions.size(); i++) {
                SelectorRequirement r = selector.matchExpressions.get(i);
                if (r != null) {
                    Bounded.tooMany(r.values, Bounds.SELECTOR_VALUES, field + ".matchExpressions[" + i + "].values", problems);
                }
            }
        }
    }
}
