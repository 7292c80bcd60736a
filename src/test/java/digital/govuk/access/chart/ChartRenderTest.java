package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.AdminRoleTarget;
import digital.govuk.access.api.v1alpha1.ApproverRole;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;

/**
 * What the chart renders, read as objects: with the default values, and with a variant that changes every
 * value a platform team is likely to change.
 */
class ChartRenderTest {
    /**
     * With the CRDs managed apart the AccessPolicy is an ordinary object of the release, as it is on every upgrade. On
     * a first install that creates the CRDs the chart makes it with a post-install hook instead (Helm cannot read an
     * object of a kind the cluster does not serve yet), and helm-java's template leaves hooks out: ChartInstallTest
     * shows that install.
     */
    static final String CRDS_APART = "crds: {enabled: false}\n";

    static final String VARIANT = CRDS_APART + """
            replicas: 3
            logFormat: text
            jvmOptions: -XX:MaxRAMPercentage=40
            leaderElection: {leaseName: access-leader}
            image: {repository: registry.example.gov.uk/platform/engineer-access-operator, tag: 1.2.3, pullPolicy: Always}
            imagePullSecrets: [{name: registry-credentials}]
            priorityClassName: platform-critical
            nodeSelector: {kubernetes.io/os: linux}
            podAnnotations: {example.gov.uk/team: platform}
            policy:
              timeZone: UTC
              requiredClearance: SC
              deploy:
                clusterRole: team-deploy
                namespaceSelector:
                  matchExpressions: [{key: environment, operator: In, values: [production]}]
              admin:
                clusterRole: team-admin
                includeDeploy: false
                namespaceSelector: {matchLabels: {environment: production, tier: admin}}
              minShadowShifts: 2
              secondaryShiftsBeforePrimary: 3
              longAbsenceDays: 56
              maxExceptionDays: 14
              exceptionsWaiveClearance: true
              allowGroupSubjects: true
              techLeads: [tess.lead@example.gov.uk, tom.lead@example.gov.uk]
              exceptionApprovers:
              - {name: head.of.tech@example.gov.uk, role: HeadOfTechnology}
              - {name: lee.lead-dev@example.gov.uk, role: LeadDeveloper}
            policyClusterRoles: {create: true}
            admissionPolicy:
              enabled: true
              strict: true
              trustedUsernames: [system:serviceaccount:flux-system:kustomize-controller]
            metrics:
              serviceMonitor: {enabled: true, labels: {release: prometheus}}
            """;

    @Test
    void lintsCleanWithStrictChecks(@TempDir Path tmp) throws IOException {
        // helm lint renders the chart's own values, and helm-java's lint takes no values file: lint a copy whose
        // values say what the test values say (image.allowLocal), as `helm lint --set image.allowLocal=true` would.
        Path copy = copyOfTheChart(tmp);
        String values = Files.readString(copy.resolve("values.yaml"));
        assertThat(values).contains("  allowLocal: false\n");
        Files.writeString(copy.resolve("values.yaml"), values.replace("  allowLocal: false\n", "  allowLocal: true\n"));
        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void withoutAnImageRepositoryTheChartRefusesToRenderAndSaysHowToBuildOne() throws IOException {
        // No public image exists: a plain install would end in ImagePullBackOff, so it is refused before anything is made.
        assertThatThrownBy(() -> Chart.templateAsIs(List.of(""), null))
                .hasMessageContaining("image.repository is required, because no public image of the operator exists: build and"
                        + " push one with `make image IMAGE=<your registry>/engineer-access-operator PUSH=1` and set image.repository"
                        + " to that name");
        assertThatThrownBy(() -> Chart.templateAsIs(List.of("image: {tag: 1.2.3, digest: 'sha256:" + "0".repeat(64) + "'}"), null))
                .as("a tag or a digest alone names no registry").hasMessageContaining("image.repository is required");
        Container fromRegistry = operatorContainer(new Chart.Rendered(Chart.templateAsIs(
                List.of("image: {repository: registry.example.gov.uk/platform/engineer-access-operator}"), null))
                .one("Deployment", Deployment.class));
        assertThat(fromRegistry.getImage()).isEqualTo("registry.example.gov.uk/platform/engineer-access-operator:" + appVersion());
        Container local = operatorContainer(new Chart.Rendered(Chart.templateAsIs(List.of("image: {allowLocal: true}"), null))
                .one("Deployment", Deployment.class));
        assertThat(local.getImage()).as("the name make image gives it without IMAGE").isEqualTo("engineer-access-operator:" + appVersion());
        Container pinned = operatorContainer(new Chart.Rendered(Chart.templateAsIs(List.of(
                "image: {repository: registry.example.gov.uk/eao, tag: 1.2.3, digest: 'sha256:" + "a".repeat(64) + "'}"), null))
                .one("Deployment", Deployment.class));
        assertThat(pinned.getImage()).as("the digest wins over the tag").isEqualTo("registry.example.gov.uk/eao@sha256:" + "a".repeat(64));
    }

    /** A copy of the chart in {@code dir}, to change a file without touching the real one. */
    static Path copyOfTheChart(Path dir) throws IOException {
        Path copy = dir.resolve("engineer-access-operator");
        try (var files = Files.walk(Chart.DIR)) {
            for (Path from : files.toList()) {
                Path to = copy.resolve(Chart.DIR.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        return copy;
    }

    @Test
    void defaultValuesRenderTheOperatorItsRightsItsPolicyAndNothingOptional() {
        Chart.Rendered r = Chart.render();
        Set<String> kinds = r.objects().stream().map(o -> (String) o.get("kind")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(kinds).as("and the AccessPolicy, made by a hook on a first install (theDefaultAccessPolicyIs...); the"
                + " admission policy that fences the operator is on by default (every supported Kubernetes serves it)")
                .containsExactly("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "PodDisruptionBudget", "Role",
                        "RoleBinding", "Service", "ServiceAccount", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
        assertThat(r.ofKind("ClusterRole")).as("only the operator's own ClusterRole").hasSize(1);
    }

    @Test
    void theClusterRoleBindingGivesTheOperatorsRoleToTheChartsServiceAccount() {
        Chart.Rendered r = Chart.render();
        ServiceAccount sa = r.one("ServiceAccount", ServiceAccount.class);
        ClusterRoleBinding binding = r.one("ClusterRoleBinding", ClusterRoleBinding.class);
        assertThat(sa.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(binding.getRoleRef().getName()).isEqualTo(r.one("ClusterRole", ClusterRole.class).getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
        });
        assertThat(r.one("Deployment", Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(sa.getMetadata().getName());
    }

    @Test
    void theDeploymentRunsRestrictedWithProbesResourcesAndTheEnvironmentContract() throws IOException {
        Deployment d = Chart.render().one("Deployment", Deployment.class);
        assertThat(d.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container c = operatorContainer(d);
        assertThat(c.getImage()).as("the test values' local image (image.allowLocal)").isEqualTo("engineer-access-operator:" + appVersion());
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getVolumes()).singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());

        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("management");
            assertThat(p.getContainerPort()).isEqualTo(9000);
        });
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");

        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");

        Map<String, EnvVar> env = env(c);
        assertThat(env.get("ENGINEER_ACCESS_LEADER_ELECTION").getValue()).isEqualTo("true");
        assertThat(env.get("ENGINEER_ACCESS_LEASE_NAME").getValue()).isEqualTo("engineer-access-operator");
        assertThat(env.get("ENGINEER_ACCESS_LEASE_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.namespace");
        assertThat(env.get("QUARKUS_LOG_CONSOLE_JSON_ENABLED").getValue()).isEqualTo("true");
        assertThat(env.get("JAVA_OPTS").getValue()).contains("-XX:MaxRAMPercentage=");
    }

    @Test
    void theManagementPortIsOneValueForTheContainerTheProbesTheServiceAndTheOperator() {
        for (int port : List.of(9000, 9100)) {
            Chart.Rendered r = Chart.render(port == 9000 ? "" : "managementPort: " + port, null);
            Container c = operatorContainer(r.one("Deployment", Deployment.class));
            assertThat(c.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(port));
            String portName = c.getPorts().get(0).getName();
            assertThat(List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe()))
                    .allSatisfy(probe -> assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo(portName));
            assertThat(r.one("Service", Service.class).getSpec().getPorts()).singleElement()
                    .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo(portName));
            // The operator reads its management port from QUARKUS_MANAGEMENT_PORT (application.properties: quarkus.management.port).
            assertThat(env(c).get("QUARKUS_MANAGEMENT_PORT").getValue()).isEqualTo(String.valueOf(port));
        }
        assertThatThrownBy(() -> Chart.render("managementPort: 8080", null))
                .hasMessageContaining("managementPort must not be 8080: the operator's main HTTP port listens there");
    }

    @Test
    void aSlowFirstStartIsNotKilled() {
        Container c = operatorContainer(Chart.render().one("Deployment", Deployment.class));
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        int startupSeconds = c.getStartupProbe().getFailureThreshold() * c.getStartupProbe().getPeriodSeconds();
        int livenessSeconds = c.getLivenessProbe().getInitialDelaySeconds()
                + c.getLivenessProbe().getFailureThreshold() * c.getLivenessProbe().getPeriodSeconds();
        assertThat(startupSeconds).as("10 minutes before liveness may restart a starting operator (%d s without the startup probe)",
                livenessSeconds).isEqualTo(600);
        assertThat(env(c).get("QUARKUS_OPERATOR_SDK_CACHE_SYNC_TIMEOUT").getValue())
                .as("the start fills its caches for up to 30 s less than the probe allows, then says which list did not finish")
                .isEqualTo("570s");

        Container patient = operatorContainer(Chart.render("startupProbe: {failureThreshold: 90}", null).one("Deployment", Deployment.class));
        assertThat(patient.getStartupProbe().getFailureThreshold() * patient.getStartupProbe().getPeriodSeconds()).isEqualTo(900);
        assertThat(env(patient).get("QUARKUS_OPERATOR_SDK_CACHE_SYNC_TIMEOUT").getValue()).as("follows the probe").isEqualTo("870s");
        Container hasty = operatorContainer(Chart.render("startupProbe: {periodSeconds: 5, failureThreshold: 12}", null)
                .one("Deployment", Deployment.class));
        assertThat(env(hasty).get("QUARKUS_OPERATOR_SDK_CACHE_SYNC_TIMEOUT").getValue()).as("never less than a minute").isEqualTo("60s");
    }

    @Test
    void twoReplicasPreferDifferentNodesUnlessToldOtherwise() {
        PodSpec soft = Chart.render().one("Deployment", Deployment.class).getSpec().getTemplate().getSpec();
        Map<String, String> podLabels = Chart.render().one("Deployment", Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        assertThat(soft.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()).singleElement()
                .satisfies(w -> {
                    assertThat(w.getWeight()).isEqualTo(100);
                    assertThat(w.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                    assertThat(podLabels).containsAllEntriesOf(w.getPodAffinityTerm().getLabelSelector().getMatchLabels());
                });
        assertThat(soft.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isNullOrEmpty();

        PodSpec hard = Chart.render("podAntiAffinity: hard", null).one("Deployment", Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(hard.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).singleElement()
                .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        assertThat(Chart.render("podAntiAffinity: none", null).one("Deployment", Deployment.class).getSpec().getTemplate().getSpec()
                .getAffinity()).isNull();

        PodSpec own = Chart.render("""
                affinity:
                  nodeAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                      nodeSelectorTerms: [{matchExpressions: [{key: node-role, operator: In, values: [platform]}]}]
                  podAntiAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                    - {topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app.kubernetes.io/name: engineer-access-operator}}}
                """, null).one("Deployment", Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(own.getAffinity().getNodeAffinity()).as("the rest of affinity is kept").isNotNull();
        assertThat(own.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).singleElement()
                .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone"));
        assertThat(own.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .as("yours replaces the chart's").isNullOrEmpty();
        PodSpec withNodeAffinity = Chart.render("affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}", null)
                .one("Deployment", Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(withNodeAffinity.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .as("added to an affinity that has none").hasSize(1);
    }

    @Test
    void theNetworkPolicyLetsInOnlyTheManagementPortAndOutOnlyTheApiServerAndDns() {
        assertThat(Chart.render().has("NetworkPolicy")).as("off by default").isFalse();
        NetworkPolicy open = Chart.render("networkPolicy: {enabled: true}", null).one("NetworkPolicy", NetworkPolicy.class);
        Chart.Rendered r = Chart.render("""
                managementPort: 9100
                networkPolicy:
                  enabled: true
                  ingressFrom: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
                  apiServer: {cidrs: [10.0.0.10/32, 10.0.0.11/32], ports: [6443]}
                """, null);
        NetworkPolicy np = r.one("NetworkPolicy", NetworkPolicy.class);
        assertThat(r.one("Deployment", Deployment.class).getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(np.getSpec().getPodSelector().getMatchLabels());
        assertThat(np.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(np.getSpec().getIngress()).singleElement().satisfies(in -> {
            assertThat(in.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9100));
            assertThat(in.getFrom()).singleElement().satisfies(from -> assertThat(from.getNamespaceSelector().getMatchLabels())
                    .containsEntry("kubernetes.io/metadata.name", "monitoring"));
        });
        assertThat(np.getSpec().getEgress()).hasSize(2);
        assertThat(np.getSpec().getEgress().get(0).getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(6443));
        assertThat(np.getSpec().getEgress().get(0).getTo()).extracting(peer -> peer.getIpBlock().getCidr())
                .containsExactly("10.0.0.10/32", "10.0.0.11/32");
        assertThat(np.getSpec().getEgress().get(1).getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal())
                .containsExactlyInAnyOrder("UDP/53", "TCP/53");
        assertThat(np.getSpec().getEgress().get(1).getTo()).isNullOrEmpty();
        assertThat(open.getSpec().getIngress().get(0).getFrom()).as("no peers: from anywhere").isNullOrEmpty();
        assertThat(open.getSpec().getEgress().get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(443, 6443);
        assertThat(open.getSpec().getEgress().get(0).getTo()).as("no CIDRs: any address, on those ports").isNullOrEmpty();
    }

    @Test
    void theMetricsServiceAndDisruptionBudgetSelectTheOperatorPods() {
        Chart.Rendered r = Chart.render();
        Deployment d = r.one("Deployment", Deployment.class);
        Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
        Service service = r.one("Service", Service.class);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getPort()).isEqualTo(9000);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo(operatorContainer(d).getPorts().get(0).getName());
        });
        PodDisruptionBudget pdb = r.one("PodDisruptionBudget", PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void theDefaultAccessPolicyIsExactlyTheOperatorsBuiltInDefaults() {
        AccessPolicy policy = policy(Chart.render(CRDS_APART, null));
        assertThat(policy.getMetadata().getName()).isEqualTo(AccessPolicy.DEFAULT_NAME);
        assertThat(policy.getMetadata().getAnnotations()).as("policy.create=false and helm uninstall leave it in place")
                .containsEntry("helm.sh/resource-policy", "keep").doesNotContainKey("helm.sh/hook");
        PolicyReader.Result read = PolicyReader.read(policy.getSpec());
        assertThat(read.problems()).isEmpty();
        assertThat(read.policy()).isEqualTo(EffectivePolicy.defaults());
        assertThat(rawPolicySpec(Chart.render(CRDS_APART, null))).containsEntry("allowGroupSubjects", false);
        assertThat(Chart.render().has("AccessPolicy")).as("a first install's hook, which helm-java's template leaves out").isFalse();
    }

    @Test
    void theAccessPolicyRendersEveryFieldOfTheApiAndNoOther() {
        Map<String, Object> spec = rawPolicySpec(Chart.render(CRDS_APART, null));
        assertThat(spec.keySet()).containsExactlyInAnyOrderElementsOf(fieldNames(AccessPolicySpec.class));
        @SuppressWarnings("unchecked")
        Map<String, Object> admin = (Map<String, Object>) spec.get("admin");
        assertThat(admin.keySet()).containsExactlyInAnyOrderElementsOf(fieldNames(AdminRoleTarget.class));
    }

    @Test
    void theVariantsRoleNamesAreTheOnlyRolesTheOperatorMayBindAndThePolicyUses() {
        Chart.Rendered r = Chart.render(VARIANT, Chart.KUBE_WITH_ADMISSION_POLICY);
        ClusterRole operatorRole = r.named("ClusterRole", "engineer-access-operator", ClusterRole.class);
        assertThat(RbacRulesTest.rules(operatorRole).stream().filter(rule -> rule.endsWith("|bind")))
                .containsExactlyInAnyOrder("rbac.authorization.k8s.io|clusterroles|team-deploy|bind",
                        "rbac.authorization.k8s.io|clusterroles|team-admin|bind");
        AccessPolicy policy = policy(r);
        assertThat(policy.getSpec().deploy.clusterRole).isEqualTo("team-deploy");
        assertThat(policy.getSpec().admin.clusterRole).isEqualTo("team-admin");
        assertThat(r.ofKind("ClusterRole").stream().map(Chart.Rendered::metadataName))
                .containsExactlyInAnyOrder("engineer-access-operator", "team-deploy", "team-admin");
    }

    @Test
    void theVariantsPolicyCarriesItsApproversSelectorsAndNumbers() {
        AccessPolicy policy = policy(Chart.render(VARIANT, Chart.KUBE_WITH_ADMISSION_POLICY));
        PolicyReader.Result read = PolicyReader.read(policy.getSpec());
        assertThat(read.problems()).isEmpty();
        EffectivePolicy p = read.policy();
        assertThat(p.zone().getId()).isEqualTo("UTC");
        assertThat(p.requiredClearance()).isEqualTo(ClearanceLevel.SC);
        assertThat(p.includeDeploy()).isFalse();
        assertThat(p.deployNamespaces().matches(Map.of("environment", "production"))).isTrue();
        assertThat(p.deployNamespaces().matches(Map.of("environment", "staging"))).isFalse();
        assertThat(p.adminNamespaces().matchLabels()).isEqualTo(Map.of("environment", "production", "tier", "admin"));
        assertThat(List.of(p.minShadowShifts(), p.secondaryShiftsBeforePrimary(), p.longAbsenceDays(), p.maxExceptionDays()))
                .containsExactly(2, 3, 56, 14);
        assertThat(p.exceptionsWaiveClearance()).isTrue();
        assertThat(p.techLeads()).containsExactlyInAnyOrder("tess.lead@example.gov.uk", "tom.lead@example.gov.uk");
        assertThat(p.exceptionApprovers()).isEqualTo(Map.of("head.of.tech@example.gov.uk", ApproverRole.HeadOfTechnology,
                "lee.lead-dev@example.gov.uk", ApproverRole.LeadDeveloper));
        assertThat(rawPolicySpec(Chart.render(VARIANT, Chart.KUBE_WITH_ADMISSION_POLICY))).containsEntry("allowGroupSubjects", true);
    }

    @Test
    void theVariantsDeploymentFollowsItsValues() {
        Chart.Rendered r = Chart.render(VARIANT, Chart.KUBE_WITH_ADMISSION_POLICY);
        Deployment d = r.one("Deployment", Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = operatorContainer(d);
        assertThat(c.getImage()).isEqualTo("registry.example.gov.uk/platform/engineer-access-operator:1.2.3");
        assertThat(c.getImagePullPolicy()).isEqualTo("Always");
        assertThat(pod.getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("registry-credentials"));
        assertThat(pod.getPriorityClassName()).isEqualTo("platform-critical");
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("example.gov.uk/team", "platform");
        Map<String, EnvVar> env = env(c);
        assertThat(env.get("QUARKUS_LOG_CONSOLE_JSON_ENABLED").getValue()).isEqualTo("false");
        assertThat(env.get("ENGINEER_ACCESS_LEASE_NAME").getValue()).isEqualTo("access-leader");
        assertThat(env.get("JAVA_OPTS").getValue()).isEqualTo("-XX:MaxRAMPercentage=40");
        assertThat(r.has("PodDisruptionBudget")).isTrue();
    }

    @Test
    void theVariantAddsTheAdmissionPolicyAndTheServiceMonitor() {
        Chart.Rendered r = Chart.render(VARIANT, Chart.KUBE_WITH_ADMISSION_POLICY);
        ValidatingAdmissionPolicy vap = r.named("ValidatingAdmissionPolicy", Chart.APPROVALS_POLICY, ValidatingAdmissionPolicy.class);
        ValidatingAdmissionPolicyBinding binding = r.named("ValidatingAdmissionPolicyBinding", Chart.APPROVALS_POLICY,
                ValidatingAdmissionPolicyBinding.class);
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(vap.getMetadata().getName());
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(vap.getSpec().getMatchConstraints().getResourceRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("engineeraccesses");
            assertThat(rule.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE", "DELETE");
        });
        assertThat(vap.getSpec().getVariables()).as("strict mode").anySatisfy(v -> assertThat(v.getName()).isEqualTo("changedFacts"));
        GenericKubernetesResource monitor = r.one("ServiceMonitor", GenericKubernetesResource.class);
        List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().satisfies(e -> {
            assertThat(e).containsEntry("port", "metrics");
            assertThat(e).containsEntry("path", "/q/metrics");
        });
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    }

    @Test
    void theExampleRolesSplitDeployFromAdmin() {
        Chart.Rendered r = Chart.render(VARIANT, Chart.KUBE_WITH_ADMISSION_POLICY);
        Set<String> deploy = RbacRulesTest.rules(r.named("ClusterRole", "team-deploy", ClusterRole.class));
        Set<String> admin = RbacRulesTest.rules(r.named("ClusterRole", "team-admin", ClusterRole.class));
        for (String resource : List.of("deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "pods",
                "configmaps", "services", "ingresses", "horizontalpodautoscalers")) {
            assertThat(deploy).as("Deploy manages %s", resource).anyMatch(rule -> rule.contains("|" + resource + "|*|update"));
        }
        assertThat(deploy).anyMatch(rule -> rule.contains("|pods/log|*|get"));
        assertThat(deploy).as("Deploy has no secrets, exec, port-forward or RBAC").noneMatch(rule -> rule.contains("|secrets|")
                || rule.contains("|pods/exec|") || rule.contains("|pods/portforward|") || rule.contains("|pods/attach|"));
        assertThat(admin).containsAll(deploy);
        assertThat(admin).contains("|pods/exec|*|create", "|pods/portforward|*|create", "|secrets|*|get", "|secrets|*|update");
        for (Set<String> role : List.of(deploy, admin)) {
            assertThat(role).noneMatch(rule -> rule.startsWith("rbac.authorization.k8s.io|") || rule.contains("*|*")
                    || rule.startsWith("*|") || rule.startsWith("access.govuk.digital|"));
        }
    }

    @Test
    void theExampleFileHoldsTheChartsExampleRoles() throws IOException {
        Chart.Rendered r = Chart.render("policyClusterRoles: {create: true}", null);
        Function<Map<String, Object>, Object> rulesOf = o -> o.get("rules");
        Map<String, Object> chartRoles = r.ofKind("ClusterRole").stream()
                .filter(o -> !"engineer-access-operator".equals(Chart.Rendered.metadataName(o)))
                .collect(Collectors.toMap(Chart.Rendered::metadataName, rulesOf));
        Map<String, Object> exampleRoles = Chart.documents(Files.readString(Path.of("examples/02-cluster-roles.yaml"))).stream()
                .collect(Collectors.toMap(Chart.Rendered::metadataName, rulesOf));
        assertThat(exampleRoles)
                .as("examples/02-cluster-roles.yaml must hold the chart's example roles: "
                        + "scripts/render-chart.sh --set image.allowLocal=true --set policyClusterRoles.create=true --only ClusterRole prints them")
                .isEqualTo(chartRoles);
    }

    @Test
    void policyOffRendersNoAccessPolicyButKeepsTheBindRightsOnTheNamedRoles() {
        assertThat(Chart.render(CRDS_APART, null).has("AccessPolicy")).isTrue();
        Chart.Rendered r = Chart.render(CRDS_APART + """
                policy: {create: false, deploy: {clusterRole: gitops-deploy}, admin: {clusterRole: gitops-admin}}
                """, null);
        assertThat(r.has("AccessPolicy")).isFalse();
        assertThat(RbacRulesTest.rules(r.one("ClusterRole", ClusterRole.class)).stream().filter(rule -> rule.endsWith("|bind")))
                .containsExactlyInAnyOrder("rbac.authorization.k8s.io|clusterroles|gitops-deploy|bind",
                        "rbac.authorization.k8s.io|clusterroles|gitops-admin|bind");
    }

    @Test
    void oneReplicaNeedsNoDisruptionBudgetNorLeaderElection() {
        Chart.Rendered r = Chart.render("{replicas: 1, leaderElection: {enabled: false}}", null);
        assertThat(r.has("PodDisruptionBudget")).isFalse();
        assertThat(env(operatorContainer(r.one("Deployment", Deployment.class))).get("ENGINEER_ACCESS_LEADER_ELECTION").getValue())
                .isEqualTo("false");
    }

    @Test
    void strictModeIsOffByDefaultAndAddsItsChecksWhenOn() {
        ValidatingAdmissionPolicy plain = Chart.render("admissionPolicy: {enabled: true}", Chart.KUBE_WITH_ADMISSION_POLICY)
                .named("ValidatingAdmissionPolicy", Chart.APPROVALS_POLICY, ValidatingAdmissionPolicy.class);
        ValidatingAdmissionPolicy strict = Chart.render("admissionPolicy: {enabled: true, strict: true, trustedUsernames: [gitops]}",
                Chart.KUBE_WITH_ADMISSION_POLICY).named("ValidatingAdmissionPolicy", Chart.APPROVALS_POLICY, ValidatingAdmissionPolicy.class);
        assertThat(plain.getSpec().getVariables()).noneSatisfy(v -> assertThat(v.getName()).isEqualTo("changedFacts"));
        assertThat(strict.getSpec().getVariables()).anySatisfy(v -> assertThat(v.getName()).isEqualTo("changedFacts"));
        assertThat(strict.getSpec().getValidations()).as("the checks of plain mode, and two more")
                .containsAll(plain.getSpec().getValidations()).hasSize(plain.getSpec().getValidations().size() + 2);
    }

    @Test
    void valuesThatWouldBreakTheOperatorAreRefusedWithAPlainMessage() {
        assertThatThrownBy(() -> Chart.render("{replicas: 2, leaderElection: {enabled: false}}", null))
                .hasMessageContaining("leaderElection.enabled must be true when replicas is more than 1");
        // values.schema.json refuses it first, in Helm's words (the template's own check stays for --skip-schema-validation).
        assertThatThrownBy(() -> Chart.render("logFormat: xml", null)).hasMessageContaining("at '/logFormat': value must be one of 'json', 'text'");
        assertThatThrownBy(() -> Chart.render("", "1.29.4"))
                .hasMessageContaining("chart requires kubeVersion: >=1.30.0-0 which is incompatible with Kubernetes v1.29.4");
        assertThatThrownBy(() -> Chart.render("admissionPolicy: {enabled: true, strict: true}", Chart.KUBE_WITH_ADMISSION_POLICY))
                .hasMessageContaining("admissionPolicy.strict needs admissionPolicy.trustedUsernames");
    }

    static Container operatorContainer(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> c.getName().equals("operator"))
                .findFirst().orElseThrow();
    }

    static Map<String, EnvVar> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    /** The rendered AccessPolicy as the operator reads it. */
    static AccessPolicy policy(Chart.Rendered r) {
        return new io.fabric8.kubernetes.client.utils.KubernetesSerialization().convertValue(r.ofKind("AccessPolicy").get(0),
                AccessPolicy.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> rawPolicySpec(Chart.Rendered r) {
        return (Map<String, Object>) r.ofKind("AccessPolicy").get(0).get("spec");
    }

    /** The JSON field names of a spec class: its public instance fields, inherited ones included. */
    static Set<String> fieldNames(Class<?> type) {
        return Arrays.stream(type.getFields()).filter(f -> !Modifier.isStatic(f.getModifiers())).map(Field::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static String appVersion() throws IOException {
        ObjectMapper yaml = new YAMLMapper();
        return yaml.readTree(Chart.DIR.resolve("Chart.yaml").toFile()).get("appVersion").asText();
    }
}
