package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** Every value in values.yaml has a row in the chart's README (a value documented as a whole covers its parts). */
class ChartReadmeTest {
    /** Values whose parts are Kubernetes fields, documented together in one row. */
    static final Set<String> DOCUMENTED_AS_A_WHOLE = Set.of("resources", "startupProbe", "livenessProbe", "readinessProbe",
            "podSecurityContext", "securityContext");

    @Test
    void everyValueIsDocumented() throws IOException {
        Map<String, Object> values = new YAMLMapper().readerForMapOf(Object.class).readValue(Chart.DIR.resolve("values.yaml").toFile());
        String readme = Files.readString(Chart.DIR.resolve("README.md"));
        Set<String> undocumented = new TreeSet<>();
        for (String key : keys("", values)) {
            if (!readme.contains("| `" + key + "` |")) {
                undocumented.add(key);
            }
        }
        assertThat(undocumented).as("values without a row in %s", Chart.DIR.resolve("README.md")).isEmpty();
    }

    @SuppressWarnings("unchecked")
    static Set<String> keys(String prefix, Map<String, Object> map) {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> child && !child.isEmpty() && !DOCUMENTED_AS_A_WHOLE.contains(key)) {
                out.addAll(keys(key + ".", (Map<String, Object>) child));
            } else {
                out.add(key);
            }
        }
        return out;
    }
}
