package digital.govuk.access.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

/** Generates the CRDs in crds/ from the Java API types. {@code make crds} runs it through {@link CrdFilesTest}. */
public final class CrdFiles {
    /** Printer columns in the order docs/api.md gives (kubectl adds Name first). */
    public static final List<String> COLUMN_ORDER = List.of("Engineer", "Level", "Supervised", "Expires", "Next", "Rota", "Unmet", "First Unmet", "Age");

    private CrdFiles() {
    }

    public static void generate(Path dir) throws IOException {
        Files.createDirectories(dir);
        new CRDGenerator()
                .customResourceClasses(EngineerAccess.class, AccessPolicy.class)
                .forCRDVersions("v1")
                .withPostProcessor(new CRDPostProcessor() {
                    @Override
                    public HasMetadata process(HasMetadata crd, String version) {
                        orderColumns((CustomResourceDefinition) crd);
                        return crd;
                    }
                })
                .inOutputDir(dir.toFile())
                .generate();
    }

    private static void orderColumns(CustomResourceDefinition crd) {
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
            if (v.getAdditionalPrinterColumns() == null) {
                continue;
            }
            List<CustomResourceColumnDefinition> columns = new ArrayList<>(v.getAdditionalPrinterColumns());
            columns.sort(Comparator.comparingInt(c -> COLUMN_ORDER.indexOf(c.getName())));
            v.setAdditionalPrinterColumns(columns);
        }
    }

    /** The Helm chart's copy of the CRDs: Helm installs the files in a chart's crds/ folder before anything else. */
    public static final Path CHART_CRDS = Path.of("helm/engineer-access-operator/crds");

    /** Replaces the chart's CRD files with byte-identical copies of those in {@code dir}; returns the files written. */
    public static List<Path> copyToChart(Path dir) throws IOException {
        Files.createDirectories(CHART_CRDS);
        for (Path old : files(CHART_CRDS)) {
            Files.delete(old);
        }
        for (Path crd : files(dir)) {
            Files.copy(crd, CHART_CRDS.resolve(crd.getFileName()));
        }
        return files(CHART_CRDS);
    }

    public static List<Path> files(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }
}
