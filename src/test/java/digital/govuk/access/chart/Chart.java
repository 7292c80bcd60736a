package digital.govuk.access.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The Helm chart in helm/engineer-access-operator, rendered with helm-java (Helm's own Go code, bundled:
 * no helm binary needed). Tests read what it renders as objects, never as text.
 */
public final class Chart {
    public static final Path DIR = Path.of("helm/engineer-access-operator");
    /** The release name and namespace the README's install command uses. */
    public static final String RELEASE = "engineer-access-operator";
    public static final String NAMESPACE = "engineer-access";
    /** The chart's ValidatingAdmissionPolicy on who writes approvals (admissionPolicy.*), and its binding. */
    public static final String APPROVALS_POLICY = RELEASE + "-approvals";
    /** The operator's own ValidatingAdmissionPolicy on the RoleBindings it may write (operatorAdmissionPolicy.*), and its binding. */
    public static final String OPERATOR_POLICY = RELEASE + "-own-bindings";
    /** The first Kubernetes version with ValidatingAdmissionPolicy in admissionregistration.k8s.io/v1. */
    public static final String KUBE_WITH_ADMISSION_POLICY = "1.30.0";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Chart() {
    }

    /**
     * The Kubernetes release the real-API tests run on (pinned in scripts/k8s/go.mod), which the chart is rendered
     * for unless a test names another: helm-java's own default is 1.20, which the chart's kubeVersion refuses.
     */
    public static final String TESTED_KUBE_VERSION = testedKubeVersion();

    /**
     * The chart rendered with its default values (and {@link #TEST_VALUES}), as `helm template --kube-version` would
     * for the tested release.
     */
    public static Rendered render() {
        return render("", null);
    }

    /** The chart rendered with these values (YAML, as in a values file) for this Kubernetes version (null: the tested one). */
    public static Rendered render(String valuesYaml, String kubeVersion) {
        return new Rendered(template(valuesYaml, kubeVersion));
    }

    /**
     * The values every test renders and installs with, before its own: no pod of the test clusters ever runs, so
     * no image is pulled, and {@code image.allowLocal} lets the chart render without a registry (a user's install
     * without {@code image.repository} is refused).
     */
    public static final String TEST_VALUES = "image: {allowLocal: true}\n";

    /** The rendered manifests as Helm prints them (documents separated by ---), with {@link #TEST_VALUES} first. */
    public static String template(String valuesYaml, String kubeVersion) {
        return templateAsIs(List.of(TEST_VALUES, valuesYaml), kubeVersion);
    }

    /** As {@code helm template} with these values files (YAML, in order), and nothing added. */
    public static String templateAsIs(List<String> valuesYamls, String kubeVersion) {
        return withValuesFiles(valuesYamls, files -> {
            TemplateCommand template = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
            for (Path file : files) {
                template = template.withValuesFile(file);
            }
            return template.withKubeVersion(kubeVersion == null ? TESTED_KUBE_VERSION : kubeVersion).call();
        });
    }

    private static String testedKubeVersion() {
        Path goMod = Path.of("scripts", "k8s", "go.mod");
        try (var lines = Files.lines(goMod)) {
            return lines.map(String::strip).filter(l -> l.startsWith("k8s.io/kubernetes v")).map(l -> l.split("\\s+")[1].substring(1))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no k8s.io/kubernetes version in " + goMod));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code use} with a temporary values file holding {@code valuesYaml}, deleted afterwards. */
    static <T> T withValuesFile(String valuesYaml, Function<Path, T> use) {
        return withValuesFiles(List.of(valuesYaml), files -> use.apply(files.get(0)));
    }

    /** Runs {@code use} with temporary values files holding {@code valuesYamls}, in order, deleted afterwards. */
    static <T> T withValuesFiles(List<String> valuesYamls, Function<List<Path>, T> use) {
        List<Path> files = new ArrayList<>();
        try {
            for (String yaml : valuesYamls) {
                Path file = Files.createTempFile("chart-values", ".yaml");
                files.add(file);
                Files.writeString(file, yaml);
            }
            return use.apply(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            files.forEach(Chart::deleteQuietly);
        }
    }

    /** Parses multi-document YAML into one map per non-empty document. */
    public static List<Map<String, Object>> documents(String yaml) {
        List<Map<String, Object>> out = new ArrayList<>();
        try (MappingIterator<Map<String, Object>> docs = new YAMLMapper().readerForMapOf(Object.class).readValues(yaml)) {
            while (docs.hasNext()) {
                Map<String, Object> doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    out.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the chart rendered YAML that does not parse", e);
        }
        return out;
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file; nothing depends on it
            }
        }
    }

    /** What the chart rendered: plain maps, with typed views through the Fabric8 model. */
    public record Rendered(List<Map<String, Object>> objects) {
        Rendered(String yaml) {
            this(documents(yaml));
        }

        public List<Map<String, Object>> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        public boolean has(String kind) {
            return !ofKind(kind).isEmpty();
        }

        /** The one object of this kind (failing when there is none or more than one), as a Fabric8 model object. */
        public <T> T one(String kind, Class<T> type) {
            List<Map<String, Object>> found = ofKind(kind);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + " in the rendered chart, found " + found.size());
            }
            return SERIALIZATION.convertValue(found.get(0), type);
        }

        /** The object of this kind and name, as a Fabric8 model object. */
        public <T> T named(String kind, String name, Class<T> type) {
            return ofKind(kind).stream().filter(o -> name.equals(metadataName(o))).findFirst()
                    .map(o -> SERIALIZATION.convertValue(o, type))
                    .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in the rendered chart"));
        }

        @SuppressWarnings("unchecked")
        static String metadataName(Map<String, Object> object) {
            Object metadata = object.get("metadata");
            return metadata instanceof Map ? Objects.toString(((Map<String, Object>) metadata).get("name"), null) : null;
        }
    }
}
