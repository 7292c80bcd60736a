package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * The chart's PrometheusRule: the alerts an on-call engineer gets, each with a summary, a description and a runbook
 * in docs/operations.md. What they fire on is tested with promtool (AlertRulesPromtoolTest); that they name metrics
 * the operator exports, against a running operator (MonitoringMetricsTest).
 */
class AlertsTest {
    @Test
    void offByDefault() {
        assertThat(Chart.render().has("PrometheusRule")).isFalse();
    }

    @Test
    void theAlertsTheirSeverityAndHowLongEachCondition() {
        assertThat(Monitoring.alerts(Monitoring.withRule(""))).extracting(Monitoring.Alert::name, a -> a.labels().get("severity"),
                Monitoring.Alert::forDuration).containsExactly(
                        tuple("EngineerAccessNoLeader", "critical", "1m"),
                        tuple("EngineerAccessPolicyInvalid", "warning", "1m"),
                        tuple("EngineerAccessTransitionLate", "warning", null),
                        tuple("EngineerAccessReconcileFailing", "warning", "5m"),
                        tuple("EngineerAccessOrphanedBindingRemoved", "warning", null),
                        tuple("EngineerAccessUnexplainedBindings", "warning", null),
                        tuple("EngineerAccessUnexplainedUnknown", "warning", "15m"),
                        tuple("EngineerAccessClockSkew", "warning", "2m"));
    }

    @Test
    void everyAlertSaysWhatHappenedAndNamesItsRunbookSection() {
        var anchors = Monitoring.operationsAnchors();
        for (Monitoring.Alert alert : Monitoring.alerts(Monitoring.withRule(""))) {
            assertThat(alert.annotations()).as(alert.name()).containsOnlyKeys("summary", "description", "runbook_url");
            assertThat(alert.annotations().get("summary")).as(alert.name()).isNotBlank().endsWith(".").hasSizeLessThan(120);
            assertThat(alert.annotations().get("description")).as(alert.name()).hasSizeGreaterThan(alert.annotations().get("summary").length());
            String section = alert.name().toLowerCase(java.util.Locale.ROOT);
            assertThat(alert.annotations().get("runbook_url")).as(alert.name()).isEqualTo("docs/operations.md#" + section);
            assertThat(anchors).as("docs/operations.md has a section titled %s", alert.name()).contains(section);
        }
    }

    @Test
    void everyMetricIsReadOnlyFromThisReleasesSeries() {
        for (String values : List.of("", "selector: 'job=\"ea-metrics\",cluster=\"prod\"'")) {
            String selector = values.isEmpty() ? "{namespace=\"engineer-access\"" : "{job=\"ea-metrics\",cluster=\"prod\"";
            for (Monitoring.Alert alert : Monitoring.alerts(Monitoring.withRule(values))) {
                var names = PromQl.metricNames(alert.expr());
                assertThat(names).as(alert.name()).isNotEmpty();
                for (String name : names) {
                    Matcher uses = Pattern.compile("\\b" + name + "\\b(.?)").matcher(alert.expr());
                    while (uses.find()) {
                        assertThat(alert.expr().substring(uses.start(1))).as("%s: each use of %s", alert.name(), name).startsWith(selector);
                    }
                }
            }
        }
    }

    @Test
    void thePlatformTeamsLabelsNamespaceAndRunbookAddressAreUsed() {
        Chart.Rendered r = Monitoring.withRule("""
                namespace: monitoring
                labels: {release: prometheus}
                annotations: {example.gov.uk/owner: platform}
                alertLabels: {team: platform, severity: page-everyone}
                runbookUrl: https://git.example.gov.uk/platform/engineer-access-operator/blob/v0.1.0/docs/operations.md
                """);
        GenericKubernetesResource rule = r.one("PrometheusRule", GenericKubernetesResource.class);
        assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus")
                .containsEntry("app.kubernetes.io/name", "engineer-access-operator");
        assertThat(rule.getMetadata().getAnnotations()).containsEntry("example.gov.uk/owner", "platform");
        List<Monitoring.Alert> alerts = Monitoring.alerts(r);
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.labels()).as("its own severity is kept").containsEntry("team", "platform")
                    .doesNotContainEntry("severity", "page-everyone");
            assertThat(a.annotations().get("runbook_url"))
                    .isEqualTo("https://git.example.gov.uk/platform/engineer-access-operator/blob/v0.1.0/docs/operations.md#"
                            + a.name().toLowerCase(java.util.Locale.ROOT));
            assertThat(a.expr()).as("in another namespace, the rule still reads the operator's").contains("namespace=\"engineer-access\"");
        });
        assertThat(Monitoring.alerts(Monitoring.withRule(""))).as("by default an alert's only label is its severity")
                .allSatisfy(a -> assertThat(a.labels()).containsOnlyKeys("severity"));
    }

    @Test
    void anEmptyRunbookAddressIsRefused() {
        assertThatThrownBy(() -> Monitoring.withRule("runbookUrl: ''"))
                .hasMessageContaining("metrics.prometheusRule.runbookUrl must say where docs/operations.md is read");
    }
}
