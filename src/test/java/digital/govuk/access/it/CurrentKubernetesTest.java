package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import digital.govuk.access.api.v1alpha1.Absence;
import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.Bounds;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.NamespaceSelector;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.chart.Chart;
import digital.govuk.access.chart.ChartInstall;
import digital.govuk.access.chart.ChartedControlPlane;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What only a current API server enforces, on a real one (issue 15). Older servers ignore both: before 1.25 the CEL
 * rules, before 1.30 the admission policy; the tests fail, saying so, if the pinned release is ever older.
 * <ul>
 * <li>the CRDs' CEL rules ({@code x-kubernetes-validations}, from {@code @ValidationRule} on the API types; Kubernetes
 * 1.25 and later): each refuses its bad input with the message written in the Java type, at the field's path, and a
 * valid object at the bounds is accepted;</li>
 * <li>the chart's ValidatingAdmissionPolicy (1.30 and later), installed with {@code helm install} and bound, with
 * requests made as real users: the admin impersonating them ({@code Impersonate-User}, {@code kubectl --as}), so
 * the API server authorises and admits each as that user. chart/AdmissionPolicyTest checks the same CEL case by
 * case without a server.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CurrentKubernetesTest {
    /** ValidatingAdmissionPolicy is in admissionregistration.k8s.io/v1 from 1.30 (CEL rules in CRDs from 1.25). */
    static final int NEEDS_MINOR = 30;

    static final String FLUX = "system:serviceaccount:flux-system:kustomize-controller";
    static final String ADA = "ada.engineer@example.gov.uk";
    static final String TESS = "tess.lead@example.gov.uk";
    static final String MALLORY = "mallory.editor@example.gov.uk";
    static final String POLICY_NAME = Chart.RELEASE + "-approvals";

    @TempDir
    static Path tmp;
    static ChartedControlPlane cluster;
    static LocalControlPlane controlPlane;
    static KubernetesClient admin;

    static int minor;

    @BeforeAll
    static void startAndInstallTheChartWithItsAdmissionPolicy() throws IOException, InterruptedException {
        minor = LocalControlPlane.selectedMinorVersion();
        if (minor < NEEDS_MINOR) {
            return; // each test fails, saying why
        }
        // The chart as a platform team installs it, with the policy on; FLUX stands for the GitOps identity.
        cluster = ChartedControlPlane.install(tmp.resolve("control-plane"), "admissionPolicy: {enabled: true, trustedUsernames: [" + FLUX + "]}");
        controlPlane = cluster.controlPlane();
        admin = cluster.admin();
        // Everyone signed in may edit EngineerAccess (as with the built-in "edit" role): only the policy stops them.
        admin.resource(new ClusterRoleBuilder().withNewMetadata().withName("engineeraccess-editor").endMetadata()
                .addNewRule().withApiGroups(EngineerAccess.GROUP).withResources("engineeraccesses", "accesspolicies")
                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").endRule().build()).create();
        admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName("engineeraccess-editor").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("engineeraccess-editor")
                .endRoleRef().addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group")
                .withName("system:authenticated").endSubject().build()).create();
        // The API server loads a new policy and binding a moment after they are stored.
        awaitRefused(ADA, "the policy in force", c -> c.resource(engineer("probe", ADA, "")).dryRun().create(),
                "You cannot create or change your own EngineerAccess");
    }

    @BeforeEach
    void needsACurrentServer() {
        assertThat(minor).as("CRD CEL rules and the chart's ValidatingAdmissionPolicy need Kubernetes 1." + NEEDS_MINOR
                + " or later, and scripts/k8s/go.mod pins 1." + minor + ", which ignores both").isGreaterThanOrEqualTo(NEEDS_MINOR);
    }

    @AfterAll
    static void stopTheControlPlane() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // --- CRD CEL rules -------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void everyCelRuleInTheCrdsIsTestedHere() throws IOException {
        // The messages of the rules in crds/, and of the Java types below: adding a rule without a case here fails.
        TreeSet<String> inCrds = new TreeSet<>();
        for (Path crd : List.of(Path.of("crds/engineeraccesses.access.govuk.digital-v1.yml"),
                Path.of("crds/accesspolicies.access.govuk.digital-v1.yml"))) {
            new YAMLMapper().readTree(Files.readString(crd)).findValues("x-kubernetes-validations")
                    .forEach(rules -> rules.forEach(r -> inCrds.add(r.get("message").asText())));
        }
        assertThat(inCrds).containsExactlyInAnyOrder(message(Shift.class), message(AdminException.class), message(Absence.class),
                message(NamespaceSelector.class));
    }

    @Test
    @Order(2)
    void aShiftThatEndsBeforeItStartsIsRefused() {
        assertRefusedByRule(engineer("cel-shift", "shift@example.gov.uk", """
                  shifts:
                  - {role: Shadow, startTime: "2026-03-02T17:00:00Z", endTime: "2026-03-02T09:00:00Z"}
                """), "spec.shifts[0]", message(Shift.class));
    }

    @Test
    @Order(2)
    void anExceptionThatExpiresBeforeItStartsIsRefused() {
        assertRefusedByRule(engineer("cel-exception", "exception@example.gov.uk", """
                  exceptions:
                  - approvedBy: head.of.tech@example.gov.uk
                    businessCase: An incident
                    supervisor: sam.primary@example.gov.uk
                    startTime: "2026-12-10T09:00:00Z"
                    expiryTime: "2026-12-10T09:00:00Z"
                """), "spec.exceptions[0]", message(AdminException.class));
    }

    @Test
    @Order(2)
    void anAbsenceThatEndsBeforeItBeginsIsRefused() {
        assertRefusedByRule(engineer("cel-absence", "absence@example.gov.uk", """
                  absences:
                  - {from: "2026-06-01"}
                  - {from: "2026-07-10", until: "2026-07-09"}
                """), "spec.absences[1]", message(Absence.class));
    }

    @Test
    @Order(2)
    void aSelectorLabelKeyOverItsBoundIsRefusedInEitherSelector() {
        String tooLong = "k".repeat(Bounds.LABEL_KEY + 1);
        for (String level : List.of("deploy", "admin")) {
            assertRefusedByRule(policy("cel-" + level + "-selector", level, tooLong),
                    "spec." + level + ".namespaceSelector", message(NamespaceSelector.class));
        }
    }

    @Test
    @Order(2)
    void theSameRuleGuardsThePolicyInForceInTheStatus() {
        // status.inForce repeats the spec the operator last applied; the status subresource checks its rules too.
        GenericKubernetesResource created = admin.resource(policy("cel-status", "deploy", "a")).create();
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) created.getAdditionalProperties().get("spec");
        for (String level : List.of("deploy", "admin")) {
            GenericKubernetesResource withStatus = Serialization.clone(created);
            Map<String, Object> inForceSpec = Serialization.unmarshal(Serialization.asJson(spec), Map.class);
            inForceSpec.put(level, Map.of("clusterRole", "production-" + level,
                    "namespaceSelector", Map.of("matchLabels", Map.of("k".repeat(Bounds.LABEL_KEY + 1), "true"))));
            withStatus.getAdditionalProperties().put("status", Map.of("inForce", Map.of("generation", 1, "spec", inForceSpec)));
            assertThatThrownBy(() -> admin.resource(withStatus).updateStatus())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertRuleCause(e,
                            "status.inForce.spec." + level + ".namespaceSelector", message(NamespaceSelector.class)));
        }
    }

    @Test
    @Order(3)
    void objectsThatKeepEveryRuleAreAccepted() {
        // Each rule at its edge: an absence returning the day it began, a label key of exactly the bound.
        try (KubernetesClient flux = controlPlane.as(FLUX)) {
            flux.resource(engineer("cel-valid", "valid@example.gov.uk", """
                      shifts:
                      - {role: Shadow, startTime: "2026-03-02T09:00:00Z", endTime: "2026-03-02T09:00:01Z"}
                      exceptions:
                      - approvedBy: head.of.tech@example.gov.uk
                        businessCase: An incident
                        supervisor: sam.primary@example.gov.uk
                        startTime: "2026-12-10T09:00:00Z"
                        expiryTime: "2026-12-10T09:00:00.5Z"
                      absences:
                      - {from: "2026-06-01"}
                      - {from: "2026-07-10", until: "2026-07-10"}
                    """)).create();
        }
        admin.resource(policy("cel-valid", "admin", "k".repeat(Bounds.LABEL_KEY))).create();
        assertThat(admin.resources(EngineerAccess.class).withName("cel-valid").get()).isNotNull();
        assertThat(admin.resources(AccessPolicy.class).withName("cel-valid").get()).isNotNull();
    }

    // --- The chart's ValidatingAdmissionPolicy, as real users ------------------------------------------------------

    @Test
    @Order(10)
    void editingYourOwnEngineerAccessIsRefused() {
        createAsFlux(engineer("vap-own-edit", ADA, ""));
        assertRefusedByPolicy(ADA, c -> mergePatch(c, "vap-own-edit", "{\"spec\": {\"fullName\": \"Ada Promoted\"}}"),
                "You cannot create or change your own EngineerAccess (spec.subject.name is you, " + ADA + ")."
                        + " Ask someone else with edit rights to make this change.");
        try (KubernetesClient mallory = controlPlane.as(MALLORY)) {
            mergePatch(mallory, "vap-own-edit", "{\"spec\": {\"fullName\": \"Ada Renamed\"}}");
        }
        assertThat(admin.resources(EngineerAccess.class).withName("vap-own-edit").get().getSpec().fullName)
                .as("someone else may change it").isEqualTo("Ada Renamed");
    }

    @Test
    @Order(10)
    void anApprovalInSomeoneElsesNameIsRefusedAndTheNamedApproverIsAllowed() {
        createAsFlux(engineer("vap-approval", ADA, ""));
        String approval = "{\"spec\": {\"deployApproval\": {\"approvedBy\": \"" + TESS + "\", \"approvedOn\": \"2026-02-01\","
                + " \"confirmations\": {\"codeReview\": true, \"releaseResponsibilities\": true, \"rollback\": true, \"gettingHelp\": true}}}}";
        assertRefusedByPolicy(MALLORY, c -> mergePatch(c, "vap-approval", approval),
                "Only " + TESS + " may add or change this deploy approval (spec.deployApproval), and you are " + MALLORY
                        + ". Ask them to record it, or leave spec.deployApproval as it was.");
        assertThat(admin.resources(EngineerAccess.class).withName("vap-approval").get().getSpec().deployApproval).isNull();
        try (KubernetesClient tess = controlPlane.as(TESS)) {
            mergePatch(tess, "vap-approval", approval);
        }
        assertThat(admin.resources(EngineerAccess.class).withName("vap-approval").get().getSpec().deployApproval.approvedBy)
                .isEqualTo(TESS);
    }

    @Test
    @Order(10)
    void deletingYourOwnEngineerAccessIsRefused() {
        createAsFlux(engineer("vap-own-delete", ADA, ""));
        assertRefusedByPolicy(ADA, c -> c.resources(EngineerAccess.class).withName("vap-own-delete").delete(),
                "You may not remove your own access record: spec.subject.name is you, " + ADA + ".");
        assertThat(admin.resources(EngineerAccess.class).withName("vap-own-delete").get()).isNotNull();
    }

    @Test
    @Order(10)
    void deletingWithCascadeOrphanIsRefusedAndAnOrdinaryDeleteIsAllowed() throws Exception {
        createAsFlux(engineer("vap-orphan", ADA, ""));
        // kubectl itself, as Mallory: the pinned release's kubectl sends propagationPolicy Orphan.
        assertThatThrownBy(() -> controlPlane.kubectl("delete", "engineeraccess", "vap-orphan", "--cascade=orphan", "--as=" + MALLORY))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ValidatingAdmissionPolicy '" + POLICY_NAME + "'")
                .hasMessageContaining("An EngineerAccess may not be deleted with --cascade=orphan. Access always ends");
        assertThat(admin.resources(EngineerAccess.class).withName("vap-orphan").get()).isNotNull();
        assertThat(controlPlane.kubectl("delete", "engineeraccess", "vap-orphan", "--as=" + MALLORY))
                .contains("engineeraccess.access.govuk.digital \"vap-orphan\" deleted");
    }

    // --- Strict mode: after a helm upgrade ---------------------------------------------------------------------------

    @Test
    @Order(100)
    void strictModeRefusesFactsFromAnyoneButTheTrustedIdentity() {
        createAsFlux(engineer("vap-strict", ADA, ""));
        ChartInstall.upgrade(controlPlane.kubeconfig(),
                "admissionPolicy: {enabled: true, strict: true, trustedUsernames: [" + FLUX + "]}");
        // A dry run, so nothing changes while the upgraded policy is on its way.
        awaitRefused(MALLORY, "strict mode in force",
                c -> c.resource(engineer("probe-strict", "probe@example.gov.uk", "")).dryRun().create(), "Strict mode");
        String clearance = "{\"spec\": {\"clearance\": {\"level\": \"SC\", \"grantedOn\": \"2026-02-01\"}}}";
        assertRefusedByPolicy(MALLORY, c -> mergePatch(c, "vap-strict", clearance),
                "Strict mode allows only the trusted identities (" + FLUX + ") to change spec.clearance, and you are " + MALLORY
                        + ". Only approvals (spec.deployApproval, spec.exceptions) may be written here, by the approver they name."
                        + " Make this change through the trusted identities, for example in a pull request.");
        assertRefusedByPolicy(MALLORY, c -> c.resource(engineer("vap-strict-new", "new@example.gov.uk", "")).create(),
                "Strict mode allows only the trusted identities (" + FLUX + ") to create an EngineerAccess, and you are " + MALLORY
                        + ". Make this change through them, for example in a pull request.");

        // The trusted identity may do both.
        try (KubernetesClient flux = controlPlane.as(FLUX)) {
            mergePatch(flux, "vap-strict", clearance);
            flux.resource(engineer("vap-strict-new", "new@example.gov.uk", "")).create();
        }
        assertThat(admin.resources(EngineerAccess.class).withName("vap-strict").get().getSpec().clearance.level.name()).isEqualTo("SC");
        // An approval is still written by the approver it names.
        try (KubernetesClient tess = controlPlane.as(TESS)) {
            mergePatch(tess, "vap-strict", "{\"spec\": {\"deployApproval\": {\"approvedBy\": \"" + TESS + "\", \"approvedOn\": \"2026-02-01\"}}}");
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    static String message(Class<?> type) {
        return type.getAnnotation(ValidationRule.class).message();
    }

    /** An EngineerAccess for the user {@code subject}, with BPSS clearance and no approvals, plus {@code extraSpec}. */
    static GenericKubernetesResource engineer(String name, String subject, String extraSpec) {
        return Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata: {name: %s}
                spec:
                  fullName: Test Engineer
                  role: Developer
                  employment: CivilServant
                  subject: {kind: User, name: "%s"}
                  clearance: {level: BPSS, grantedOn: "2026-01-12"}
                %s""".formatted(name, subject, extraSpec), GenericKubernetesResource.class);
    }

    /** An AccessPolicy (not named "default", so no operator would use it) whose {@code level} selector has this label key. */
    static GenericKubernetesResource policy(String name, String level, String labelKey) {
        return Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: AccessPolicy
                metadata: {name: %s}
                spec:
                  %s:
                    clusterRole: production-%s
                    namespaceSelector:
                      matchLabels: {"%s": "true"}
                """.formatted(name, level, level, labelKey), GenericKubernetesResource.class);
    }

    static void createAsFlux(GenericKubernetesResource item) {
        try (KubernetesClient flux = controlPlane.as(FLUX)) {
            flux.resource(item).create();
        }
    }

    static void mergePatch(KubernetesClient client, String name, String json) {
        client.resources(EngineerAccess.class).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    /** The API server refuses to create {@code item} (422), naming {@code field} and the rule's own message. */
    static void assertRefusedByRule(GenericKubernetesResource item, String field, String message) {
        assertThatThrownBy(() -> admin.resource(item).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertRuleCause(e, field, message));
        assertThat(admin.genericKubernetesResources(item.getApiVersion(), item.getKind()).withName(item.getMetadata().getName()).get())
                .isNull();
    }

    static void assertRuleCause(KubernetesClientException e, String field, String message) {
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
        List<StatusCause> causes = e.getStatus().getDetails().getCauses();
        assertThat(causes).as(e.getMessage()).singleElement().satisfies(c -> {
            assertThat(c.getField()).isEqualTo(field);
            assertThat(c.getMessage()).endsWith(": " + message);
        });
    }

    /** As {@code user}, {@code request} is refused by the chart's policy (403) with exactly this message. */
    static void assertRefusedByPolicy(String user, Consumer<KubernetesClient> request, String message) {
        try (KubernetesClient client = controlPlane.as(user)) {
            assertThatThrownBy(() -> request.accept(client))
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(403);
                        assertThat(e.getStatus().getMessage()).contains("ValidatingAdmissionPolicy '" + POLICY_NAME + "' with binding '"
                                + POLICY_NAME + "' denied request: " + message);
                    });
        }
    }

    /** Waits (a policy change reaches the API server's admission a moment after it is stored) until {@code request} is refused. */
    static void awaitRefused(String user, String what, Consumer<KubernetesClient> request, String messagePart) {
        List<String> answers = new ArrayList<>();
        try (KubernetesClient client = controlPlane.as(user)) {
            Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                try {
                    request.accept(client);
                    answers.add("allowed");
                    return false;
                } catch (KubernetesClientException e) {
                    answers.add(e.getCode() + " " + e.getMessage());
                    return e.getCode() == 403 && e.getMessage().contains(messagePart);
                }
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + ": never refused; last answers " + answers.subList(Math.max(0, answers.size() - 3), answers.size()), e);
        }
    }
}
