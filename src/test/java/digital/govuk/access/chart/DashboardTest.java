package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMap;

/**
 * The chart's Grafana dashboard: valid JSON with the panels an on-call engineer looks at, every query reading one
 * namespace's series through the dashboard's data source, shipped unchanged in a ConfigMap for Grafana's sidecar.
 * That every query names a metric the operator exports is checked against a running operator (MonitoringMetricsTest).
 */
class DashboardTest {
    static final String ON = "metrics: {dashboard: {enabled: true}}";

    @Test
    void offByDefault() {
        assertThat(Chart.render().has("ConfigMap")).isFalse();
    }

    @Test
    void theConfigMapHoldsTheFileUnchangedWithTheSidecarsLabel() throws IOException {
        ConfigMap map = Chart.render(ON, null).one("ConfigMap", ConfigMap.class);
        assertThat(map.getMetadata().getName()).isEqualTo("engineer-access-operator-dashboard");
        assertThat(map.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1")
                .containsEntry("app.kubernetes.io/name", "engineer-access-operator");
        assertThat(map.getData()).containsOnlyKeys("engineer-access.json");
        assertThat(map.getData().get("engineer-access.json")).isEqualTo(Files.readString(Monitoring.DASHBOARD));
    }

    @Test
    void aPlatformTeamsNamespaceLabelsAndFolderAreUsed() {
        ConfigMap map = Chart.render("""
                metrics:
                  dashboard:
                    enabled: true
                    namespace: monitoring
                    labels: {team: platform}
                    annotations: {grafana_folder: Platform}
                """, null).one("ConfigMap", ConfigMap.class);
        assertThat(map.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(map.getMetadata().getLabels()).containsEntry("team", "platform").containsEntry("grafana_dashboard", "1");
        assertThat(map.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Platform");
    }

    @Test
    void itHasThePanelsOnCallNeeds() {
        JsonNode d = Monitoring.dashboard();
        assertThat(d.path("uid").asText()).isEqualTo("engineer-access-operator");
        assertThat(d.path("title").asText()).isNotBlank();
        assertThat(Monitoring.panels(d)).extracting(p -> p.path("title").asText()).contains("Leader", "AccessPolicy valid",
                "Engineers by level", "Grants, revocations and expiries", "Transition lateness", "Transition lateness quantiles",
                "API requests by code", "Reconcile failures by cause");
        assertThat(Monitoring.panels(d)).filteredOn(p -> p.path("title").asText().equals("Transition lateness")).singleElement()
                .satisfies(p -> {
                    assertThat(p.path("type").asText()).isEqualTo("heatmap");
                    assertThat(p.path("targets").get(0).path("format").asText()).isEqualTo("heatmap");
                    assertThat(p.path("targets").get(0).path("expr").asText()).contains("_bucket").contains("by (le)");
                });
        assertThat(Monitoring.panels(d)).allSatisfy(p -> assertThat(p.path("description").asText()).as(p.path("title").asText())
                .isNotBlank());
    }

    @Test
    void everyQueryReadsTheChosenNamespaceThroughTheChosenDataSource() {
        JsonNode d = Monitoring.dashboard();
        assertThat(d.path("templating").path("list")).extracting(v -> v.path("name").asText()).containsExactly("datasource", "namespace");
        List<Monitoring.Query> queries = Monitoring.dashboardQueries(d);
        assertThat(queries).hasSizeGreaterThan(10);
        for (Monitoring.Query q : queries) {
            Set<String> names = PromQl.metricNames(q.expr());
            assertThat(names).as("%s: %s", q.where(), q.expr()).isNotEmpty();
            if (q.where().startsWith("panel")) {
                for (String name : names) {
                    assertThat(q.expr()).as("%s reads %s of the chosen namespace", q.where(), name).contains(name + "{namespace=~\"$namespace\"}");
                }
            }
        }
        for (JsonNode p : Monitoring.panels(d)) {
            assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
            assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}"));
        }
    }

    @Test
    void panelsHaveUniqueIdsAndDoNotOverlap() {
        List<JsonNode> panels = Monitoring.panels(Monitoring.dashboard());
        Set<Integer> ids = new TreeSet<>();
        List<String> overlaps = new ArrayList<>();
        for (int i = 0; i < panels.size(); i++) {
            assertThat(ids.add(panels.get(i).path("id").asInt())).as("id of %s", panels.get(i).path("title")).isTrue();
            JsonNode a = panels.get(i).path("gridPos");
            assertThat(a.path("x").asInt() + a.path("w").asInt()).as("%s fits the 24 columns", panels.get(i).path("title")).isLessThanOrEqualTo(24);
            for (int j = 0; j < i; j++) {
                JsonNode b = panels.get(j).path("gridPos");
                if (a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt() && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                        && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt() && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt()) {
                    overlaps.add(panels.get(i).path("title").asText() + " / " + panels.get(j).path("title").asText());
                }
            }
        }
        assertThat(overlaps).isEmpty();
    }
}
