package digital.govuk.access.chart;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

/**
 * `helm template` for machines without helm: prints the chart's manifests, as Helm renders them, for
 * scripts/render-chart.sh (make run uses it to install the operator's ClusterRole).
 *
 * <pre>
 * scripts/render-chart.sh [--set KEY=VALUE]... [--values FILE]... [--kube-version VERSION] [--namespace NAMESPACE] [--only KIND]...
 * </pre>
 */
public final class RenderChart {
    private RenderChart() {
    }

    public static void main(String[] args) {
        TemplateCommand template = new Helm(Chart.DIR).template().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.TESTED_KUBE_VERSION);
        Set<String> only = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + option);
            }
            String value = args[++i];
            switch (option) {
                case "--set" -> {
                    int eq = value.indexOf('=');
                    if (eq <= 0) {
                        usage("--set needs KEY=VALUE, got " + value);
                    }
                    template = template.set(value.substring(0, eq), value.substring(eq + 1));
                }
                case "--values" -> template = template.withValuesFile(Path.of(value));
                case "--kube-version" -> template = template.withKubeVersion(value);
                case "--namespace" -> template = template.withNamespace(value);
                case "--only" -> only.add(value);
                default -> usage("unknown option " + option);
            }
        }
        String rendered;
        try {
            rendered = template.call();
        } catch (RuntimeException e) {
            System.err.println("render-chart: the chart did not render: " + e.getMessage().strip());
            System.exit(1);
            return;
        }
        System.out.print(only.isEmpty() ? rendered : select(rendered, only));
    }

    /** The documents of the given kinds, as Helm printed them. */
    static String select(String rendered, Set<String> kinds) {
        List<String> kept = new ArrayList<>();
        for (String document : rendered.split("(?m)^---\\s*$")) {
            List<Map<String, Object>> parsed = Chart.documents(document);
            if (!parsed.isEmpty() && kinds.contains(String.valueOf(parsed.get(0).get("kind")))) {
                kept.add(document.strip() + "\n");
            }
        }
        return kept.isEmpty() ? "" : "---\n" + String.join("---\n", kept);
    }

    private static void usage(String problem) {
        System.err.println("render-chart: " + problem);
        System.err.println("usage: scripts/render-chart.sh [--set KEY=VALUE]... [--values FILE]... [--kube-version VERSION]"
                + " [--namespace NAMESPACE] [--only KIND]...");
        System.exit(2);
    }
}
