package digital.govuk.access.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;

/**
 * A copy of the chart to render or lint what `helm template` and `helm lint` do not show as they stand: helm-java's
 * template prints the release's manifest without its hooks (the `helm test` Pod), and lint takes no values, so
 * templates switched off by default go unlinted. Each copy differs from the chart only as its caller says.
 */
final class ChartCopy {
    private final Path dir;

    private ChartCopy(Path dir) {
        this.dir = dir;
    }

    /** A copy of the chart in a new folder inside {@code parent}. */
    static ChartCopy in(Path parent) {
        try (Stream<Path> files = Files.walk(Chart.DIR)) {
            Path into = Files.createTempDirectory(parent, "chart");
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = into.resolve(Chart.DIR.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
            return new ChartCopy(into);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces text in one of the copy's files, failing when the text is not there. */
    ChartCopy replace(String file, String text, String with) {
        try {
            Path p = dir.resolve(file);
            String content = Files.readString(p);
            if (!content.contains(text)) {
                throw new AssertionError(file + " no longer holds " + text);
            }
            Files.writeString(p, content.replace(text, with));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a value in the copy's values.yaml, by its dotted path: its default in the copy. */
    @SuppressWarnings("unchecked")
    ChartCopy withDefault(String dottedKey, Object value) {
        try {
            YAMLMapper yaml = new YAMLMapper();
            Path file = dir.resolve("values.yaml");
            Map<String, Object> values = yaml.readValue(file.toFile(), Map.class);
            String[] path = dottedKey.split("\\.");
            Map<String, Object> at = values;
            for (int i = 0; i < path.length - 1; i++) {
                at = (Map<String, Object>) at.get(path[i]);
            }
            if (!at.containsKey(path[path.length - 1])) {
                throw new AssertionError("values.yaml has no " + dottedKey);
            }
            at.put(path[path.length - 1], value);
            yaml.writeValue(file.toFile(), values);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Helm helm() {
        return new Helm(dir);
    }

    /** The copy rendered as the chart is in Chart.render: same release, namespace, Chart.TEST_VALUES and values (YAML). */
    Chart.Rendered render(String valuesYaml) {
        return new Chart.Rendered(Chart.documents(Chart.withValuesFiles(java.util.List.of(Chart.TEST_VALUES, valuesYaml), files -> {
            com.marcnuri.helm.TemplateCommand template = helm().template().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                    .withKubeVersion(Chart.TESTED_KUBE_VERSION);
            for (java.nio.file.Path file : files) {
                template = template.withValuesFile(file);
            }
            return template.call();
        })));
    }
}
