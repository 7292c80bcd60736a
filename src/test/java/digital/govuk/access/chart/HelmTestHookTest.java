package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.LintResult;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * The `helm test` Pod: the operator's image and ServiceAccount run `engineer-access report --check-policy`, as
 * restricted as the operator. It cannot run here (no kubelet): it is rendered, read as an object and linted.
 * helm-java's template leaves hooks out, so it is rendered from a copy of the chart whose hook annotation is renamed.
 */
class HelmTestHookTest {
    static final String TEMPLATE = "templates/tests/check-policy.yaml";
    static final String HOOK = "helm.sh/hook";
    static final String AS_MANIFEST = "rendered-by-the-test.example/hook";

    @TempDir
    Path dir;

    /** The chart with these values, the test Pod included as a manifest; its hook annotation is read back under {@link #AS_MANIFEST}. */
    Chart.Rendered render(String values) {
        return ChartCopy.in(dir).replace(TEMPLATE, HOOK + ":", AS_MANIFEST + ":").render(values);
    }

    @Test
    void theInstalledManifestHasNoPodTheHookIsForHelmTestOnly() {
        assertThat(Chart.render().has("Pod")).isFalse();
        Pod pod = render("").one("Pod", Pod.class);
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(AS_MANIFEST, "test")
                .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation");
    }

    @Test
    void itRunsTheReportCheckAsTheOperatorsServiceAccountWithTheOperatorsImage() throws Exception {
        Chart.Rendered r = render("");
        Pod pod = r.one("Pod", Pod.class);
        PodSpec operator = r.one("Deployment", Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(operator.getServiceAccountName());
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isTrue();
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(pod.getSpec().getContainers()).hasSize(1);
        assertThat(c.getImage()).isEqualTo(ChartRenderTest.operatorContainer(r.one("Deployment", Deployment.class)).getImage());
        List<String> command = c.getCommand();
        assertThat(command.get(0)).isEqualTo("java");
        assertThat(command.subList(command.size() - 3, command.size()))
                .containsExactly("digital.govuk.access.cli.Main", "report", "--check-policy");
        Method main = Class.forName(command.get(command.size() - 3)).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
        assertThat(c.getArgs()).isNullOrEmpty();
    }

    /** Every classpath entry is a folder of jars the image's Dockerfile copies from the packaged application. */
    @Test
    void theClasspathIsTheFoldersTheImageHolds() throws IOException {
        List<String> command = render("").one("Pod", Pod.class).getSpec().getContainers().get(0).getCommand();
        String classpath = command.get(command.indexOf("-cp") + 1);
        String dockerfile = Files.readString(Path.of("src/main/docker/Dockerfile.jvm"));
        Matcher copies = Pattern.compile("(?m)^COPY target/quarkus-app/(\\S*) (/deployments/\\S*)$").matcher(dockerfile);
        Map<String, String> imageToBuild = new java.util.TreeMap<>();
        while (copies.find()) {
            imageToBuild.put(copies.group(2), copies.group(1));
        }
        assertThat(classpath.split(":")).containsExactly("/deployments/app/*", "/deployments/lib/boot/*", "/deployments/lib/main/*")
                .allSatisfy(entry -> assertThat(imageToBuild.keySet()).as("the Dockerfile copies a folder holding %s", entry)
                        .anyMatch(dest -> entry.startsWith(dest)));
    }

    @Test
    void itIsAsRestrictedAsTheOperator() {
        Chart.Rendered r = render("");
        Pod pod = r.one("Pod", Pod.class);
        Deployment d = r.one("Deployment", Deployment.class);
        assertThat(pod.getSpec().getSecurityContext()).isEqualTo(d.getSpec().getTemplate().getSpec().getSecurityContext());
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getSecurityContext()).isEqualTo(ChartRenderTest.operatorContainer(d).getSecurityContext());
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    }

    @Test
    void neitherTheMetricsServiceNorTheDisruptionBudgetSelectsIt() {
        Chart.Rendered r = render("");
        Map<String, String> labels = r.one("Pod", Pod.class).getMetadata().getLabels();
        assertThat(labels).containsEntry("app.kubernetes.io/instance", Chart.RELEASE).containsEntry("app.kubernetes.io/component", "helm-test");
        for (Map<String, String> selector : List.of(r.one("Service", Service.class).getSpec().getSelector(),
                r.one("PodDisruptionBudget", PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels(),
                r.one("Deployment", Deployment.class).getSpec().getSelector().getMatchLabels())) {
            assertThat(labels.entrySet().containsAll(selector.entrySet())).as("the Pod's labels %s match %s", labels, selector).isFalse();
        }
    }

    @Test
    void itPullsAndSchedulesAsTheOperatorDoesAndCanBeSwitchedOff() {
        Pod pod = render("""
                image: {repository: registry.example.gov.uk/platform/engineer-access-operator, tag: 1.2.3}
                imagePullSecrets: [{name: registry-credentials}]
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: dedicated, operator: Equal, value: platform, effect: NoSchedule}]
                helmTest: {resources: {requests: {cpu: 10m, memory: 300Mi}, limits: {memory: 300Mi}}}
                """).one("Pod", Pod.class);
        assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("registry.example.gov.uk/platform/engineer-access-operator:1.2.3");
        assertThat(pod.getSpec().getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("registry-credentials"));
        assertThat(pod.getSpec().getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        assertThat(pod.getSpec().getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
        assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits().get("memory").toString()).isEqualTo("300Mi");

        assertThat(render("helmTest: {enabled: false}").has("Pod")).isFalse();
    }

    @Test
    void theChartLintsWithEverythingThisWorkAddsSwitchedOn() {
        ChartCopy copy = ChartCopy.in(dir).withDefault("metrics.prometheusRule.enabled", true)
                .withDefault("metrics.dashboard.enabled", true).withDefault("metrics.serviceMonitor.enabled", true)
                .withDefault("helmTest.enabled", true);
        LintResult lint = copy.helm().lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
        assertThat(copy.render("").ofKind("PrometheusRule")).as("the copy's defaults took").hasSize(1);
    }
}
