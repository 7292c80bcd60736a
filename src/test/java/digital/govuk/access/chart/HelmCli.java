package digital.govuk.access.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import digital.govuk.access.it.LocalControlPlane;

/**
 * The helm command a user types, built once from the Go module pinned in scripts/helm/go.mod by
 * scripts/helm-binary.sh (Helm 4; the render and lint tests use helm-java, which is Helm 3). The install tests
 * run it as a separate process against a kubeconfig, exactly as `helm install` runs in a terminal or a pipeline.
 */
public final class HelmCli {
    private static final long TIMEOUT_SECONDS = 300;
    private static volatile Path binary;

    private HelmCli() {
    }

    /** A release as `helm ... -o json` describes it; {@code notes} is what NOTES.txt rendered. */
    public record Release(String name, String namespace, String status, int revision, String notes) {
        static Release of(String json) {
            try {
                JsonNode release = new ObjectMapper().readTree(json);
                return new Release(release.path("name").asText(), release.path("namespace").asText(),
                        release.path("info").path("status").asText(), release.path("version").asInt(),
                        release.path("info").path("notes").asText());
            } catch (IOException e) {
                throw new UncheckedIOException("helm printed no release: " + json, e);
            }
        }
    }

    /** Runs {@code helm ARGS} against the cluster of {@code kubeconfig}; returns its output, or fails with helm's own message. */
    public static String run(Path kubeconfig, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        try {
            // Helm's own caches and settings stay in the build directory, away from the user's.
            Path home = Path.of("target", "helm-home").toAbsolutePath();
            return LocalControlPlane.runApart(command, Map.of("KUBECONFIG", kubeconfig.toAbsolutePath().toString(),
                    "HELM_CACHE_HOME", home.resolve("cache").toString(), "HELM_CONFIG_HOME", home.resolve("config").toString(),
                    "HELM_DATA_HOME", home.resolve("data").toString()), TIMEOUT_SECONDS).out();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a helm command that prints a release ({@code -o json} is added). */
    public static Release release(Path kubeconfig, String... args) {
        List<String> withJson = new ArrayList<>(List.of(args));
        withJson.addAll(List.of("-o", "json"));
        return Release.of(run(kubeconfig, withJson.toArray(String[]::new)));
    }

    /** The helm binary, built by scripts/helm-binary.sh on first use (about 3 minutes once per machine). */
    static Path binary() {
        if (binary == null) {
            synchronized (HelmCli.class) {
                if (binary == null) {
                    try {
                        String out = LocalControlPlane.runApart(List.of("scripts/helm-binary.sh"), Map.of(), 60 * 20).out().strip();
                        binary = Path.of(out.substring(out.lastIndexOf('\n') + 1).strip());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return binary;
    }
}
