package digital.govuk.access.rules;

import java.util.Locale;

/** How people's names are compared: trimmed and case-insensitive, since they are usually e-mail addresses. */
final class Names {
    private Names() {
    }

    static String normalise(String name) {
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
