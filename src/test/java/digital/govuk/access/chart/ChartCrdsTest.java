package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.CrdFiles;

/** Helm installs the chart's crds/ folder: it must hold exactly the CRDs in the top-level crds/, byte for byte. */
class ChartCrdsTest {
    static final Path TOP_LEVEL = Path.of("crds");

    @Test
    void chartCrdsAreTheTopLevelCrds() throws IOException {
        assertThat(names(CrdFiles.CHART_CRDS)).as("the chart's crds/ differs from crds/; run `make crds`")
                .containsExactlyElementsOf(names(TOP_LEVEL));
        for (Path crd : CrdFiles.files(TOP_LEVEL)) {
            assertThat(Files.mismatch(crd, CrdFiles.CHART_CRDS.resolve(crd.getFileName())))
                    .as("%s differs from %s; run `make crds`", CrdFiles.CHART_CRDS.resolve(crd.getFileName()), crd)
                    .isEqualTo(-1L);
        }
    }

    private static java.util.List<String> names(Path dir) throws IOException {
        return CrdFiles.files(dir).stream().map(p -> p.getFileName().toString()).toList();
    }
}
