package digital.govuk.access.chart;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found without a PromQL parser: what is left of the expression once
 * strings, label matchers ({@code {...}}), ranges ({@code [...]}) and grouping label lists ({@code by (...)}) are
 * taken out, less numbers, Grafana variables, keywords, aggregations and anything called like a function.
 */
final class PromQl {
    private PromQl() {
    }

    /** Words that are PromQL but never a metric: operators, modifiers, aggregations, special values. */
    static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "atan2", "bool", "by", "without", "on", "ignoring",
            "group_left", "group_right", "offset", "inf", "nan", "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
            "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** The metric names {@code expr} reads, in order of first appearance. */
    static Set<String> metricNames(String expr) {
        String e = STRING.matcher(expr).replaceAll("\"\"");
        e = MATCHERS.matcher(e).replaceAll("{}");
        e = RANGE.matcher(e).replaceAll("[]");
        e = GROUPING.matcher(e).replaceAll("$1()");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            String word = m.group();
            char before = m.start() == 0 ? ' ' : e.charAt(m.start() - 1);
            if (Character.isDigit(before) || before == '.' || before == '$') {
                continue; // part of a number (1e3, 0x1f), a duration (5m) or a Grafana variable ($namespace)
            }
            if (KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT)) || calledAsFunction(e, m.end())) {
                continue;
            }
            names.add(word);
        }
        return names;
    }

    /** The next character after {@code from}, spaces skipped, is an opening parenthesis. */
    private static boolean calledAsFunction(String e, int from) {
        int i = from;
        while (i < e.length() && Character.isWhitespace(e.charAt(i))) {
            i++;
        }
        return i < e.length() && e.charAt(i) == '(';
    }

    /** The values a label is matched against with {@code =} in {@code expr}, e.g. every {@code le="..."}. */
    static Set<String> matchedValues(String expr, String label) {
        Set<String> values = new LinkedHashSet<>();
        Matcher m = Pattern.compile("[{,]\\s*" + Pattern.quote(label) + "\\s*=\\s*\"([^\"]*)\"").matcher(expr);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }
}
