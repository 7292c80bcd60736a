package digital.govuk.access.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the chart gives a platform team to watch the operator with: the alerts of its PrometheusRule and the
 * queries of its Grafana dashboard, read from what the chart renders.
 */
final class Monitoring {
    /** The dashboard's JSON, as shipped in the chart. */
    static final Path DASHBOARD = Chart.DIR.resolve("dashboards/engineer-access.json");
    /** The runbooks the alerts point at. */
    static final Path OPERATIONS = Path.of("docs/operations.md");

    private Monitoring() {
    }

    /** One alerting rule, as rendered. */
    record Alert(String name, String expr, String forDuration, Map<String, String> labels, Map<String, String> annotations) {
    }

    /** The chart rendered with the PrometheusRule on, and these further values of {@code metrics.prometheusRule} (YAML). */
    static Chart.Rendered withRule(String ruleValues) {
        return Chart.render("metrics:\n  prometheusRule:\n    enabled: true\n" + ruleValues.indent(4), null);
    }

    @SuppressWarnings("unchecked")
    static List<Alert> alerts(Chart.Rendered r) {
        List<Map<String, Object>> rules = r.ofKind("PrometheusRule");
        if (rules.size() != 1) {
            throw new AssertionError("expected one PrometheusRule, found " + rules.size());
        }
        List<Alert> alerts = new ArrayList<>();
        Map<String, Object> spec = (Map<String, Object>) rules.get(0).get("spec");
        for (Map<String, Object> group : (List<Map<String, Object>>) spec.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                alerts.add(new Alert((String) rule.get("alert"), String.valueOf(rule.get("expr")), (String) rule.get("for"),
                        (Map<String, String>) rule.getOrDefault("labels", Map.of()),
                        (Map<String, String>) rule.getOrDefault("annotations", Map.of())));
            }
        }
        return alerts;
    }

    /** The rendered PrometheusRule's spec ({@code groups}): a Prometheus rule file as it stands. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> ruleFile(Chart.Rendered r) {
        return (Map<String, Object>) r.ofKind("PrometheusRule").get(0).get("spec");
    }

    /** The dashboard JSON as shipped. */
    static JsonNode dashboard() {
        try {
            return new ObjectMapper().readTree(Files.readString(DASHBOARD));
        } catch (IOException e) {
            throw new UncheckedIOException(DASHBOARD + " is not valid JSON", e);
        }
    }

    /** One query of the dashboard: the panel (or variable) it belongs to, and its PromQL. */
    record Query(String where, String expr) {
    }

    /** Every PromQL query of the dashboard: panel targets, in rows too, and the template variables' queries. */
    static List<Query> dashboardQueries(JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Query("panel \"" + panel.path("title").asText() + "\"", target.path("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode q = variable.path("query");
                String query = q.isTextual() ? q.asText() : q.path("query").asText();
                // Grafana's label_values(SERIES, LABEL): the label is not a metric.
                String series = query.replaceFirst("^\\s*label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$", "$1");
                out.add(new Query("variable $" + variable.path("name").asText(), series));
            }
        }
        return out;
    }

    /** The dashboard's panels, those inside collapsed rows included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add);
        }
        return out;
    }

    /** The headings' anchors in docs/operations.md, as GitHub makes them. */
    static Set<String> operationsAnchors() {
        try {
            Set<String> anchors = new TreeSet<>();
            for (String line : Files.readAllLines(OPERATIONS)) {
                if (line.startsWith("#")) {
                    anchors.add(anchor(line.replaceFirst("^#+\\s*", "")));
                }
            }
            return anchors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GitHub's anchor for a heading: lower case, spaces to hyphens, other punctuation dropped. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
