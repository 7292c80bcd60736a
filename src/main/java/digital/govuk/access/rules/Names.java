package digital.govuk.access.rules;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

import digital.govuk.access.api.v1alpha1.Bounds;

/**
 * The one way names of people and groups are read and compared: the subject, deploy approvers, exception
 * approvers and supervisors, shift supervisors, tech leads and the policy's exception approvers.
 * <ul>
 * <li>A name is compared by its {@link #key}: Unicode NFKC (so a full-width {@code ｊａｎｅ} is {@code jane}),
 * lower case, without surrounding white space. They are usually e-mail addresses.</li>
 * <li>The engineer is known by every identifier recorded: the subject's name and {@code spec.email}. A check that
 * someone is not the engineer compares with all of them.</li>
 * <li>A name holding a character a reader cannot see (a zero-width space, a direction mark, a control
 * character...) is invalid: two names that look the same must compare the same, so such a name fails
 * closed rather than slipping past the self-approval check.</li>
 * </ul>
 */
final class Names {
    /** Kubernetes reserves names starting with this for its own users, groups and service accounts. */
    static final String SYSTEM_PREFIX = "system:";

    private Names() {
    }

    /** The name as compared; empty for null. */
    static String key(String name) {
        if (name == null) {
            return "";
        }
        String ascii = asciiKey(name);
        if (ascii != null) {
            return ascii;
        }
        String folded = Normalizer.normalize(name, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(folded, Normalizer.Form.NFKC).strip();
    }

    /**
     * Checks a name that is present: at most {@link Bounds#NAME} characters and no invisible characters.
     * Returns its {@link #key}, or null after adding a problem.
     */
    static String check(String name, String field, List<Problem> problems) {
        if (Bounded.tooLong(name, Bounds.NAME, field, problems)) {
            return null;
        }
        String ascii = asciiKey(name);
        if (ascii != null) {
            return ascii; // no printable ASCII character is invisible
        }
        for (int i = 0; i < name.length();) {
            int cp = name.codePointAt(i);
            if (Values.invisible(cp)) {
                problems.add(new Problem(field, "contains the invisible character " + String.format("U+%04X", cp)
                        + " (at character " + (name.codePointCount(0, i) + 1) + "); write the name in plain visible text"));
                return null;
            }
            i += Character.charCount(cp);
        }
        return key(name);
    }

    /**
     * Whether every character is printable ASCII, from space to {@code ~}: the common case, for which neither the
     * invisible-character check nor Unicode normalisation can change or refuse anything.
     */
    static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    /**
     * The key of a name all in printable ASCII, which NFKC leaves as it is: the general path's result without its
     * cost, and without lower-casing a name that has no capital letter. Null for any other name.
     */
    private static String asciiKey(String name) {
        boolean capitals = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < ' ' || c > '~') {
                return null;
            }
            capitals |= c >= 'A' && c <= 'Z';
        }
        return (capitals ? name.toLowerCase(Locale.ROOT) : name).strip();
    }

    /** Whether a name, as its {@link #key} gives it, is an e-mail address: it holds an {@code @}. */
    static boolean isAddress(String key) {
        return key.indexOf('@') >= 0;
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
