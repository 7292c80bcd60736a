package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The chart's alerts run by Prometheus' own rule engine: `promtool check rules` on the rendered PrometheusRule, and
 * `promtool test rules` with series shaped like the operator's, for each alert a case where it fires (with its
 * labels, and its summary and description as Prometheus fills them in) and cases where it must not. promtool comes
 * from Debian's prometheus package (scripts/promtool.sh installs it once).
 */
class AlertRulesPromtoolTest {
    static final String NS = "namespace=\"engineer-access\"";
    static final Map<String, String> HERE = Map.of("namespace", "engineer-access");

    @TempDir
    static Path dir;
    static String promtool;
    static Path rules;
    static Map<String, Monitoring.Alert> alerts;

    /** A series of the operator's, in promtool's notation: {@code 0x10} is 0 eleven times, {@code 0+1x10} counts up. */
    record Series(String series, String values) {
    }

    /** A case: these series, and at this instant exactly these alerts of this name, each with its labels and filled-in numbers. */
    record Case(String what, String alert, List<Series> input, String at, List<Fired> expected) {
        @Override
        public String toString() {
            return alert + ": " + what;
        }
    }

    /** An alert expected to fire: its labels beyond alertname, and what its annotations' {{ $value }} shows. */
    record Fired(Map<String, String> labels, String value) {
    }

    static Series s(String series, String values) {
        return new Series(series, values);
    }

    static Fired fired(String severity, String value, String... moreLabels) {
        Map<String, String> labels = new LinkedHashMap<>(HERE);
        labels.put("severity", severity);
        for (int i = 0; i < moreLabels.length; i += 2) {
            labels.put(moreLabels[i], moreLabels[i + 1]);
        }
        return new Fired(labels, value);
    }

    static Stream<Case> cases() {
        String leader = "engineer_access_leader{" + NS + ",pod=\"%s\"}";
        String valid = "engineer_access_policy_valid{" + NS + ",pod=\"%s\"}";
        String count = "engineer_access_transition_lateness_seconds_count{" + NS + "}";
        String bucket = "engineer_access_transition_lateness_seconds_bucket{" + NS + ",le=\"%s\"}";
        String failures = "engineer_access_reconcile_failures_total{" + NS + ",cause=\"%s\"}";
        String orphans = "engineer_access_orphans_removed_total{" + NS + "}";
        String unexplained = "engineer_access_unexplained_bindings{namespace=\"%s\"}";
        String skew = "engineer_access_clock_skew_seconds{" + NS + "}";
        return Stream.of(
                new Case("a leader and a standby", "EngineerAccessNoLeader",
                        List.of(s(leader.formatted("a"), "1x10"), s(leader.formatted("b"), "0x10")), "4m", List.of()),
                new Case("both pods standby for more than a minute", "EngineerAccessNoLeader",
                        List.of(s(leader.formatted("a"), "0x10"), s(leader.formatted("b"), "0x10")), "2m", List.of(fired("critical", null))),
                new Case("both pods standby for 30 s, a hand-over", "EngineerAccessNoLeader",
                        List.of(s(leader.formatted("a"), "1 0 1x8"), s(leader.formatted("b"), "0x10")), "2m", List.of()),
                new Case("no pod of this release scraped, only another namespace's", "EngineerAccessNoLeader",
                        List.of(s("engineer_access_leader{namespace=\"other\",pod=\"x\"}", "1x10")), "2m", List.of(fired("critical", null))),

                new Case("the leader says invalid, a standby still says valid", "EngineerAccessPolicyInvalid",
                        List.of(s(valid.formatted("a"), "0x10"), s(valid.formatted("b"), "1x10")), "2m", List.of(fired("warning", null))),
                new Case("invalid for 30 s, then fixed", "EngineerAccessPolicyInvalid",
                        List.of(s(valid.formatted("a"), "1 0 1x8")), "2m", List.of()),
                new Case("valid", "EngineerAccessPolicyInvalid", List.of(s(valid.formatted("a"), "1x10")), "2m", List.of()),

                new Case("a change 90 s late (beyond the 60 s bucket)", "EngineerAccessTransitionLate",
                        List.of(s(count, "0 0 1x10"), s(bucket.formatted("30.0"), "0x11"), s(bucket.formatted("60.0"), "0x11"),
                                s(bucket.formatted("+Inf"), "0 0 1x10")),
                        "2m", List.of(fired("warning", "1"))),
                new Case("a change 40 s late (within 60 s)", "EngineerAccessTransitionLate",
                        List.of(s(count, "0 0 1x10"), s(bucket.formatted("30.0"), "0x11"), s(bucket.formatted("60.0"), "0 0 1x10"),
                                s(bucket.formatted("+Inf"), "0 0 1x10")),
                        "2m", List.of()),
                new Case("a late change more than 10 minutes ago", "EngineerAccessTransitionLate",
                        List.of(s(count, "0 1x40"), s(bucket.formatted("60.0"), "0x40"), s(bucket.formatted("+Inf"), "0 1x40")),
                        "15m", List.of()),

                new Case("the API server out of reach, retried every 30 s", "EngineerAccessReconcileFailing",
                        List.of(s(failures.formatted("unreachable"), "0+1x30"), s(failures.formatted("refused"), "0x30")), "6m",
                        List.of(fired("warning", null, "cause", "unreachable"))),
                new Case("failing for under 5 minutes", "EngineerAccessReconcileFailing",
                        List.of(s(failures.formatted("unreachable"), "0+1x30")), "4m", List.of()),
                new Case("one failure, then success", "EngineerAccessReconcileFailing",
                        List.of(s(failures.formatted("name-conflict"), "0 1x29")), "6m", List.of()),

                new Case("one orphaned binding removed", "EngineerAccessOrphanedBindingRemoved",
                        List.of(s(orphans, "0x5 1x40")), "5m", List.of(fired("warning", "1"))),
                new Case("one removed 20 minutes ago", "EngineerAccessOrphanedBindingRemoved",
                        List.of(s(orphans, "0x5 1x50")), "23m", List.of()),
                new Case("none removed", "EngineerAccessOrphanedBindingRemoved", List.of(s(orphans, "0x20")), "5m", List.of()),

                new Case("two bindings made by hand", "EngineerAccessUnexplainedBindings",
                        List.of(s(unexplained.formatted("engineer-access"), "2x10")), "1m", List.of(fired("warning", "2"))),
                new Case("none here, three in another release's namespace", "EngineerAccessUnexplainedBindings",
                        List.of(s(unexplained.formatted("engineer-access"), "0x10"), s(unexplained.formatted("other"), "3x10")), "1m",
                        List.of()),

                new Case("no look for 30 minutes, the policy valid", "EngineerAccessUnexplainedUnknown",
                        List.of(s(unexplained.formatted("engineer-access"), nan(70)), s(valid.formatted("a"), "1x70")), "30m",
                        List.of(fired("warning", null))),
                new Case("not known for 10 minutes, then a look", "EngineerAccessUnexplainedUnknown",
                        List.of(s(unexplained.formatted("engineer-access"), nan(20) + " 0x50"), s(valid.formatted("a"), "1x70")), "30m",
                        List.of()),
                new Case("not known while the policy is missing, which its own alert says", "EngineerAccessUnexplainedUnknown",
                        List.of(s(unexplained.formatted("engineer-access"), nan(70)), s(valid.formatted("a"), "0x70")), "30m", List.of()),
                new Case("another release's not known", "EngineerAccessUnexplainedUnknown",
                        List.of(s(unexplained.formatted("engineer-access"), "0x70"), s(unexplained.formatted("other"), nan(70)),
                                s(valid.formatted("a"), "1x70")), "30m", List.of()),

                new Case("the operator 1.5 s ahead of the API server", "EngineerAccessClockSkew",
                        List.of(s(skew, "-1.5x10")), "3m", List.of(fired("warning", "1.5"))),
                new Case("skewed for a minute only", "EngineerAccessClockSkew", List.of(s(skew, "-1.5x10")), "1m", List.of()),
                new Case("0.4 s apart", "EngineerAccessClockSkew", List.of(s(skew, "0.4x10")), "3m", List.of()),
                new Case("not measured yet (NaN)", "EngineerAccessClockSkew", List.of(s(skew, nan(10))), "3m", List.of()));
    }

    /** {@code n} samples of NaN: a gauge that says it does not know. */
    static String nan(int n) {
        return "NaN ".repeat(n).strip();
    }

    @BeforeAll
    static void renderTheRulesAndFindPromtool() throws Exception {
        Chart.Rendered r = Monitoring.withRule("");
        alerts = Monitoring.alerts(r).stream().collect(Collectors.toMap(Monitoring.Alert::name, a -> a));
        rules = dir.resolve("rules.yaml");
        new YAMLMapper().writeValue(rules.toFile(), Monitoring.ruleFile(r));
        Process p = new ProcessBuilder("scripts/promtool.sh").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0).as("scripts/promtool.sh: %s", out).isTrue();
        promtool = out.lines().reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void promtoolAcceptsTheRuleFile() throws Exception {
        Result check = run(promtool, "check", "rules", rules.toString());
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts.size() + " rules found");
    }

    @Test
    void everyAlertHasACaseWhereItFiresAndOneWhereItMustNot() {
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        cases().forEach(c -> (c.expected().isEmpty() ? quiet : firing).add(c.alert()));
        assertThat(firing).isEqualTo(alerts.keySet().stream().collect(Collectors.toCollection(TreeSet::new)));
        assertThat(quiet).isEqualTo(firing);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theAlertFiresExactlyWhenItShould(Case c) throws Exception {
        Monitoring.Alert alert = alerts.get(c.alert());
        assertThat(alert).as("an alert named %s", c.alert()).isNotNull();
        List<Map<String, Object>> expected = new ArrayList<>();
        for (Fired f : c.expected()) {
            expected.add(Map.of("exp_labels", f.labels(), "exp_annotations", filledIn(alert.annotations(), f)));
        }
        Map<String, Object> test = Map.of("rule_files", List.of(rules.toString()), "evaluation_interval", "30s", "tests", List.of(Map.of(
                "interval", "30s",
                "input_series", c.input().stream().map(s -> Map.of("series", s.series(), "values", s.values())).toList(),
                "alert_rule_test", List.of(Map.of("eval_time", c.at(), "alertname", c.alert(), "exp_alerts", expected)))));
        Path file = dir.resolve("test-" + Integer.toHexString(c.toString().hashCode()) + ".yaml");
        new YAMLMapper().writeValue(file.toFile(), test);

        Result run = run(promtool, "test", "rules", file.toString());
        assertThat(run.exit()).as("promtool test rules %s:\n%s", file, run.output()).isZero();
    }

    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{ \\$value \\| printf \"(%\\.\\df)\" }}|\\{\\{ \\$labels\\.(\\w+) }}");

    /** The annotations as Prometheus fills them in for this alert: {{ $value | printf ... }} and {{ $labels.X }}. */
    static Map<String, String> filledIn(Map<String, String> annotations, Fired f) {
        Map<String, String> out = new LinkedHashMap<>();
        annotations.forEach((key, text) -> {
            Matcher m = TEMPLATE.matcher(text);
            StringBuilder filled = new StringBuilder();
            while (m.find()) {
                String value = m.group(1) != null ? String.format(java.util.Locale.ROOT, m.group(1), Double.parseDouble(f.value()))
                        : f.labels().get(m.group(2));
                m.appendReplacement(filled, Matcher.quoteReplacement(value));
            }
            m.appendTail(filled);
            assertThat(filled.toString()).as("%s: a template this test does not fill in", key).doesNotContain("{{");
            out.put(key, filled.toString());
        });
        return out;
    }

    record Result(int exit, String output) {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out);
    }
}
