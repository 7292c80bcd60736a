package digital.govuk.access.rules;

import java.util.List;
import java.util.Map;
import java.util.Set;

import digital.govuk.access.api.v1alpha1.SelectorOperator;

/**
 * A checked namespace label selector. Matching is done here rather than by the API server so that the
 * operator, the offline plan and the tests agree, and so that set-based expressions work everywhere.
 */
public record LabelMatcher(Map<String, String> matchLabels, List<Expression> expressions) {

    /** One checked expression. {@code values} is empty for Exists and DoesNotExist. */
    public record Expression(String key, SelectorOperator operator, Set<String> values) {
    }

    public static LabelMatcher of(Map<String, String> labels) {
        return new LabelMatcher(Map.copyOf(labels), List.of());
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> have = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> wanted : matchLabels.entrySet()) {
            if (!wanted.getValue().equals(have.get(wanted.getKey()))) {
                return false;
            }
        }
        for (Expression e : expressions) {
            String value = have.get(e.key());
            boolean ok = switch (e.operator()) {
                case In -> value != null && e.values().contains(value);
                case NotIn -> value == null || !e.values().contains(value);
                case Exists -> have.containsKey(e.key());
                case DoesNotExist -> !have.containsKey(e.key());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether this selector selects nothing at all (no labels and no expressions would select everything). */
    public boolean selectsEverything() {
        return matchLabels.isEmpty() && expressions.isEmpty();
    }
}
