package digital.govuk.access.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The EngineerAccess name is used in RoleBinding names and as the value of the label
 * {@code access.govuk.digital/engineer}, so it must also be a valid label value: at most 63 characters.
 */
public final class EngineerNames {
    private static final Pattern LABEL_VALUE = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

    private EngineerNames() {
    }

    public static List<Problem> problems(String name) {
        List<Problem> problems = new ArrayList<>(1);
        if (name == null || name.isEmpty()) {
            problems.add(new Problem("metadata.name", "is required"));
        } else if (name.length() > 63) {
            problems.add(new Problem("metadata.name", "must be at most 63 characters, because it is used as a label value on the RoleBindings"));
        } else if (!LABEL_VALUE.matcher(name).matches()) {
            problems.add(new Problem("metadata.name", Values.quote(name) + " must be lower case letters, digits, '-' and '.', starting and ending with a letter or digit"));
        }
        return problems;
    }
}
