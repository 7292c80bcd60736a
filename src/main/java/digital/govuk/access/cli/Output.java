package digital.govuk.access.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Unmet;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;
import digital.govuk.access.status.StatusBuilder;

/** Prints a plan as a table or as JSON. */
final class Output {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Output() {
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON", e);
        }
    }

    /** A {@code v1 List} of the EngineerAccess objects with their status. */
    static Map<String, Object> list(Plan.Result plan) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("apiVersion", "v1");
        list.put("kind", "List");
        List<EngineerAccess> items = plan.engineers().values().stream().map(Plan.Engineer::resource).collect(Collectors.toList());
        list.put("items", items);
        return list;
    }

    static String table(Plan.Result plan, Instant at) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "ENGINEER", "LEVEL", "SUPERVISED", "EXPIRES", "NEXT", "NAMESPACES", "WHY NOT MORE"});
        for (Plan.Engineer e : plan.engineers().values()) {
            EngineerAccessStatus s = e.resource().getStatus();
            String namespaces = namespaces(e.bindings());
            rows.add(new String[] {e.name().isEmpty() ? "(no name)" : e.name(),
                    e.resource().getSpec() == null ? "-" : nullToDash(Values.cut(e.resource().getSpec().fullName)),
                    String.valueOf(s.level), Boolean.TRUE.equals(s.supervised) ? "yes" : "no", nullToDash(s.accessExpiryTime),
                    nullToDash(s.nextTransitionTime), namespaces.isEmpty() ? "-" : namespaces, why(e)});
        }
        return "Access at " + StatusBuilder.shown(at) + "\n" + aligned(rows);
    }

    /** Rows as columns two spaces apart, the first row the header; the last column is not padded. */
    static String aligned(List<String[]> rows) {
        StringBuilder out = new StringBuilder();
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /**
     * Text from the manifests made safe in markdown: characters that would format, link or break a table are
     * escaped, and a new line is a space (a comment must not turn a name into a link or a heading).
     */
    static String md(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char ch : text.toCharArray()) {
            if (ch == '\n' || ch == '\r') {
                out.append(' ');
            } else if ("\\`*_[]<>|#!~".indexOf(ch) >= 0) {
                out.append('\\').append(ch);
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /**
     * The bindings by namespace, one entry per namespace with its levels in order:
     * {@code apps(deploy+admin) platform(admin)}.
     */
    static String namespaces(List<DesiredBinding> bindings) {
        Map<String, List<String>> byNamespace = new TreeMap<>();
        for (DesiredBinding b : bindings) {
            List<String> levels = byNamespace.computeIfAbsent(b.namespace(), k -> new ArrayList<>());
            if (!levels.contains(b.level())) {
                levels.add(b.level());
            }
        }
        return byNamespace.entrySet().stream()
                .map(en -> en.getKey() + "(" + en.getValue().stream()
                        .sorted(Comparator.comparing((String l) -> l.equals(ManagedBindings.DEPLOY) ? 0 : 1).thenComparing(l -> l))
                        .collect(Collectors.joining("+")) + ")")
                .collect(Collectors.joining(" "));
    }

    private static String why(Plan.Engineer e) {
        if (e.decision() == null) {
            return "policy invalid: access frozen";
        }
        if (!e.decision().specValid()) {
            return "invalid: " + StatusBuilder.summary(e.decision().problems().stream().map(Problem::toString).toList());
        }
        List<Unmet> unmet = e.decision().unmet();
        if (unmet.isEmpty()) {
            return "-";
        }
        return unmet.stream().map(u -> u.level + ":" + u.code).distinct().collect(Collectors.joining(" "));
    }

    private static String nullToDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
