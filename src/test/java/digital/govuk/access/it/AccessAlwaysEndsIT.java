package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.operator.Fixtures;
import digital.govuk.access.operator.Written;
import digital.govuk.access.operator.runtime.ClockSkew;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Issue 14, "Access always ends", on a real kube-apiserver with the packaged operator running as the chart's
 * ServiceAccount: the ways a RoleBinding could outlive the rule that justified it in ordinary cluster operations.
 * Each test fails on the operator before this issue: bindings left by {@code --cascade=orphan} or a stripped owner
 * reference stayed for ever, a field the operator did not know stopped its watch (and every revocation with it),
 * and an invalid policy froze revocations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessAlwaysEndsIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** How late an expiry may be applied here: the operator is on time to well under a second; the margin is for a busy CI. */
    static final Duration LATE = Duration.ofSeconds(3);
    /** The operator compares every EngineerAccess with the API server 2, 10 and 30 s after its CRD changes. */
    static final Duration SCHEMA_LOOKS = Duration.ofSeconds(45);
    static final String CRD = "engineeraccesses.access.govuk.digital";

    static final Map<String, String> ENV = Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false", "ENGINEER_ACCESS_UNEXPLAINED_EVERY", "2s");

    static KubernetesClient admin;
    static OperatorProcess operator;

    @BeforeAll
    static void start() {
        admin = InstalledCluster.get().admin;
        operator = OperatorProcess.start("access-always-ends", InstalledCluster.get().operatorKubeconfig, InstalledCluster.LOGS,
                ENV);
        operator.awaitLog("'engineeraccess' controller started", WAIT);
    }

    static void restartOperator(String name) {
        operator.close();
        operator = OperatorProcess.start(name, InstalledCluster.get().operatorKubeconfig, InstalledCluster.LOGS,
                ENV);
        operator.awaitLog("'engineeraccess' controller started", WAIT);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    @Order(1)
    void aDeleteWithCascadeOrphanEndsTheAccessAtOnce() {
        admin.resource(HostileClusterIT.exceptionEngineer("fay", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(2)))).create();
        await().atMost(WAIT).until(() -> binding("apps", "fay-admin") != null && binding("platform", "fay-admin") != null);

        Instant deleted = Instant.now();
        admin.resources(EngineerAccess.class).withName("fay").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        // The API server marks it for deletion with the finalizer "orphan"; the garbage collector strips the owner
        // references, then lets it go. It justifies no access from the moment it is marked (decision 70).
        await().atMost(LATE.plusSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> binding("apps", "fay-admin") == null
                && binding("platform", "fay-admin") == null && binding("apps", "fay-deploy") == null);
        Instant removed = Instant.now();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> admin.resources(EngineerAccess.class).withName("fay").get() == null);
        say("the EngineerAccess deleted with --cascade=orphan: its 3 bindings removed %d ms after the delete; the EngineerAccess gone %d ms after that",
                Duration.between(deleted, removed).toMillis(), Duration.between(removed, Instant.now()).toMillis());
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin.v1().events().inNamespace("default").list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("AccessRemoved");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("fay");
                }));
        HostileClusterIT.sleep(Duration.ofSeconds(2));
        assertThat(binding("apps", "fay-admin")).as("nothing comes back").isNull();
    }

    /**
     * Decision 29 on a real API server: a ValidatingAdmissionPolicy refuses every status write for one EngineerAccess,
     * so each of its reconciliations fails after its bindings are applied, and the retries wait longer each time (1,
     * 2, 4, 8, 16 s). Its exception still ends at its instant; before, at the retry after it (about 7 s late here).
     */
    @Test
    @Order(2)
    void anExpiryComesOnTimeWhileEveryStatusWriteIsRefused() {
        List<HasMetadata> policy = refuseStatusWrites("test-refuse-status", "engineeraccesses/status",
                "!has(object.metadata.labels) || !('test.example.com/refuse-status' in object.metadata.labels)");
        try {
            Instant expiry = Instant.now().plusSeconds(24);
            EngineerAccess ned = HostileClusterIT.exceptionEngineer("ned", Instant.now().minus(Duration.ofHours(1)), expiry);
            ned.getMetadata().setLabels(Map.of("test.example.com/refuse-status", "true"));
            admin.resource(ned).create();
            await().atMost(WAIT).until(() -> binding("apps", "ned-admin") != null && binding("platform", "ned-admin") != null);
            say("every status write refused: the Admin bindings removed %d ms after their expiry", adminRemovedAfter("ned", expiry));
            assertThat(binding("apps", "ned-deploy")).as("Deploy is held on its own").isNotNull();
            assertThat(admin.resources(EngineerAccess.class).withName("ned").get().getStatus())
                    .as("the policy refused every status write, so the retries grew").isNull();
            // The same failure at every retry is said once (decision 29), not once a retry.
            assertThat(operator.log().lines().filter(l -> l.contains("engineer=ned reason=ReconcileFailed")).toList())
                    .singleElement().satisfies(l -> assertThat(l).contains("could not write the status").contains("test-refuse-status"));
        } finally {
            policy.forEach(o -> admin.resource(o).delete());
            admin.resources(EngineerAccess.class).withName("ned").delete();
        }
    }

    /**
     * Decision 81 on a real API server: the operator loses the right to get an EngineerAccess, keeping list and watch,
     * as a ClusterRole edited wrongly in an upgrade would leave it. Every read in front of a write is then refused
     * (403), the read ahead of the expiry included; ivy's exception still ends at its instant. Before, nothing was
     * removed while the reads failed.
     */
    @Test
    @Order(2)
    void anExpiryComesOnTimeWhileTheEngineerAccessCannotBeRead() {
        String role = admin.rbac().clusterRoles().list().getItems().stream()
                .filter(r -> r.getRules().stream().anyMatch(rule -> rule.getResources().contains("engineeraccesses/status")))
                .map(r -> r.getMetadata().getName()).findFirst().orElseThrow();
        List<PolicyRule> granted = admin.rbac().clusterRoles().withName(role).get().getRules();
        Instant expiry = Instant.now().plusSeconds(24);
        admin.resource(HostileClusterIT.exceptionEngineer("ivy", Instant.now().minus(Duration.ofHours(1)), expiry)).create();
        try {
            await().atMost(WAIT).until(() -> binding("apps", "ivy-admin") != null && binding("platform", "ivy-admin") != null);
            admin.rbac().clusterRoles().withName(role).edit(r -> {
                r.getRules().stream().filter(rule -> rule.getResources().equals(List.of("engineeraccesses")))
                        .forEach(rule -> rule.setVerbs(List.of("list", "watch")));
                return r;
            });
            HostileClusterIT.sleep(Duration.ofSeconds(2)); // the authorizer takes up the change within a second or so
            say("every read of the EngineerAccess refused: the Admin bindings removed %d ms after their expiry",
                    adminRemovedAfter("ivy", expiry));
            assertThat(binding("apps", "ivy-deploy")).as("Deploy is held on its own").isNotNull();
            await().atMost(WAIT).until(() -> operator.log().contains("could not read the EngineerAccess again before changing its"
                    + " RoleBindings"));
        } finally {
            admin.rbac().clusterRoles().withName(role).edit(r -> {
                r.setRules(granted);
                return r;
            });
            admin.resources(EngineerAccess.class).withName("ivy").delete();
        }
    }

    /**
     * Waits for {@code expiry}, then until the Admin bindings of {@code engineer} in apps and platform are gone, at most
     * {@link #LATE} after it; returns how many milliseconds after the expiry that was.
     */
    static long adminRemovedAfter(String engineer, Instant expiry) {
        HostileClusterIT.sleepUntil(expiry);
        await().atMost(LATE).pollInterval(Duration.ofMillis(100))
                .until(() -> binding("apps", engineer + "-admin") == null && binding("platform", engineer + "-admin") == null);
        return Duration.between(expiry, Instant.now()).toMillis();
    }

    /**
     * A ValidatingAdmissionPolicy and its binding, created, that refuse every update of {@code resource} in our API
     * group (a status subresource) for which {@code allowed} (CEL) is false, as an admission policy of the cluster's
     * own could. Delete what it returns afterwards.
     */
    static List<HasMetadata> refuseStatusWrites(String name, String resource, String allowed) {
        String yaml = """
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: %1$s}
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                    - apiGroups: ["access.govuk.digital"]
                      apiVersions: ["*"]
                      operations: ["UPDATE"]
                      resources: ["%2$s"]
                  validations:
                  - expression: "%3$s"
                    message: this test refuses this status
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: %1$s}
                spec:
                  policyName: %1$s
                  validationActions: [Deny]
                """.formatted(name, resource, allowed.replace("\"", "\\\""));
        List<HasMetadata> objects = admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        objects.forEach(o -> admin.resource(o).create());
        HostileClusterIT.sleep(Duration.ofSeconds(2)); // the API server takes up a new policy within a second or so
        return objects;
    }

    /**
     * Decision 44 on a real API server, while an admission policy refuses every status write of the AccessPolicy: a
     * valid edit that takes access away (exceptions of at most 1 day: pia's 3-day one is rejected) applies at once, and
     * the invalid edit after it keeps that valid edit in force, not the older policy the status still records: the
     * Admin it took away does not come back (before, it did).
     */
    @Test
    @Order(2)
    void anInvalidEditAfterAValidOneNotYetRecordedKeepsTheValidOne() {
        admin.resource(HostileClusterIT.exceptionEngineer("pia", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(2)))).create();
        await().atMost(WAIT).until(() -> binding("apps", "pia-admin") != null && binding("platform", "pia-admin") != null);
        AccessPolicy before = admin.resources(AccessPolicy.class).withName("default").get();
        List<HasMetadata> refusal = refuseStatusWrites("test-refuse-policy-status", "accesspolicies/status", "false");
        try {
            HostileClusterIT.edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
                p.getSpec().maxExceptionDays = 1;
                return p;
            });
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> binding("apps", "pia-admin") == null && binding("platform", "pia-admin") == null);
            HostileClusterIT.edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
                p.getSpec().timeZone = "Mars/Olympus_Mons";
                return p;
            });
            await().atMost(WAIT).untilAsserted(() -> assertThat(Written.status(admin, "pia")
                    .conditions).anySatisfy(c -> {
                        assertThat(c.type).isEqualTo("PolicyValid");
                        assertThat(c.status).isEqualTo("False");
                    }));
            HostileClusterIT.sleep(Duration.ofSeconds(3));
            assertThat(binding("apps", "pia-admin")).as("the Admin the valid edit took away stays away").isNull();
            assertThat(binding("platform", "pia-admin")).isNull();
            assertThat(binding("apps", "pia-deploy")).isNotNull();
            assertThat(operator.log()).contains("policy=default reason=StatusNotWritten");

            // Decision 73: a restart finds only the record, which names the policy before the valid edit. It must not
            // grant what that edit took away; it still revokes.
            restartOperator("access-always-ends-restarted");
            await().atMost(WAIT).untilAsserted(() -> assertThat(Written.status(admin, "pia")
                    .conditions).anySatisfy(c -> {
                        assertThat(c.type).isEqualTo("Ready");
                        assertThat(c.reason).isEqualTo(StatusBuilder.GRANTS_WITHHELD_REASON);
                    }));
            HostileClusterIT.sleep(Duration.ofSeconds(3));
            assertThat(binding("apps", "pia-admin")).as("after a restart, the Admin the valid edit took away stays away").isNull();
            assertThat(binding("platform", "pia-admin")).isNull();
            assertThat(binding("apps", "pia-deploy")).isNotNull();
            // Once the policy's status can be written, the record says so, for the next restart.
            refusal.forEach(o -> admin.resource(o).delete());
            await().atMost(WAIT).untilAsserted(() -> assertThat(Written.policyInForce(admin, "default")
                    .inForce.grantsWithheld).isTrue());
        } finally {
            refusal.forEach(o -> admin.resource(o).delete());
            HostileClusterIT.edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
                p.setSpec(before.getSpec());
                return p;
            });
            admin.resources(EngineerAccess.class).withName("pia").delete();
        }
    }

    @Test
    @Order(2)
    void aStrippedOwnerReferenceIsPutBackAndTheBindingStillEndsAtItsExpiry() {
        Instant expiry = Instant.now().plusSeconds(20);
        admin.resource(HostileClusterIT.exceptionEngineer("gil", Instant.now().minus(Duration.ofHours(1)), expiry)).create();
        await().atMost(WAIT).until(() -> binding("apps", "gil-admin") != null && binding("platform", "gil-admin") != null);
        String uid = admin.resources(EngineerAccess.class).withName("gil").get().getMetadata().getUid();

        // Anyone who may patch RoleBindings can remove the owner reference: the API server checks no escalation for that.
        admin.rbac().roleBindings().inNamespace("apps").withName("gil-admin")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/metadata/ownerReferences\"}]");
        Instant stripped = Instant.now();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(Written.binding(admin, "apps", "gil-admin")
                .getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(uid)));
        say("a stripped owner reference put back %d ms after the patch", Duration.between(stripped, Instant.now()).toMillis());

        // Stripped again just before the expiry: it still ends on time.
        admin.rbac().roleBindings().inNamespace("apps").withName("gil-admin")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/metadata/ownerReferences\"}]");
        HostileClusterIT.sleepUntil(expiry);
        await().atMost(LATE.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> binding("apps", "gil-admin") == null && binding("platform", "gil-admin") == null);
        assertThat(Duration.between(expiry, Instant.now())).as("removed close to its expiry").isLessThan(LATE.plusSeconds(5));
        say("a binding stripped of its owner reference removed %d ms after its expiry", Duration.between(expiry, Instant.now()).toMillis());
        admin.resources(EngineerAccess.class).withName("gil").delete();
    }

    @Test
    @Order(2)
    void aFinalizerSomeoneElseAddsCannotKeepABindingPastItsExpiry() {
        Instant expiry = Instant.now().plusSeconds(20);
        admin.resource(HostileClusterIT.exceptionEngineer("ivo", Instant.now().minus(Duration.ofHours(1)), expiry)).create();
        await().atMost(WAIT).until(() -> binding("apps", "ivo-admin") != null && binding("platform", "ivo-admin") != null);
        RoleBinding held = binding("apps", "ivo-admin");
        // Anyone who may patch RoleBindings in the namespace can add a finalizer. A binding being deleted still grants
        // its role while a finalizer holds it, so a DELETE answered 200 has not ended the access.
        admin.rbac().roleBindings().inNamespace("apps").withName("ivo-admin").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"finalizers\":[\"example.com/keep\"]}}");
        assertThat(mayUseTheRole(held)).as("the engineer holds the role before the expiry").isTrue();

        HostileClusterIT.sleepUntil(expiry);
        await().atMost(LATE.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> binding("apps", "ivo-admin") == null && binding("platform", "ivo-admin") == null);
        say("a binding held by someone else's finalizer removed %d ms after its expiry", Duration.between(expiry, Instant.now()).toMillis());
        // The API server's authorizer learns of the deletion through its own watch, a moment later.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> !mayUseTheRole(held));
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin.v1().events().inNamespace("apps").list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("FinalizerRemoved");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("ivo-admin");
                    assertThat(e.getMessage()).contains("example.com/keep");
                }));
        // The record says the Admin access ended only once it had: the Deploy binding is all that is left.
        assertThat(admin.resources(EngineerAccess.class).withName("ivo").get().getStatus().bindings)
                .allSatisfy(b -> assertThat(b.clusterRole).isEqualTo("production-deploy"));
        admin.resources(EngineerAccess.class).withName("ivo").delete();
    }

    @Test
    @Order(2)
    void anEngineerAccessBeingDeletedKeepsNoAccessWhileAFinalizerHoldsIt() {
        admin.resource(HostileClusterIT.exceptionEngineer("uma", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(2)))).create();
        await().atMost(WAIT).until(() -> binding("apps", "uma-deploy") != null && binding("apps", "uma-admin") != null
                && binding("platform", "uma-admin") != null);
        RoleBinding admin1 = binding("apps", "uma-admin");
        // Someone's tool holds the record; then it is deleted, as a person leaving is removed.
        admin.resources(EngineerAccess.class).withName("uma").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"finalizers\":[\"example.com/keep\"]}}");
        Instant deleted = Instant.now();
        admin.resources(EngineerAccess.class).withName("uma").delete();
        try {
            await().atMost(LATE.plusSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> binding("apps", "uma-deploy") == null
                    && binding("apps", "uma-admin") == null && binding("platform", "uma-admin") == null);
            say("an EngineerAccess held by a finalizer: its bindings removed %d ms after its deletion",
                    Duration.between(deleted, Instant.now()).toMillis());
            assertThat(admin.resources(EngineerAccess.class).withName("uma").get().getMetadata().getDeletionTimestamp()).isNotNull();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> !mayUseTheRole(admin1));
            await().atMost(WAIT).untilAsserted(() -> assertThat(admin.v1().events().inNamespace("default").list().getItems())
                    .anySatisfy(e -> {
                        assertThat(e.getReason()).isEqualTo("AccessRemoved");
                        assertThat(e.getInvolvedObject().getName()).isEqualTo("uma");
                    }));
            // The record held says so: it holds nothing now (its status listed the three bindings), and why.
            await().atMost(WAIT).untilAsserted(() -> {
                EngineerAccessStatus held = Written.status(admin, "uma");
                assertThat(held.level).isEqualTo(Level.None);
                assertThat(held.bindings).isEmpty();
                assertThat(held.conditions).filteredOn(c -> "Ready".equals(c.type)).singleElement().satisfies(c -> {
                    assertThat(c.reason).isEqualTo("BeingDeleted");
                    assertThat(c.message).contains("held by example.com/keep");
                });
                assertThat(held.history).last().satisfies(h -> {
                    assertThat(h.reason).isEqualTo("Deleted");
                    assertThat(h.fromLevel).isEqualTo(AccessStage.AdminSupervised);
                });
            });
            // Nothing comes back while the record stays held (a reconciliation in flight, the expiry's timer).
            HostileClusterIT.sleep(Duration.ofSeconds(3));
            assertThat(binding("apps", "uma-deploy")).isNull();
            assertThat(binding("apps", "uma-admin")).isNull();
            assertThat(admin.resources(EngineerAccess.class).withName("uma").get().getStatus().level).isEqualTo(Level.None);
        } finally {
            admin.resources(EngineerAccess.class).withName("uma").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"finalizers\":null}}");
        }
        await().atMost(WAIT).until(() -> admin.resources(EngineerAccess.class).withName("uma").get() == null);
        assertThat(admin.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "AccessRemoved".equals(e.getReason()) && "uma".equals(e.getInvolvedObject().getName()))
                .mapToInt(e -> e.getCount() == null ? 1 : e.getCount()).sum()).as("one record of the removal").isEqualTo(1);
    }

    /**
     * Whether the binding's subject may do something only its role allows, in its namespace (a SubjectAccessReview):
     * the first thing the Admin role allows that the Deploy role, which the engineer keeps, does not.
     */
    static boolean mayUseTheRole(RoleBinding rb) {
        List<PolicyRule> deploy = admin.rbac().clusterRoles().withName("production-deploy").get().getRules();
        for (PolicyRule rule : admin.rbac().clusterRoles().withName(rb.getRoleRef().getName()).get().getRules()) {
            for (String verb : rule.getVerbs()) {
                for (String resource : rule.getResources()) {
                    String group = rule.getApiGroups().get(0);
                    if (deploy.stream().noneMatch(d -> d.getApiGroups().contains(group) && d.getResources().contains(resource)
                            && d.getVerbs().contains(verb))) {
                        Subject who = rb.getSubjects().get(0);
                        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
                                .withUser("User".equals(who.getKind()) ? who.getName() : "someone@example.gov.uk")
                                .withGroups("Group".equals(who.getKind()) ? List.of(who.getName()) : List.of())
                                .withNewResourceAttributes().withNamespace(rb.getMetadata().getNamespace()).withVerb(verb)
                                .withGroup(group).withResource(resource).endResourceAttributes().endSpec().build();
                        return admin.authorization().v1().subjectAccessReview().create(review).getStatus().getAllowed();
                    }
                }
            }
        }
        throw new IllegalStateException(rb.getRoleRef().getName() + " allows nothing production-deploy does not");
    }

    @Test
    @Order(3)
    void anEngineerAccessWithAFieldTheOperatorDoesNotKnowIsRefusedAloneAndItsExpiryStillEnds() {
        // Room for the API server to serve the newer CRD (it rebuilds its handler and ends the watches) before the expiry.
        Instant expiry = Instant.now().plusSeconds(75);
        admin.resource(HostileClusterIT.exceptionEngineer("hal", Instant.now().minus(Duration.ofHours(1)), expiry)).create();
        admin.resource(HostileClusterIT.exceptionEngineer("jo", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofHours(1)))).create();
        await().atMost(WAIT).until(() -> binding("apps", "hal-admin") != null && binding("apps", "jo-admin") != null);
        CustomResourceDefinition original = admin.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
        try {
            // A newer CRD (the chart upgraded before the operator): spec gains "team", and hal sets it.
            HostileClusterIT.edit(admin.apiextensions().v1().customResourceDefinitions().withName(CRD), crd -> {
                crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties()
                        .put("team", new JSONSchemaPropsBuilder().withType("string").build());
                return crd;
            });
            // The API server ends every watch of the kind when it starts serving the new CRD, and an edit made around
            // then may never reach a watch, or reach it with the new field pruned. The operator watches the CRD and, as
            // the new schema comes into service, compares every EngineerAccess with the API server's copy: one edit is
            // enough. jo's exception is withdrawn in the same moment: a missed withdrawal must still end the access.
            Instant edited = Instant.now();
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                GenericKubernetesResource hal = admin.genericKubernetesResources("access.govuk.digital/v1alpha1", "EngineerAccess")
                        .withName("hal").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"team\":\"platform\"}}");
                return "platform".equals(((Map<?, ?>) hal.getAdditionalProperties().get("spec")).get("team"));
            });
            HostileClusterIT.edit(admin.resources(EngineerAccess.class).withName("jo"), ea -> {
                ea.getSpec().exceptions = List.of();
                return ea;
            });
            await().atMost(SCHEMA_LOOKS).pollInterval(Duration.ofMillis(100))
                    .until(() -> binding("apps", "jo-admin") == null && binding("platform", "jo-admin") == null);
            say("an exception withdrawn as the CRD changed: its bindings removed %d ms after the edit",
                    Duration.between(edited, Instant.now()).toMillis());
            await().atMost(SCHEMA_LOOKS).pollInterval(Duration.ofMillis(100))
                    .until(() -> "OperatorOutdated".equals(condition("hal", "SpecValid").reason));
            say("hal refused for its unknown field %d ms after its one edit", Duration.between(edited, Instant.now()).toMillis());
            assertThat(condition("hal", "SpecValid")).satisfies(c -> {
                assertThat(c.status).isEqualTo("False");
                assertThat(c.reason).isEqualTo("OperatorOutdated");
                assertThat(c.message).contains("spec.team");
            });
            assertThat(Instant.now()).as("refused before the expiry, so the rest of this test shows what it should").isBefore(expiry);
            assertThat(binding("apps", "hal-admin")).as("nothing is taken away for the unknown field alone").isNotNull();

            // Every other engineer is still served: a new one converges while hal is refused.
            admin.resource(HostileClusterIT.withExtra("ike", "")).create();
            await().atMost(WAIT).until(() -> binding("apps", "ike-deploy") != null);

            HostileClusterIT.sleepUntil(expiry);
            await().atMost(LATE.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> binding("apps", "hal-admin") == null && binding("platform", "hal-admin") == null);
            say("the bindings of an EngineerAccess with an unknown field removed %d ms after their expiry",
                    Duration.between(expiry, Instant.now()).toMillis());
            assertThat(operator.alive()).as("the operator never exits").isTrue();
            assertThat(operator.log()).doesNotContain("will stop").doesNotContain("could not be reached");
        } finally {
            admin.resources(EngineerAccess.class).withName("hal").delete();
            admin.resources(EngineerAccess.class).withName("ike").delete();
            admin.resources(EngineerAccess.class).withName("jo").delete();
            await().atMost(WAIT).until(() -> admin.genericKubernetesResources("access.govuk.digital/v1alpha1", "EngineerAccess")
                    .withName("hal").get() == null);
            HostileClusterIT.edit(admin.apiextensions().v1().customResourceDefinitions().withName(CRD), crd -> {
                crd.getSpec().setVersions(original.getSpec().getVersions());
                return crd;
            });
        }
    }

    @Test
    @Order(4)
    void anInvalidPolicyKeepsTheLastValidOneInForceSoAbsencesAndExpiriesStillRevoke() {
        Instant expiry = Instant.now().plusSeconds(25);
        admin.resource(HostileClusterIT.exceptionEngineer("ivy", Instant.now().minus(Duration.ofHours(1)), expiry)).create();
        admin.resource(HostileClusterIT.withExtra("jon", "")).create();
        await().atMost(WAIT).until(() -> binding("apps", "ivy-admin") != null && binding("apps", "jon-deploy") != null);
        AccessPolicy before = admin.resources(AccessPolicy.class).withName("default").get();
        long validGeneration = before.getMetadata().getGeneration();
        try {
            HostileClusterIT.edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
                p.getSpec().timeZone = "Mars/Olympus_Mons";
                return p;
            });
            await().atMost(WAIT).untilAsserted(() -> {
                var status = Written.policyStatus(admin, "default");
                assertThat(status.conditions).anySatisfy(c -> {
                    assertThat(c.type).isEqualTo("Valid");
                    assertThat(c.status).isEqualTo("False");
                    assertThat(c.message).contains("spec.timeZone").contains("generation " + validGeneration + ") stays in force");
                });
                assertThat(status.inForce.generation).isEqualTo(validGeneration);
            });

            // A long absence recorded while the policy is invalid still revokes.
            // A merge patch, as kubectl would send: no conflict with the operator's status writes.
            admin.resources(EngineerAccess.class).withName("jon").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"absences\":[{\"from\":\"" + java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(60) + "\"}]}}");
            Instant away = Instant.now();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> binding("apps", "jon-deploy") == null);
            say("with the policy invalid, a long absence revoked in %d ms", Duration.between(away, Instant.now()).toMillis());

            // And an expiry still ends on time.
            HostileClusterIT.sleepUntil(expiry);
            await().atMost(LATE.plusSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> binding("apps", "ivy-admin") == null);
            say("with the policy invalid, an exception removed %d ms after its expiry", Duration.between(expiry, Instant.now()).toMillis());
        } finally {
            HostileClusterIT.edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
                p.setSpec(before.getSpec());
                return p;
            });
            admin.resources(EngineerAccess.class).withName("ivy").delete();
            admin.resources(EngineerAccess.class).withName("jon").delete();
        }
    }

    @Test
    @Order(5)
    void aSecondEngineerAccessForTheSamePersonIsRefusedAndLosesWhatItHad() {
        admin.resource(HostileClusterIT.withExtra("kai", "")).create();
        await().atMost(WAIT).until(() -> binding("apps", "kai-deploy") != null);
        HostileClusterIT.sleep(Duration.ofMillis(1_100)); // creation times are whole seconds: created later, not at once
        // The same person under another spelling, with Admin by exception: their grants must not stack.
        EngineerAccess twin = HostileClusterIT.exceptionEngineer("kai-twin", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(2)));
        twin.getSpec().subject.name = " KAI@example.gov.uk";
        admin.resource(twin).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(condition("kai-twin", "SpecValid")).satisfies(c -> {
            assertThat(c.status).isEqualTo("False");
            assertThat(c.reason).isEqualTo("DuplicateSubject");
            assertThat(c.message).contains("kai");
        }));
        assertThat(binding("apps", "kai-twin-admin")).isNull();
        assertThat(binding("apps", "kai-deploy")).isNotNull();

        // The first one goes: the person is the second one's now, and it grants by itself.
        admin.resources(EngineerAccess.class).withName("kai").delete();
        await().atMost(WAIT).until(() -> binding("apps", "kai-twin-admin") != null);
        admin.resources(EngineerAccess.class).withName("kai-twin").delete();
    }

    @Test
    @Order(6)
    void anApprovalUnderTheEngineersEmailIsSelfApproval() {
        EngineerAccess jane = HostileClusterIT.withExtra("jane", "");
        jane.getSpec().subject.name = "jane";
        jane.getSpec().email = "jane@example.gov.uk";
        jane.getSpec().deployApproval.approvedBy = "Jane@example.gov.uk";
        admin.resource(jane).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(condition("jane", "DeployAccess")).satisfies(c -> {
            assertThat(c.status).isEqualTo("False");
            assertThat(c.reason).isEqualTo("SelfApproval");
        }));
        assertThat(binding("apps", "jane-deploy")).isNull();
        admin.resources(EngineerAccess.class).withName("jane").delete();
    }

    @Test
    @Order(7)
    void accessTheOperatorDidNotGrantIsListedAndLeftAlone() {
        RoleBinding byHand = admin.resource(new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withNewMetadata()
                .withName("break-glass").withNamespace("apps").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("production-admin").endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("mallory@example.gov.uk").endSubject()
                .build()).create();
        try {
            // Looked at every few minutes; every 2 s in this test (engineer-access.unexplained.every).
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                var status = admin.resources(AccessPolicy.class).withName("default").get().getStatus();
                assertThat(status.unexplainedBindings).isGreaterThanOrEqualTo(1);
                assertThat(status.unexplained).anySatisfy(line -> assertThat(line).contains("apps/break-glass")
                        .contains("production-admin").contains("mallory@example.gov.uk"));
            });
            assertThat(operator.metric("engineer_access_unexplained_bindings")).isGreaterThanOrEqualTo(1);
            RoleBinding now = binding("apps", "break-glass");
            assertThat(now.getMetadata().getResourceVersion()).as("never touched").isEqualTo(byHand.getMetadata().getResourceVersion());
        } finally {
            admin.resource(byHand).delete();
        }
    }

    /**
     * Decision 75 on a real API server: a MutatingAdmissionPolicy adds mallory to every binding of rex on its way in.
     * The binding must not stay with mallory in it, the status must not claim it, and the operator must not write it
     * again at every watch event; once the policy is gone, rex's bindings are made as the rules say.
     */
    @Test
    @Order(8)
    void aBindingTheClusterAltersOnItsWayInIsRemovedAtOnce() {
        String version = Stream.of("v1", "v1beta1").filter(v -> admin.supports("admissionregistration.k8s.io/" + v, "MutatingAdmissionPolicy"))
                .findFirst().orElse(null);
        Assumptions.assumeTrue(version != null,
                "this API server has no MutatingAdmissionPolicy (GA from Kubernetes 1.36; scripts/control-plane.sh turns on the beta in 1.34 and 1.35)");
        String yaml = """
                apiVersion: admissionregistration.k8s.io/VERSION
                kind: MutatingAdmissionPolicy
                metadata: {name: test-add-mallory}
                spec:
                  failurePolicy: Fail
                  reinvocationPolicy: Never
                  matchConstraints:
                    resourceRules:
                    - apiGroups: ["rbac.authorization.k8s.io"]
                      apiVersions: ["v1"]
                      operations: ["CREATE", "UPDATE"]
                      resources: ["rolebindings"]
                  matchConditions:
                  - name: rex-only
                    expression: "object.metadata.name.startsWith('rex-')"
                  mutations:
                  - patchType: JSONPatch
                    jsonPatch:
                      expression: >-
                        [JSONPatch{op: "add", path: "/subjects/-", value: Object.subjects{kind: "User",
                        name: "mallory@example.gov.uk", apiGroup: "rbac.authorization.k8s.io"}}]
                ---
                apiVersion: admissionregistration.k8s.io/VERSION
                kind: MutatingAdmissionPolicyBinding
                metadata: {name: test-add-mallory}
                spec:
                  policyName: test-add-mallory
                """.replace("VERSION", version);
        List<HasMetadata> policy = admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
        policy.forEach(o -> admin.resource(o).create());
        HostileClusterIT.sleep(Duration.ofSeconds(2)); // the API server takes up a new policy within a second or so
        try {
            admin.resource(HostileClusterIT.exceptionEngineer("rex", Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(2)))).create();
            await().atMost(WAIT).untilAsserted(() -> assertThat(Written.status(admin, "rex")
                    .conditions).anySatisfy(c -> {
                        assertThat(c.type).isEqualTo("Ready");
                        assertThat(c.status).isEqualTo("False");
                        assertThat(c.message).contains("was changed on its way in").contains("mallory@example.gov.uk");
                    }));
            double creates = operator.sum("engineer_access_api_requests_total", "verb=\"create\"", "resource=\"rolebindings\"");
            for (int look = 0; look < 20; look++) {
                HostileClusterIT.sleep(Duration.ofMillis(250));
                assertThat(admin.rbac().roleBindings().inAnyNamespace().list().getItems())
                        .as("a binding of rex with mallory in it, for longer than a moment").noneMatch(rb -> rb.getMetadata().getName()
                                .startsWith("rex-") && rb.getSubjects().size() > 1 && rb.getMetadata().getCreationTimestamp() != null
                                && Duration.between(Instant.parse(rb.getMetadata().getCreationTimestamp()), Instant.now()).toSeconds() > 2);
            }
            // Retried 1, 2, 4 s apart for each of rex's three bindings: a few creates in these 5 s, not one at every watch event.
            assertThat(operator.sum("engineer_access_api_requests_total", "verb=\"create\"", "resource=\"rolebindings\"") - creates)
                    .as("creates of rex's bindings in 5 s").isLessThan(30);
            assertThat(admin.resources(EngineerAccess.class).withName("rex").get().getStatus().bindings).as("the status claims none")
                    .isEmpty();
            assertThat(operator.log()).as("no stack trace").doesNotContain("\tat ", "java.lang.");
            say("a binding altered by admission: removed; the status claims none; %.0f creates of rex's three bindings in 5 s",
                    operator.sum("engineer_access_api_requests_total", "verb=\"create\"", "resource=\"rolebindings\"") - creates);
        } finally {
            policy.forEach(o -> admin.resource(o).delete());
        }
        await().atMost(WAIT).until(() -> binding("apps", "rex-admin") != null && binding("platform", "rex-admin") != null);
        assertThat(binding("apps", "rex-admin").getSubjects()).singleElement()
                .satisfies(subject -> assertThat(subject.getName()).isEqualTo("rex@example.gov.uk"));
        admin.resources(EngineerAccess.class).withName("rex").delete();
    }

    @Test
    @Order(9)
    void theOperatorMeasuresItsClockAgainstTheApiServers() {
        // One machine, one clock: the skew the operator measures from the API server's answers is within a second,
        // so nothing is warned about (ClockSkewTest shows the warning for a skewed clock).
        await().atMost(WAIT).ignoreExceptions().until(() -> operator.management("/q/metrics").getValue()
                .lines().anyMatch(l -> l.startsWith("engineer_access_clock_skew_seconds ") && !l.endsWith("NaN")));
        assertThat(Math.abs(operator.metric("engineer_access_clock_skew_seconds"))).isLessThan(1.0);
        assertThat(admin.v1().events().inNamespace("default").list().getItems()).noneMatch(e -> "ClockSkew".equals(e.getReason()));
    }

    /**
     * Decision 76: deleting the AccessPolicy grants nothing. The built-in defaults accept any approver but the
     * engineer, the example policy only its tech leads: before the decision, the delete gave nia Deploy. The deleted
     * policy still takes access away, and after a restart, with no policy known at all, access is frozen.
     */
    @Test
    @Order(10)
    void deletingTheAccessPolicyGrantsNothingBeforeOrAfterARestart() {
        AccessPolicy before = admin.resources(AccessPolicy.class).withName("default").get();
        admin.resource(Fixtures.engineer("nia", "", "nora.not-a-lead@example.gov.uk")).create();
        admin.resource(HostileClusterIT.withExtra("kip", "")).create();
        admin.resource(HostileClusterIT.withExtra("pim", "")).create();
        await().atMost(WAIT).until(() -> binding("apps", "kip-deploy") != null && binding("apps", "pim-deploy") != null);
        await().atMost(WAIT).until(() -> "False".equals(condition("nia", "DeployAccess").status));
        try {
            admin.resources(AccessPolicy.class).withName("default").delete();
            // The status is written after the bindings: once it tells of the delete, the bindings are as decided.
            await().atMost(WAIT).until(() -> !"Valid".equals(condition("nia", "PolicyValid").reason));
            HostileClusterIT.sleep(Duration.ofSeconds(2));
            assertThat(binding("apps", "nia-deploy")).as("an approver the deleted policy refused is not accepted now").isNull();
            assertThat(condition("nia", "PolicyValid").reason).isEqualTo("NoPolicy");
            assertThat(binding("apps", "kip-deploy")).as("what the deleted policy gave stays").isNotNull();

            // The deleted policy still takes access away: a long absence.
            admin.resources(EngineerAccess.class).withName("kip").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"absences\":[{\"from\":\"" + java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(60) + "\"}]}}");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> binding("apps", "kip-deploy") == null);
            // Recorded as what it is (decision 77), not as a policy problem.
            await().atMost(WAIT).untilAsserted(() -> assertThat(admin.v1().events().inNamespace("default").list().getItems())
                    .anySatisfy(e -> {
                        assertThat(e.getInvolvedObject().getName()).isEqualTo("kip");
                        assertThat(e.getReason()).isEqualTo("AccessRevokedLongAbsence");
                    }));

            // A restart knows no policy at all: access is frozen, and a new engineer who meets every rule gets nothing.
            restartOperator("access-always-ends-no-policy");
            admin.resource(HostileClusterIT.withExtra("lou", "")).create();
            await().atMost(WAIT).until(() -> "NoPolicy".equals(condition("lou", "Ready").reason));
            assertThat(condition("lou", "PolicyValid").message).contains("access is frozen until one is created");
            HostileClusterIT.sleep(Duration.ofSeconds(2));
            assertThat(binding("apps", "lou-deploy")).isNull();
            assertThat(binding("apps", "nia-deploy")).isNull();
            assertThat(binding("apps", "pim-deploy")).as("frozen: what was granted stays").isNotNull();
            // Decision 78: frozen, but with its approval withdrawn no policy could grant pim Deploy.
            admin.resources(EngineerAccess.class).withName("pim").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"deployApproval\":null}}");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> binding("apps", "pim-deploy") == null);
        } finally {
            if (admin.resources(AccessPolicy.class).withName("default").get() == null) {
                AccessPolicy again = new AccessPolicy();
                again.getMetadata().setName("default");
                again.setSpec(before.getSpec());
                admin.resource(again).create();
            }
        }
        // An AccessPolicy again: what it grants is granted, and only that.
        await().atMost(WAIT).until(() -> binding("apps", "lou-deploy") != null);
        assertThat(binding("apps", "nia-deploy")).isNull();
        for (String name : List.of("nia", "kip", "lou", "pim")) {
            admin.resources(EngineerAccess.class).withName(name).delete();
        }
    }

    /** A figure for docs/reliability.md, "Access always ends" (the polling adds up to 100 ms). */
    static void say(String format, Object... args) {
        System.out.printf("access always ends: " + format + "%n", args);
    }

    static RoleBinding binding(String namespace, String name) {
        return admin.rbac().roleBindings().inNamespace(namespace).withName(name).get();
    }

    /** Read as a generic object: this test's own client, like an old operator, does not know the newer field. */
    static Condition condition(String engineer, String type) {
        GenericKubernetesResource ea = admin.genericKubernetesResources("access.govuk.digital/v1alpha1", "EngineerAccess")
                .withName(engineer).get();
        Object status = ea == null ? null : ea.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> conditions)) {
            return new Condition();
        }
        for (Object c : conditions) {
            Map<?, ?> m = (Map<?, ?>) c;
            if (type.equals(m.get("type"))) {
                return new Condition(type, (String) m.get("status"), (String) m.get("reason"), (String) m.get("message"));
            }
        }
        return new Condition();
    }
}
