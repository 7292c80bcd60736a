package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Every metric the chart's alerts and dashboard read is one the operator exports: the truth is the operator itself,
 * started against the mock API server and scraped on its management port, as Prometheus scrapes it. Renaming a
 * metric in the code (or in a query) fails this test, so no alert can silently watch a series that never exists.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MonitoringMetricsTest {
    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    /** The metric names of one scrape, read once for the class. */
    static Set<String> exported;
    /** {@code le} bounds of each histogram, from its _bucket series. */
    static Map<String, Set<String>> buckets;

    /** Where each metric name the chart uses appears. */
    static Map<String, List<String>> used() {
        Map<String, List<String>> used = new LinkedHashMap<>();
        for (Monitoring.Alert alert : Monitoring.alerts(Monitoring.withRule(""))) {
            for (String name : PromQl.metricNames(alert.expr())) {
                used.computeIfAbsent(name, k -> new ArrayList<>()).add("alert " + alert.name());
            }
        }
        for (Monitoring.Query query : Monitoring.dashboardQueries(Monitoring.dashboard())) {
            for (String name : PromQl.metricNames(query.expr())) {
                used.computeIfAbsent(name, k -> new ArrayList<>()).add("dashboard " + query.where());
            }
        }
        return used;
    }

    @BeforeEach
    void scrape() throws Exception {
        if (exported != null) {
            return;
        }
        Set<String> wanted = new TreeSet<>(used().keySet());
        // Some series appear with the operator's first requests: wait a while for them, then take what is there
        // (a metric still missing is then named by the test that needs it).
        try {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                read();
                return exported.containsAll(wanted);
            });
        } catch (ConditionTimeoutException e) {
            read();
        }
    }

    void read() throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics.toURI()).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Set<String> names = new TreeSet<>();
        Map<String, Set<String>> les = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String name = line.split("[{ ]", 2)[0];
            names.add(name);
            if (name.endsWith("_bucket")) {
                PromQl.matchedValues(line, "le").forEach(le -> les.computeIfAbsent(name, k -> new TreeSet<>()).add(le));
            }
        }
        exported = names;
        buckets = les;
    }

    @Test
    void theScrapeIsTheOperatorsPrometheusEndpoint() {
        assertThat(metrics.getPath()).isEqualTo("/q/metrics");
        assertThat(exported).as("the operator's own metrics, by their Prometheus names").contains("engineer_access_engineers",
                "engineer_access_transition_lateness_seconds_bucket", "engineer_access_api_requests_total");
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardReadIsExported() {
        Map<String, List<String>> notExported = new LinkedHashMap<>();
        used().forEach((name, where) -> {
            if (!exported.contains(name)) {
                notExported.put(name, where);
            }
        });
        assertThat(notExported).as("metrics read by the chart that the operator does not export (it exports: %s)",
                exported.stream().filter(n -> n.startsWith("engineer_access_")).toList()).isEmpty();
        assertThat(used()).as("every metric of the alerts and dashboard is the operator's").allSatisfy((name, where) ->
                assertThat(name).startsWith("engineer_access_"));
    }

    @Test
    void everyHistogramBoundTheAlertsNameIsABucketTheOperatorHas() {
        int checked = 0;
        for (Monitoring.Alert alert : Monitoring.alerts(Monitoring.withRule(""))) {
            for (String le : PromQl.matchedValues(alert.expr(), "le")) {
                String bucket = PromQl.metricNames(alert.expr()).stream().filter(n -> n.endsWith("_bucket")).findFirst().orElseThrow();
                assertThat(buckets.get(bucket)).as("%s: le=\"%s\" of %s", alert.name(), le, bucket).contains(le);
                checked++;
            }
        }
        assertThat(checked).as("the lateness alert's 60 s bound").isEqualTo(1);
    }

    @Test
    void aRenamedMetricWouldBeCaught() {
        String renamed = Monitoring.alerts(Monitoring.withRule("")).stream().filter(a -> a.name().equals("EngineerAccessClockSkew"))
                .findFirst().orElseThrow().expr().replace("engineer_access_clock_skew_seconds", "engineer_access_clock_skew");
        assertThat(PromQl.metricNames(renamed)).containsExactly("engineer_access_clock_skew");
        assertThat(exported).as("Micrometer's name without its unit is not what Prometheus sees").doesNotContain("engineer_access_clock_skew");
    }

    @Test
    void theNoLeaderAlertAndTheLeaderPanelReadTheLeaderGauge() {
        assertThat(used()).as("the no-leader alert and the leader panel").containsKey("engineer_access_leader");
        assertThat(exported).contains("engineer_access_leader");
    }
}
