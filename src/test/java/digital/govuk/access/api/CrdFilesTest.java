package digital.govuk.access.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRDs committed in crds/ must be exactly what the Java types generate. With
 * {@code -Dcrds.write=true} ({@code make crds}) it writes them instead, and makes the chart's CRD templates from
 * them (ChartCrdsTest checks those).
 */
class CrdFilesTest {
    static final Path COMMITTED = Path.of("crds");

    @Test
    void committedCrdsMatchTheJavaTypes(@TempDir Path tmp) throws IOException {
        if (Boolean.getBoolean("crds.write")) {
            try (var old = Files.list(COMMITTED)) {
                for (Path p : old.filter(p -> p.toString().endsWith(".yml")).toList()) {
                    Files.delete(p);
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // first generation
            }
            CrdFiles.generate(COMMITTED);
            System.out.println("wrote " + CrdFiles.files(COMMITTED));
            System.out.println("wrote " + CrdFiles.writeChartTemplates(COMMITTED));
        }
        CrdFiles.generate(tmp);
        List<String> fresh = names(CrdFiles.files(tmp));
        assertThat(names(CrdFiles.files(COMMITTED)))
                .as("CRD files in crds/ differ from the generated set; run `make crds` and commit crds/")
                .isEqualTo(fresh);
        for (Path generated : CrdFiles.files(tmp)) {
            Path committed = COMMITTED.resolve(generated.getFileName());
            assertThat(Files.readString(committed))
                    .as("crds/%s is out of date with the Java API types; run `make crds` and commit crds/", generated.getFileName())
                    .isEqualTo(Files.readString(generated));
        }
    }

    private static List<String> names(List<Path> files) {
        List<String> names = new ArrayList<>();
        files.forEach(f -> names.add(f.getFileName().toString()));
        return names;
    }
}
