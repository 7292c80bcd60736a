package digital.govuk.access.rules;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The bounds of {@link digital.govuk.access.api.v1alpha1.Bounds}, checked the way the API server checks the
 * schema (lengths in Unicode characters), before anything else is done with the value.
 */
final class Bounded {
    private Bounded() {
    }

    /** Adds a problem and returns true when the value has more than {@code max} characters. */
    static boolean tooLong(String value, int max, String field, List<Problem> problems) {
        if (value == null || value.length() <= max) {
            return false;
        }
        int length = value.codePointCount(0, value.length());
        if (length <= max) {
            return false;
        }
        problems.add(new Problem(field, "must be at most " + max + " characters, not " + length));
        return true;
    }

    /** Adds a problem and returns true when the list or map has more than {@code max} entries. */
    static boolean tooMany(Object listOrMap, int max, String field, List<Problem> problems) {
        int size = listOrMap instanceof Collection<?> c ? c.size() : listOrMap instanceof Map<?, ?> m ? m.size() : 0;
        if (size <= max) {
            return false;
        }
        problems.add(new Problem(field, "must have at most " + max + " entries, not " + size));
        return true;
    }
}
