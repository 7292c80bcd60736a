package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import digital.govuk.access.api.CrdFiles;

/**
 * The chart installs and upgrades the CRDs as templates (Helm never upgrades a chart's crds/ folder), made by
 * {@code make crds} from the top-level crds/: each template must be exactly what CrdFiles makes of its file, and
 * what Helm renders from it must be that CRD, with only the chart's labels and the keep annotation added.
 */
class ChartCrdsTest {
    static final Path TOP_LEVEL = Path.of("crds");

    @Test
    void eachCrdTemplateIsMadeFromTheTopLevelCrd() throws IOException {
        assertThat(CrdFiles.chartTemplates()).as("the chart's CRD templates differ from crds/; run `make crds`")
                .containsExactlyElementsOf(CrdFiles.files(TOP_LEVEL).stream().map(CrdFiles::chartTemplate).toList());
        for (Path crd : CrdFiles.files(TOP_LEVEL)) {
            assertThat(Files.readString(CrdFiles.chartTemplate(crd)))
                    .as("%s differs from what crds/%s makes; run `make crds`", CrdFiles.chartTemplate(crd), crd.getFileName())
                    .isEqualTo(CrdFiles.chartTemplateText(crd));
        }
    }

    @Test
    void theChartHasNoCrdsFolderSoNothingIsInstalledTwice() {
        // Helm installs crds/ before the templates, and would then refuse the templated CRDs as existing objects.
        assertThat(Chart.DIR.resolve("crds")).doesNotExist();
    }

    @Test
    void theRenderedCrdsAreTheTopLevelCrdsWithTheChartsLabelsAndKeptOnUninstall() throws IOException {
        List<Map<String, Object>> rendered = Chart.render("", null).ofKind("CustomResourceDefinition");
        assertThat(rendered.stream().map(Chart.Rendered::metadataName))
                .containsExactlyInAnyOrder("engineeraccesses.access.govuk.digital", "accesspolicies.access.govuk.digital");
        for (Path crd : CrdFiles.files(TOP_LEVEL)) {
            Map<String, Object> generated = new YAMLMapper().readerForMapOf(Object.class).readValue(crd.toFile());
            Map<String, Object> fromChart = rendered.stream()
                    .filter(o -> Chart.Rendered.metadataName(o).equals(Chart.Rendered.metadataName(generated))).findFirst().orElseThrow();
            Map<String, Object> metadata = metadata(fromChart);
            assertThat(metadata.get("annotations")).isEqualTo(Map.of("helm.sh/resource-policy", "keep"));
            @SuppressWarnings("unchecked")
            Map<String, String> labels = (Map<String, String>) metadata.get("labels");
            assertThat(labels).containsEntry("app.kubernetes.io/component", "crds").containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
            metadata.remove("annotations");
            metadata.remove("labels");
            assertThat(fromChart).as("%s as the chart renders it", crd.getFileName()).isEqualTo(generated);
        }
    }

    @Test
    void crdsCanBeLeftToAnotherToolOrDeletedWithTheRelease() {
        assertThat(Chart.render("crds: {enabled: false}", null).has("CustomResourceDefinition")).isFalse();
        assertThat(Chart.render("crds: {keep: false}", null).ofKind("CustomResourceDefinition"))
                .hasSize(2).allSatisfy(crd -> assertThat(metadata(crd)).doesNotContainKey("annotations"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> object) {
        return (Map<String, Object>) object.get("metadata");
    }
}
