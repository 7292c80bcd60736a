package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.cli.Manifests;
import digital.govuk.access.cli.Plan;
import digital.govuk.access.operator.BindingWriter;
import digital.govuk.access.operator.TestClock;
import digital.govuk.access.operator.TransitionScheduler;
import digital.govuk.access.operator.Written;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.StandardHttpClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator against a real kube-apiserver with etcd, running as a user that holds only the chart's
 * ClusterRole. What the mock server cannot show: schema validation, printer columns and explain,
 * RBAC (including escalation prevention), and UID-preconditioned deletes.
 */
@QuarkusTest
@WithTestResource(RealApiServer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealApiServerTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TestClock clock;
    @Inject
    KubernetesClient operatorClient;
    @Inject
    TransitionScheduler transitions;
    @Inject
    BindingWriter writer;

    KubernetesClient admin() {
        return RealApiServer.admin();
    }

    @Test
    @Order(1)
    void crdsAreEstablishedAndTheSchemaRefusesBadManifests() {
        for (String name : List.of("engineeraccesses.access.govuk.digital", "accesspolicies.access.govuk.digital")) {
            assertThat(admin().apiextensions().v1().customResourceDefinitions().withName(name).get().getStatus().getConditions())
                    .anySatisfy(c -> {
                        assertThat(c.getType()).isEqualTo("Established");
                        assertThat(c.getStatus()).isEqualTo("True");
                    });
        }
        GenericKubernetesResource bad = Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata: {name: bad-manifest}
                spec:
                  fullName: Bad Manifest
                  role: Manager
                  employment: CivilServant
                  subject: {kind: User, name: bad@example.gov.uk}
                  clearance: {level: BPSS, grantedOn: 12/01/2026}
                """, GenericKubernetesResource.class);
        assertThatThrownBy(() -> admin().resource(bad).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.role").contains("Unsupported value: \"Manager\"")
                            .contains("spec.clearance.grantedOn");
                });
        GenericKubernetesResource missing = Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata: {name: bad-manifest}
                spec:
                  fullName: Bad Manifest
                  role: Developer
                  employment: CivilServant
                """, GenericKubernetesResource.class);
        assertThatThrownBy(() -> admin().resource(missing).create())
                .isInstanceOfSatisfying(KubernetesClientException.class,
                        e -> assertThat(e.getMessage()).contains("spec.subject: Required value"));
    }

    @Test
    @Order(2)
    void kubectlExplainShowsTheFieldDocumentation() {
        // The API server publishes a new CRD's OpenAPI schema a few seconds after it is Established.
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            String explain = RealApiServer.kubectl("explain", "engineeraccess.spec");
            assertThat(explain).contains("The engineer's facts").contains("fullName").contains("The engineer's full name")
                    .contains("deployApproval");
            assertThat(RealApiServer.kubectl("explain", "engineeraccess.spec.exceptions.businessCase"))
                    .contains("Why the engineer needs Admin access");
        });
    }

    @Test
    @Order(3)
    void examplesReconcileToWhatPlanSaysWithOnlyTheOperatorsRbac() throws Exception {
        for (Path file : List.of(Path.of("examples/00-policy.yaml"), Path.of("examples/01-namespaces.yaml"),
                Path.of("examples/10-engineers.yaml"))) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata item : admin().load(in).items()) {
                    admin().resource(item).create();
                }
            }
        }
        Plan.Result plan = Plan.compute(Manifests.read(List.of(Path.of("examples"))), TestClock.START, false);
        assertThat(plan.errors()).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> {
            for (Plan.Engineer planned : plan.engineers().values()) {
                EngineerAccess actual = admin().resources(EngineerAccess.class).withName(planned.name()).get();
                assertThat(actual.getStatus()).as(planned.name()).isNotNull();
                // plan promises what the operator writes: the whole status, field for field (the clock is
                // at the plan's instant, so even lastTransitionTime agrees), but the history, which plan cannot know.
                assertThat(actual.getStatus()).as(planned.name()).usingRecursiveComparison().ignoringFields("history")
                        .isEqualTo(planned.resource().getStatus());
                assertThat(bindingsOf(planned.name())).as(planned.name())
                        .isEqualTo(planned.bindings().stream().map(b -> b.namespace() + "/" + b.name() + "/" + b.clusterRole())
                                .collect(Collectors.toCollection(TreeSet::new)));
            }
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(Written.policyStatus(admin(), "default").conditions)
                .extracting(c -> c.type + "=" + c.status).containsExactly("Active=True", "Valid=True", "InForce=True", "UnexplainedCounted=True"));
        String table = RealApiServer.kubectl("get", "ea");
        assertThat(table.lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "ENGINEER", "LEVEL", "SUPERVISED", "EXPIRES", "NEXT", "AGE");
        assertThat(table).containsPattern("ada-admin-shadow\\s+Ada Admin-Shadow\\s+Admin\\s+true");
        // The operator's first status of an engineer records how the access began, naming the fact.
        assertThat(admin().resources(EngineerAccess.class).withName("ada-admin-shadow").get().getStatus().history)
                .extracting(AccessTransition::toString)
                .containsExactly(TestClock.START + " None->AdminSupervised AdminShadowShiftStarted spec.shifts[1]");
        assertThat(admin().resources(EngineerAccess.class).withName("nadia-new").get().getStatus().history).isEmpty();
    }

    /** Issue 10: -o wide adds rota eligibility, how many requirements are unmet and the first one's code. */
    @Test
    @Order(4)
    void kubectlGetWideShowsRotaAndWhatIsUnmet() throws Exception {
        String wide = RealApiServer.kubectl("get", "ea", "-o", "wide");
        assertThat(wide.lines().findFirst().orElseThrow()).containsPattern(
                "^NAME\\s+ENGINEER\\s+LEVEL\\s+SUPERVISED\\s+EXPIRES\\s+NEXT\\s+ROTA\\s+UNMET\\s+FIRST UNMET\\s+AGE$");
        assertThat(row(wide, "pat-primary")).containsPattern("\\[\"Secondary\",\"Primary\",\"OnCall\"\\]\\s+0\\s+\\S+$");
        assertThat(row(wide, "nadia-new")).containsPattern("\\s4\\s+DeployApprovalMissing\\s+\\S+$");
        assertThat(row(wide, "dev-deploy")).containsPattern("\\s3\\s+ProbationNotPassed\\s+\\S+$");
    }

    /** Issue 10: a category, so that kubectl get access lists both kinds. */
    @Test
    @Order(4)
    void kubectlGetAccessListsEngineersAndThePolicy() throws Exception {
        String all = RealApiServer.kubectl("get", "access");
        assertThat(all).contains("engineeraccess.access.govuk.digital/ada-admin-shadow", "accesspolicy.access.govuk.digital/default");
    }

    /**
     * Issue 10: bin/kubectl-access on the PATH makes {@code kubectl access ...}: explain and report read the cluster
     * as kubectl does ($KUBECONFIG), with the operator's status and history.
     */
    @Test
    @Order(4)
    void kubectlAccessExplainsAnEngineerAndReportsFromTheCluster() throws Exception {
        String explain = RealApiServer.kubectlWithPlugins("access", "explain", "ada-admin-shadow", "--at", TestClock.START.toString()).out();
        assertThat(explain).startsWith("ada-admin-shadow (Ada Admin-Shadow), at " + TestClock.START + ", from the cluster\n")
                .contains("Has:     Production Admin (supervised) in apps (production-admin, production-deploy) and platform"
                        + " (production-admin), since 2026-11-30T09:00:00Z.")
                .contains("Operator: its status says Admin (supervised) with apps/ada-admin-shadow-admin, apps/ada-admin-shadow-deploy,"
                        + " platform/ada-admin-shadow-admin.")
                .contains("Recent changes (status.history, newest last):\n  " + TestClock.START + "  None -> Admin (supervised)");

        // Standard output is the CSV alone, whatever the day: a note (for example that --at is in the past) goes
        // to standard error, so `> access.csv` gives a file a spreadsheet opens.
        LocalControlPlane.Output csv = RealApiServer.kubectlWithPlugins("access", "report", "-o", "csv", "--at", TestClock.START.toString());
        assertThat(csv.out()).startsWith("name,engineer,access,namespaces,why,since,until,supervised_by,approved_by,rota\r\n")
                .contains("\r\npat-primary,Pat Primary,Admin,\"apps, platform\",")
                .doesNotContain("note:");
        assertThat(csv.out().lines()).allSatisfy(line -> assertThat(line.split(",", -1).length).isGreaterThanOrEqualTo(10));
        if (TestClock.START.isBefore(Instant.now())) {
            assertThat(csv.err()).contains("note: --at " + TestClock.START + " is in the past");
        }
        assertThat(RealApiServer.kubectlWithPlugins("access", "plan", "--help").out()).startsWith("Usage: kubectl access plan ");
    }

    private static String row(String table, String name) {
        return table.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(name + " in\n" + table));
    }

    @Test
    @Order(4)
    void ownerReferencesPointAtTheClusterScopedEngineerAccess() {
        EngineerAccess ea = admin().resources(EngineerAccess.class).withName("alex-admin").get();
        RoleBinding rb = admin().rbac().roleBindings().inNamespace("platform").withName("alex-admin-admin").get();
        assertThat(rb.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo(ea.getMetadata().getUid());
            assertThat(o.getApiVersion()).isEqualTo("access.govuk.digital/v1alpha1");
            assertThat(o.getKind()).isEqualTo("EngineerAccess");
        });
    }

    @Test
    @Order(5)
    void theOperatorsUserCannotBindAnyOtherClusterRole() {
        try (KubernetesClient operator = RealApiServer.asOperatorUser()) {
            RoleBinding escalation = new RoleBindingBuilder()
                    .withNewMetadata().withName("escalation").withNamespace("apps").endMetadata()
                    .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("cluster-admin").endRoleRef()
                    .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("mallory@example.gov.uk").endSubject()
                    .build();
            assertThatThrownBy(() -> operator.resource(escalation).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getMessage()).contains("attempting to grant RBAC permissions not currently held");
                    });
            assertThatThrownBy(() -> operator.secrets().inNamespace("default").list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    @Test
    @Order(6)
    void timeLimitedAccessEndsOnTime() {
        Instant expiry = Instant.parse("2026-12-09T17:30:00Z");
        assertThat(admin().rbac().roleBindings().inNamespace("apps").withName("eve-exception-admin").get()).isNotNull();
        clock.set(expiry.minusMillis(1));
        transitions.fireDue();
        assertThat(admin().rbac().roleBindings().inNamespace("apps").withName("eve-exception-admin").get())
                .as("not a moment early").isNotNull();
        clock.set(expiry);
        transitions.fireDue();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(admin().rbac().roleBindings().inNamespace("apps").withName("eve-exception-admin").get()).isNull();
            assertThat(admin().rbac().roleBindings().inNamespace("platform").withName("eve-exception-admin").get()).isNull();
        });
        assertThat(admin().rbac().roleBindings().inNamespace("apps").withName("eve-exception-deploy").get())
                .as("Deploy is held on its own").isNotNull();
        await().atMost(WAIT).untilAsserted(() -> assertThat(admin().v1().events().inNamespace("default").list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("eve-exception");
                    assertThat(e.getReason()).isEqualTo("AccessExpired");
                }));
    }

    @Test
    @Order(7)
    void deletingAnEngineerAccessRemovesItsBindings() {
        // No finalizer: the garbage collector removes the bindings the EngineerAccess owns (it learns of a CRD's
        // resources within 30 s of the CRD's install, so allow for one discovery pass).
        admin().resources(EngineerAccess.class).withName("pat-primary").delete();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(bindingsOf("pat-primary")).isEmpty();
            assertThat(admin().resources(EngineerAccess.class).withName("pat-primary").get()).isNull();
        });
    }

    @Test
    @Order(8)
    void aDeleteWithAStaleUidLeavesARecreatedBindingAlone() {
        RoleBinding current = admin().rbac().roleBindings().inNamespace("apps").withName("alex-admin-deploy").get();
        RoleBinding stale = new RoleBindingBuilder(current).editMetadata().withUid("00000000-0000-0000-0000-000000000000")
                .endMetadata().build();
        assertThat(writer.deleteWithUid(stale)).as("the API server refuses the delete: its UID precondition fails").isFalse();
        assertThat(admin().rbac().roleBindings().inNamespace("apps").withName("alex-admin-deploy").get().getMetadata().getUid())
                .isEqualTo(current.getMetadata().getUid());
    }

    @Test
    @Order(9)
    void theGarbageCollectorHonoursTheOwnerReferenceTheOperatorWrites() {
        // A binding the operator does not manage, owned the way the operator owns its bindings, is removed
        // by kube-controller-manager's garbage collector alone when the EngineerAccess goes.
        EngineerAccess owner = admin().resources(EngineerAccess.class).withName("sid-secondary").get();
        RoleBinding managed = admin().rbac().roleBindings().inNamespace("apps").withName("sid-secondary-deploy").get();
        RoleBinding probe = new RoleBindingBuilder()
                .withNewMetadata().withName("gc-probe").withNamespace("sandbox")
                .withOwnerReferences(managed.getMetadata().getOwnerReferences()).endMetadata()
                .withRoleRef(managed.getRoleRef()).withSubjects(managed.getSubjects())
                .build();
        admin().resource(probe).create();
        assertThat(probe.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(owner.getMetadata().getUid()));
        admin().resources(EngineerAccess.class).withName("sid-secondary").delete();
        // The garbage collector looks for new resource types every 30 s, so allow for one discovery pass.
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(admin().rbac().roleBindings().inNamespace("sandbox").withName("gc-probe").get()).isNull());
        // The operator's own bindings go too, by the garbage collector or the operator, in no set order with the probe.
        await().atMost(WAIT).untilAsserted(() -> assertThat(bindingsOf("sid-secondary")).isEmpty());
    }

    /** An EngineerAccess that would hold Deploy (cleared, approved by a tech lead) for the given subject. */
    private static GenericKubernetesResource deployable(String name, String subject, String extraSpec) {
        return Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata: {name: %s}
                spec:
                  fullName: Hostile Input
                  role: Developer
                  employment: CivilServant
                  subject: %s
                  clearance: {level: BPSS, grantedOn: "2026-01-12"}
                  deployApproval:
                    approvedBy: tess.lead@example.gov.uk
                    approvedOn: "2026-02-01"
                    confirmations: {codeReview: true, releaseResponsibilities: true, rollback: true, gettingHelp: true}
                %s""".formatted(name, subject, extraSpec), GenericKubernetesResource.class);
    }

    /**
     * Decisions 27 and 41 rest on what the API server checks. Someone who may only edit RoleBindings can strip the
     * owner reference of one of the operator's bindings, which the escalation check lets through (decision 41: the
     * operator claims the binding by its labels all the same), but cannot strip our labels, which would take the
     * binding out of the operator's hands: that change is checked as a new grant of the binding's role.
     */
    @Test
    @Order(10)
    void strippingOurLabelsNeedsTheRightsTheBindingGrantsAndStrippingTheOwnerDoesNot() {
        String user = "nina.bindings@example.gov.uk";
        String binding = "alex-admin-deploy";
        KubernetesClient admin = admin();
        admin.rbac().roles().inNamespace("apps").resource(new RoleBuilder()
                .withNewMetadata().withName("binding-editor").endMetadata()
                .addNewRule().withApiGroups("rbac.authorization.k8s.io").withResources("rolebindings")
                .withVerbs("get", "list", "watch", "update", "patch").endRule()
                .build()).create();
        admin.rbac().roleBindings().inNamespace("apps").resource(new RoleBindingBuilder()
                .withNewMetadata().withName("binding-editor").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("binding-editor").endRoleRef()
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(user).endSubject()
                .build()).create();
        PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        try (KubernetesClient nina = RealApiServer.as(user)) {
            // The API server's authorizer learns of the new RoleBinding a moment after it is stored.
            await().atMost(WAIT).ignoreExceptions().until(() -> nina.rbac().roleBindings().inNamespace("apps").withName(binding).get() != null);
            for (String label : List.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.ENGINEER_LABEL)) {
                assertThatThrownBy(() -> nina.rbac().roleBindings().inNamespace("apps").withName(binding)
                        .patch(merge, "{\"metadata\":{\"labels\":{\"" + label + "\":null}}}"))
                        .as("removing " + label)
                        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                            assertThat(e.getCode()).isEqualTo(403);
                            assertThat(e.getMessage()).contains("attempting to grant RBAC permissions not currently held");
                        });
            }
            assertThat(admin.rbac().roleBindings().inNamespace("apps").withName(binding).get().getMetadata().getLabels())
                    .containsKeys(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.ENGINEER_LABEL);

            RoleBinding stripped = nina.rbac().roleBindings().inNamespace("apps").withName(binding)
                    .patch(merge, "{\"metadata\":{\"ownerReferences\":null}}");
            assertThat(stripped.getMetadata().getOwnerReferences()).as("a change of garbage-collection fields only").isEmpty();
            String owner = admin.resources(EngineerAccess.class).withName("alex-admin").get().getMetadata().getUid();
            await().atMost(WAIT).untilAsserted(() -> assertThat(Written.binding(admin, "apps", binding).getMetadata().getOwnerReferences()).as("put back by the operator (decision 41)")
                    .singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(owner)));
        } finally {
            admin.rbac().roleBindings().inNamespace("apps").withName("binding-editor").delete();
            admin.rbac().roles().inNamespace("apps").withName("binding-editor").delete();
        }
    }

    @Test
    @Order(100)
    void theSchemaRefusesAOneMegabyteString() {
        GenericKubernetesResource huge = deployable("huge-business-case", "{kind: User, name: huge@example.gov.uk}", """
                  exceptions:
                  - approvedBy: head.of.tech@example.gov.uk
                    businessCase: set below
                    supervisor: sam.primary@example.gov.uk
                    startTime: "2026-12-01T09:00:00Z"
                    expiryTime: "2026-12-10T09:00:00Z"
                """);
        exception(huge).put("businessCase", "x".repeat(1 << 20));
        assertThatThrownBy(() -> admin().resource(huge).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    // The cause, not the sentence: 1.37 says "may not be more than 2048 bytes", 1.30 "may not be
                    // longer than 2048", and both releases are tested (decision 60).
                    assertThat(e.getStatus().getDetails().getCauses())
                            .anySatisfy(c -> {
                                assertThat(c.getField()).isEqualTo("spec.exceptions[0].businessCase");
                                assertThat(c.getReason()).isEqualTo("FieldValueTooLong");
                                assertThat(c.getMessage()).contains("2048");
                            });
                });
        assertThat(admin().resources(EngineerAccess.class).withName("huge-business-case").get()).isNull();
    }

    @Test
    @Order(101)
    void theSchemaRefusesAListOverItsBound() {
        StringBuilder shifts = new StringBuilder("  shifts:\n");
        for (int i = 0; i < 501; i++) {
            Instant start = Instant.parse("2025-01-06T09:00:00Z").plus(Duration.ofDays(i));
            shifts.append("  - {role: Shadow, startTime: \"").append(start).append("\", endTime: \"")
                    .append(start.plus(Duration.ofHours(8))).append("\"}\n");
        }
        GenericKubernetesResource many = deployable("too-many-shifts", "{kind: User, name: many@example.gov.uk}", shifts.toString());
        assertThatThrownBy(() -> admin().resource(many).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.shifts: Too many: 501: must have at most 500 items");
                });
    }

    @Test
    @Order(102)
    void aSpecTheSchemaAcceptsButTheRulesRefuseGrantsNothing() {
        // The same facts for three subjects: one person (granted, so the facts do grant), a system: name and a
        // Group under the example policy, which does not allow groups. The API server accepts all three.
        admin().resource(deployable("rules-control", "{kind: User, name: control@example.gov.uk}", "")).create();
        admin().resource(deployable("rules-system", "{kind: User, name: system:masters}", "")).create();
        admin().resource(deployable("rules-group", "{kind: Group, name: platform-team}\n  email: platform.lead@example.gov.uk", "")).create();

        await().atMost(WAIT).untilAsserted(() -> assertThat(bindingsOf("rules-control"))
                .containsExactly("apps/rules-control-deploy/production-deploy"));
        Map<String, String> refused = Map.of(
                "rules-system", "spec.subject.name: 'system:masters' is a Kubernetes system name (system:...) that would"
                        + " grant access to its users, groups or service accounts; name the engineer's own user",
                "rules-group", "spec.subject.kind: is Group, but the AccessPolicy does not allow group subjects: name the"
                        + " engineer's own user (kind User), or set allowGroupSubjects: true in the AccessPolicy");
        refused.forEach((name, message) -> await().atMost(WAIT).untilAsserted(() -> {
            EngineerAccessStatus status = Written.status(admin(), name);
            assertThat(status.level).as(name).isEqualTo(Level.None);
            assertThat(status.bindings).as(name).isEmpty();
            assertThat(status.conditions).as(name).anySatisfy(c -> {
                assertThat(c.type).isEqualTo("SpecValid");
                assertThat(c.status).isEqualTo("False");
                assertThat(c.message).isEqualTo(message);
            });
            assertThat(admin().v1().events().inNamespace("default").list().getItems()).as(name).anySatisfy(e -> {
                assertThat(e.getInvolvedObject().getName()).isEqualTo(name);
                assertThat(e.getReason()).isEqualTo("SpecInvalid");
                assertThat(e.getMessage()).contains(message);
            });
        }));
        // The operator writes status after it applies bindings: none were made.
        assertThat(bindingsOf("rules-system")).isEmpty();
        assertThat(bindingsOf("rules-group")).isEmpty();
    }

    /**
     * Decision 64 on a real API server: the operator's own client (as Quarkus builds it) offers ChaCha20-Poly1305 first
     * even when it is given an AES-only list of suites, as Netty gives it, and the API server (Go) takes it.
     */
    @Test
    void theOperatorsClientOffersChaCha20AndTheApiServerTakesIt() throws Exception {
        SSLContext context = ((StandardHttpClientBuilder<?, ?, ?>) operatorClient.getHttpClient().newBuilder()).getSslContext();
        URI api = URI.create(operatorClient.getMasterUrl().toString());
        SSLEngine engine = context.createSSLEngine(api.getHost(), api.getPort());
        engine.setUseClientMode(true);
        engine.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
        assertThat(handshake(engine, api.getHost(), api.getPort())).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    }

    /** Shakes hands with the server over a plain socket; the suite agreed. */
    private static String handshake(SSLEngine engine, String host, int port) throws Exception {
        try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port))) {
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            ByteBuffer in = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            engine.beginHandshake();
            for (int step = 0; step < 1000; step++) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> {
                        out.clear();
                        engine.wrap(ByteBuffer.allocate(0), out);
                        out.flip();
                        while (out.hasRemaining()) {
                            channel.write(out);
                        }
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        in.flip();
                        SSLEngineResult result = engine.unwrap(in, app);
                        in.compact();
                        if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(in) < 0) {
                            throw new IllegalStateException("the API server closed the connection during the handshake");
                        }
                    }
                    case NEED_TASK -> {
                        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                            task.run();
                        }
                    }
                    default -> {
                        return engine.getSession().getCipherSuite();
                    }
                }
            }
            throw new IllegalStateException("the handshake did not finish");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> exception(GenericKubernetesResource ea) {
        Map<String, Object> spec = (Map<String, Object>) ea.getAdditionalProperties().get("spec");
        return ((List<Map<String, Object>>) spec.get("exceptions")).get(0);
    }

    private Set<String> bindingsOf(String engineer) {
        return admin().rbac().roleBindings().inAnyNamespace().withLabel("access.govuk.digital/engineer", engineer).list()
                .getItems().stream().map(b -> b.getMetadata().getNamespace() + "/" + b.getMetadata().getName() + "/"
                        + b.getRoleRef().getName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

}
