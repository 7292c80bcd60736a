package digital.govuk.access.rules;

import java.util.List;
import java.util.Locale;

import digital.govuk.access.api.v1alpha1.Bounds;

/** How people's names are compared: trimmed and case-insensitive, since they are usually e-mail addresses. */
final class Names {
    private Names() {
    }

    static String normalise(String name) {
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Checks a name that is present: at most {@link Bounds#NAME} characters. Returns it normalised, or null
     * after adding a problem.
     */
    static String check(String name, String field, List<Problem> problems) {
        return Bounded.tooLong(name, Bounds.NAME, field, problems) ? null : normalise(name);
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
