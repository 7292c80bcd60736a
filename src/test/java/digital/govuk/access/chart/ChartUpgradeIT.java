package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;



import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.it.Convergence;
import digital.govuk.access.it.LocalControlPlane;
import digital.govuk.access.it.OperatorProcess;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * An upgrade as a platform team makes it, on a real API server:
 * the chart as released at de15755 (src/test/resources/charts/de15755, CRDs in its crds/ folder, which Helm installs
 * once and never upgrades) is installed, engineers get their RoleBindings from the packaged operator running with the
 * chart's ServiceAccount token and electing on the chart's Lease, and the release is upgraded to this working tree's
 * chart, in a copy whose EngineerAccess CRD gained a field. Helm first refuses to take in the CRDs it did not make; the
 * chart README's step (label and annotate them) lets it. Then: no binding is removed or made again, the new field is
 * stored and returned, the AccessPolicy is the same object, and the operator, now under its narrower rights and its own
 * admission policy (1.30+), has carried on and converged. Turning policy.create off and helm uninstall delete nothing
 * that grants access. Figures are printed as "chart upgrade: ..." lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChartUpgradeIT {
    static final Path PREVIOUS_RELEASE = Path.of("src/test/resources/charts/de15755/engineer-access-operator");
    static final String CRD = "engineeraccesses.access.govuk.digital";
    static final Duration WAIT = Duration.ofSeconds(120);
    /** The field this test's copy of the chart adds to the EngineerAccess spec, as a newer release would. */
    static final String NEW_FIELD = "team";

    @TempDir
    static Path tmp;
    static ChartedControlPlane cluster;
    static LocalControlPlane controlPlane;
    static KubernetesClient admin;
    static OperatorProcess operator;
    static Path newerChart;
    static Map<String, String> bindingUids;
    static String policyUid;
    static int engineers;

    @BeforeAll
    static void installThePreviousReleaseAndRunTheOperator() throws IOException, InterruptedException {
        cluster = ChartedControlPlane.install(tmp.resolve("control-plane"), PREVIOUS_RELEASE, "policyClusterRoles: {create: true}");
        controlPlane = cluster.controlPlane();
        admin = cluster.admin();
        assertThat(cluster.release().status()).isEqualTo("deployed");
        for (String file : List.of("examples/01-namespaces.yaml", "examples/10-engineers.yaml")) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                for (HasMetadata item : admin.load(in).items()) {
                    admin.resource(item).create();
                }
            }
        }
        engineers = admin.resources(EngineerAccess.class).list().getItems().size();
        Path kubeconfig = controlPlane.kubeconfigFor("chart-service-account", ChartInstall.serviceAccountToken(admin));
        operator = OperatorProcess.start("chart-upgrade", kubeconfig, tmp.resolve("logs"), Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "true",
                "ENGINEER_ACCESS_LEASE_NAME", Chart.RELEASE, "ENGINEER_ACCESS_LEASE_NAMESPACE", Chart.NAMESPACE));
        operator.awaitLog("now holds the Lease", WAIT);
        awaitConverged();
        awaitNoChangeDueSoon();
        bindingUids = bindingUids();
        policyUid = admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get().getMetadata().getUid();
        newerChart = chartWithANewField(tmp.resolve("newer"));
        say("the release at de15755 installed; %d engineers converged to %d RoleBindings", engineers, bindingUids.size());
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void beforeTheUpgradeTheClusterDropsTheNewField() {
        // What the CRD does not know, the API server prunes: the field is not served until the CRD is upgraded.
        GenericKubernetesResource probe = admin.resource(engineerWithTheNewField("probe-before")).create();
        assertThat(spec(probe)).doesNotContainKey(NEW_FIELD);
        admin.resource(probe).delete();
    }

    @Test
    @Order(2)
    void helmRefusesToTakeInTheCrdsItDidNotMakeAndChangesNothing() {
        assertThatThrownBy(() -> ChartInstall.upgrade(newerChart, controlPlane.kubeconfig(), "policyClusterRoles: {create: true}"))
                // Helm 3 begins "Unable to", Helm 4 "unable to".
                .hasMessageContaining("nable to continue with update: CustomResourceDefinition \"")
                .hasMessageContaining("\" in namespace \"\" exists and cannot be imported into the current release: invalid ownership metadata;"
                        + " label validation error: missing key \"app.kubernetes.io/managed-by\": must be set to \"Helm\"");
        assertThat(history()).containsExactly("1 deployed");
        assertThat(admin.rbac().clusterRoles().withName(Chart.RELEASE).get().getRules())
                .as("the previous release's ClusterRole, Lease rule and all").anySatisfy(r -> assertThat(r.getResources()).contains("leases"));
    }

    @Test
    @Order(3)
    void afterTheReadmesStepTheUpgradeKeepsEveryBindingAndServesTheNewField() throws Exception {
        // The chart README's step, as a platform team types it: mark the CRDs as the release's.
        for (String crd : List.of(CRD, "accesspolicies.access.govuk.digital")) {
            controlPlane.kubectl("label", "crd", crd, "app.kubernetes.io/managed-by=Helm");
            controlPlane.kubectl("annotate", "crd", crd, "meta.helm.sh/release-name=" + Chart.RELEASE,
                    "meta.helm.sh/release-namespace=" + Chart.NAMESPACE);
        }
        Instant started = Instant.now();
        HelmCli.Release upgraded = ChartInstall.upgrade(newerChart, controlPlane.kubeconfig(), "policyClusterRoles: {create: true}");
        assertThat(upgraded.status()).isEqualTo("deployed");
        say("helm upgrade took %d ms", Duration.between(started, Instant.now()).toMillis());

        // The CRD is the release's now, kept on uninstall, and serves the new field: stored and returned.
        assertThat(admin.apiextensions().v1().customResourceDefinitions().withName(CRD).get().getMetadata().getAnnotations())
                .containsEntry("helm.sh/resource-policy", "keep");
        await("the upgraded CRD served").atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            GenericKubernetesResource probe = admin.resource(engineerWithTheNewField("probe-after")).createOr(existing -> existing.update());
            return "platform".equals(spec(admin.genericKubernetesResources(EngineerAccess.API_VERSION, "EngineerAccess")
                    .withName("probe-after").get()).get(NEW_FIELD)) && probe != null;
        });
        admin.genericKubernetesResources(EngineerAccess.API_VERSION, "EngineerAccess").withName("probe-after").delete();
        await().atMost(WAIT).until(() -> admin.genericKubernetesResources(EngineerAccess.API_VERSION, "EngineerAccess")
                .withName("probe-after").get() == null);

        // The operator's rights changed under it (no Lease in the ClusterRole, a Role on its one Lease) and it kept going.
        assertThat(admin.rbac().clusterRoles().withName(Chart.RELEASE).get().getRules())
                .noneSatisfy(r -> assertThat(r.getApiGroups()).contains("coordination.k8s.io"));
        pause(20); // longer than the Lease (15 s): a lost renewal would show
        assertThat(operator.alive()).as("the operator never stopped").isTrue();
        assertThat(operator.logTimes("now holds the Lease")).as("never lost the Lease").hasSize(1);
        assertThat(operator.management("/q/health/started").getKey()).as("the startup probe's path").isEqualTo(200);
        awaitConverged();
        assertThat(bindingUids()).as("no binding removed, added or made again").isEqualTo(bindingUids);
        assertThat(admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get().getMetadata().getUid())
                .as("the same AccessPolicy").isEqualTo(policyUid);
        if (LocalControlPlane.minorVersion(admin) >= 30) {
            assertThat(admin.genericKubernetesResources("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
                    .withName(Chart.OPERATOR_POLICY).get()).as("the operator converged under its own admission policy").isNotNull();
        }
        say("after the upgrade: %d RoleBindings, the same UIDs; the operator held its Lease throughout", bindingUids.size());
    }

    @Test
    @Order(4)
    void turningPolicyCreateOffKeepsTheAccessPolicy() {
        ChartInstall.upgrade(newerChart, controlPlane.kubeconfig(), "policyClusterRoles: {create: true}\npolicy: {create: false}");
        AccessPolicy policy = admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get();
        assertThat(policy).as("helm.sh/resource-policy: keep").isNotNull();
        assertThat(policy.getMetadata().getUid()).isEqualTo(policyUid);
        awaitConverged();
        assertThat(bindingUids()).isEqualTo(bindingUids);
    }

    @Test
    @Order(5)
    void helmUninstallLeavesTheCrdsEveryEngineerAndEveryBindingAndSaysSo() {
        HelmCli.Release last = ChartInstall.upgrade(newerChart, controlPlane.kubeconfig(), "policyClusterRoles: {create: true}");
        assertThat(last.notes()).contains("helm uninstall leaves the CRDs, every EngineerAccess, the AccessPolicy \"default\" and"
                + " the RoleBindings in place");
        operator.close();
        String said = ChartInstall.uninstall(controlPlane.kubeconfig());
        say("helm uninstall: %s", said.strip().replace('\n', ' '));
        assertThat(history()).isEmpty();
        for (String crd : List.of(CRD, "accesspolicies.access.govuk.digital")) {
            assertThat(admin.apiextensions().v1().customResourceDefinitions().withName(crd).get()).as(crd).isNotNull();
        }
        assertThat(admin.resources(EngineerAccess.class).list().getItems()).hasSize(engineers);
        assertThat(admin.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get().getMetadata().getUid()).isEqualTo(policyUid);
        pause(5); // room for a garbage collector that would wrongly remove them
        assertThat(bindingUids()).as("the RoleBindings, owned by engineers still there").isEqualTo(bindingUids);
        assertThat(admin.rbac().clusterRoles().withName(Chart.RELEASE).get()).as("the operator's own rights are gone").isNull();
    }

    /** A copy of this working tree's chart whose EngineerAccess CRD has one more field in its spec, as a newer release would. */
    static Path chartWithANewField(Path dir) throws IOException {
        Path copy = ChartRenderTest.copyOfTheChart(dir);
        Path crd = copy.resolve("templates/crd-" + CRD + ".yaml");
        String text = Files.readString(crd);
        String specProperties = "          spec:\n            description: \"The engineer's facts";
        int at = text.indexOf(specProperties);
        int properties = text.indexOf("            properties:\n", at) + "            properties:\n".length();
        assertThat(at).as("where the spec's properties begin in %s", crd).isPositive();
        Files.writeString(crd, text.substring(0, properties) + """
                              %s:
                                description: "The engineer's team (a field a newer release added)."
                                type: "string"
                """.formatted(NEW_FIELD) + text.substring(properties));
        return copy;
    }

    static GenericKubernetesResource engineerWithTheNewField(String name) {
        return Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata: {name: %s}
                spec:
                  fullName: Probe Engineer
                  role: Developer
                  employment: CivilServant
                  subject: {kind: User, name: "%s@example.gov.uk"}
                  clearance: {level: BPSS, grantedOn: "2026-01-12"}
                  %s: platform
                """.formatted(name, name, NEW_FIELD), GenericKubernetesResource.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource ea) {
        return (Map<String, Object>) ea.getAdditionalProperties().get("spec");
    }

    /** Every binding the operator made, by namespace/name, with its UID. */
    static Map<String, String> bindingUids() {
        Map<String, String> out = new TreeMap<>();
        for (RoleBinding rb : admin.rbac().roleBindings().inAnyNamespace()
                .withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).list().getItems()) {
            out.put(rb.getMetadata().getNamespace() + "/" + rb.getMetadata().getName(), rb.getMetadata().getUid());
        }
        return out;
    }

    /** Longer than this class takes after its start (under a minute), several times over. */
    static final Duration QUIET = Duration.ofMinutes(5);

    /**
     * The examples' access changes at fixed instants (an exception's expiry, a shift's start) and this operator runs on
     * the real clock, so a change due while the class runs would look like the upgrade removing or making a binding: on
     * the wrong day, the class would fail. So its comparison starts only when no engineer's status names a change
     * within {@link #QUIET}; when one does, it waits for the change to pass and the operator to apply it.
     */
    static void awaitNoChangeDueSoon() {
        for (Instant next = nextChange(); next != null && next.isBefore(Instant.now().plus(QUIET)); next = nextChange()) {
            Instant due = next;
            say("an example's access changes at %s, within %d minutes: waiting for it to pass", due, QUIET.toMinutes());
            await().atMost(QUIET.plus(WAIT)).pollInterval(Duration.ofMillis(500)).until(() -> Instant.now().isAfter(due.plusSeconds(1)));
            awaitConverged();
        }
    }

    /** The earliest nextTransitionTime still to come that any engineer's status names, or null. */
    static Instant nextChange() {
        Instant now = Instant.now();
        return admin.resources(EngineerAccess.class).list().getItems().stream()
                .map(ea -> ea.getStatus() == null ? null : ea.getStatus().nextTransitionTime)
                .filter(t -> t != null && !t.isEmpty()).map(Instant::parse).filter(now::isBefore).min(Instant::compareTo).orElse(null);
    }

    static void awaitConverged() {
        await("the operator converged, as plan says").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .until(() -> Convergence.of(admin, Instant.now()).exact());
    }

    static void say(String format, Object... args) {
        System.out.printf("chart upgrade: " + format + "%n", args);
    }

    /** A plain pause, for what must not happen in that time. */
    static void pause(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The release's revisions, or none when it is gone (helm history then says it is not found). */
    static List<String> history() {
        try {
            return ChartInstall.history(controlPlane.kubeconfig());
        } catch (RuntimeException e) {
            assertThat(e.getMessage()).contains("not found");
            return List.of();
        }
    }
}
