package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The metric names found in PromQL: the check of the chart's alerts and dashboard is only as good as this. */
class PromQlTest {
    static Stream<Arguments> expressions() {
        return Stream.of(
                Arguments.of("up", new String[] {"up"}),
                Arguments.of("a_total{code=~\"5..\", verb!=\"get\"}", new String[] {"a_total"}),
                Arguments.of("rate(a_total[5m])", new String[] {"a_total"}),
                Arguments.of("sum by (le, namespace) (rate(h_bucket{namespace=\"x\"}[$__rate_interval]))", new String[] {"h_bucket"}),
                Arguments.of("sum(rate(h_bucket[5m])) by (le)", new String[] {"h_bucket"}),
                Arguments.of("histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))", new String[] {"h_bucket"}),
                Arguments.of("max by (namespace) (leader{namespace=\"ns\"}) < 1 or absent(leader{namespace=\"ns\"})",
                        new String[] {"leader"}),
                Arguments.of("a - on (pod) group_left (node) b", new String[] {"a", "b"}),
                Arguments.of("a unless ignoring(x) b and c", new String[] {"a", "b", "c"}),
                Arguments.of("count_values(\"v\", a) > bool 1e3", new String[] {"a"}),
                Arguments.of("topk(5, a offset 1h30m)", new String[] {"a"}),
                Arguments.of("label_replace(a, \"dst\", \"$1\", \"src\", \"(.*) b\")", new String[] {"a"}),
                Arguments.of("increase(a_count{le=\"60.0\"}[10m]) - increase(a_bucket{le=\"60.0\"}[10m]) > 0x10",
                        new String[] {"a_count", "a_bucket"}),
                Arguments.of("a{job=\"$job\"} / ignoring(le) b{namespace=~\"$namespace\"} * $scale", new String[] {"a", "b"}),
                Arguments.of("abs(a) > Inf or b == NaN", new String[] {"a", "b"}),
                Arguments.of("sum without (instance) (a)\n  / sum (b)", new String[] {"a", "b"}),
                Arguments.of("{__name__=\"hidden\"}", new String[] {}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void findsTheMetricsAndNothingElse(String expr, String[] names) {
        assertThat(PromQl.metricNames(expr)).containsExactly(names);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void aRenamedMetricIsSeen(String expr, String[] names) {
        for (String name : names) {
            String renamed = expr.replaceAll("\\b" + name + "\\b", name + "_renamed");
            assertThat(PromQl.metricNames(renamed)).contains(name + "_renamed").doesNotContain(name);
        }
    }

    @org.junit.jupiter.api.Test
    void matchedLabelValuesAreFound() {
        assertThat(PromQl.matchedValues("a{namespace=\"x\",le=\"60.0\"} - b{ le = \"1.0\"} + c{le=~\"9\"}", "le"))
                .containsExactly("60.0", "1.0");
    }
}
