package digital.govuk.access.operator;

import static digital.govuk.access.operator.Fixtures.ADMIN_LABEL;
import static digital.govuk.access.operator.Fixtures.APPROVERS;
import static digital.govuk.access.operator.Fixtures.DEPLOY_LABEL;
import static digital.govuk.access.operator.Fixtures.engineer;
import static digital.govuk.access.operator.Fixtures.exception;
import static digital.govuk.access.operator.Fixtures.namespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.operator.runtime.ReconcileStats;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator when the world is not on its side: RoleBindings it did not make, writes that keep failing,
 * reads that fail, watches that lag behind its own writes, and one engineer who never converges. Against
 * the Fabric8 mock server behind a {@link FaultInjector}; time moves only by hand ({@link TestClock}).
 */
@QuarkusTest
@WithTestResource(FaultyKubernetesServer.class)
class HostileWorldTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String RBAC = "rbac.authorization.k8s.io";

    @Inject
    TestClock clock;
    @Inject
    TransitionScheduler transitions;
    @Inject
    ReconcileStats stats;
    @Inject
    ReadAhead readAhead;

    final KubernetesClient client = FaultyKubernetesServer.client();
    final FaultInjector faults = FaultyKubernetesServer.faults();
    final TestCluster cluster = new TestCluster(client, WAIT);
    final List<String> engineers = new ArrayList<>();

    @BeforeEach
    void namespacesAndPolicy() {
        for (var ns : List.of(namespace("apps", DEPLOY_LABEL, ADMIN_LABEL), namespace("platform", ADMIN_LABEL))) {
            if (client.namespaces().withName(ns.getMetadata().getName()).get() == null) {
                client.resource(ns).create();
            }
        }
        Fixtures.ensurePolicy(client, APPROVERS, WAIT);
    }

    @AfterEach
    void calm() {
        faults.reset();
        for (String name : engineers) {
            client.resources(EngineerAccess.class).withName(name).delete();
        }
    }

    EngineerAccess create(EngineerAccess ea) {
        engineers.add(ea.getMetadata().getName());
        return client.resource(ea).create();
    }

    /** An engineer with Deploy on their own and Admin by an exception that started an hour ago. */
    EngineerAccess withException(String name, Instant expiry) {
        return create(engineer(name, exception(clock.instant().minus(Duration.ofHours(1)).toString(), expiry.toString())));
    }

    void advanceTo(Instant t) {
        clock.set(t);
        transitions.fireDue();
    }

    Instant awaitRetry(String engineer) {
        await().atMost(WAIT).until(() -> transitions.scheduledFor(new ResourceID(engineer))
                .filter(t -> !t.isAfter(clock.instant().plus(Duration.ofMinutes(2)))).isPresent());
        return transitions.scheduledFor(new ResourceID(engineer)).orElseThrow();
    }

    void awaitReady(String engineer, String status, String reason) {
        await().atMost(WAIT).untilAsserted(() -> {
            Condition ready = cluster.condition(engineer, "Ready");
            assertThat(ready).isNotNull();
            assertThat(ready.status).isEqualTo(status);
            assertThat(ready.reason).isEqualTo(reason);
        });
    }

    long requests(int mark, String method, String pathPart) {
        return faults.since(mark).stream().filter(r -> r.startsWith(method + " ") && r.contains(pathPart)).count();
    }

    static RoleBinding foreignBinding(String namespace, String name) {
        return new RoleBindingBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewRoleRef().withApiGroup(RBAC).withKind("ClusterRole").withName("view").endRoleRef()
                .addNewSubject().withApiGroup(RBAC).withKind("Group").withName("observers").endSubject().build();
    }

    @Test
    void aRoleBindingTheOperatorDidNotMakeIsNeverTakenOverAndTheClashIsReported() {
        RoleBinding foreign = client.resource(foreignBinding("apps", "fay-admin")).create();
        withException("fay", clock.instant().plus(Duration.ofDays(5)));

        // Every other binding of the engineer is applied...
        cluster.awaitBinding("apps", "fay-deploy", true);
        cluster.awaitBinding("platform", "fay-admin", true);
        // ...the clash is reported...
        awaitReady("fay", "False", "BindingNameConflict");
        assertThat(cluster.condition("fay", "Ready").message).contains("fay-admin").contains("namespace apps")
                .contains("left alone");
        cluster.awaitEvent("fay", "BindingNameConflict");
        assertThat(cluster.events("fay", "BindingNameConflict")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("RoleBinding fay-admin in namespace apps");
        });
        // ...and the foreign binding is untouched.
        assertUntouched(foreign);

        // Retried with a growing delay, saying it once.
        Instant retry = awaitRetry("fay");
        Duration delay = Duration.between(clock.instant(), retry);
        assertThat(delay).isPositive();
        advanceTo(retry);
        Instant second = retry.plus(delay.multipliedBy(2));
        await().atMost(WAIT).until(() -> transitions.scheduledFor(new ResourceID("fay")).filter(second::equals).isPresent());
        assertUntouched(foreign);
        assertThat(cluster.events("fay", "BindingNameConflict")).hasSize(1);

        // Once the foreign binding is gone, the next retry grants the access by itself.
        client.resource(foreign).delete();
        advanceTo(second);
        await().atMost(WAIT).untilAsserted(() -> {
            RoleBinding ours = cluster.binding("apps", "fay-admin");
            assertThat(ours).isNotNull();
            assertThat(ours.getRoleRef().getName()).isEqualTo("production-admin");
            assertThat(ours.getMetadata().getLabels()).containsEntry(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY);
        });
        awaitReady("fay", "True", "Reconciled");
    }

    void assertUntouched(RoleBinding foreign) {
        RoleBinding now = cluster.binding(foreign.getMetadata().getNamespace(), foreign.getMetadata().getName());
        assertThat(now).isNotNull();
        assertThat(now.getMetadata().getUid()).isEqualTo(foreign.getMetadata().getUid());
        assertThat(now.getMetadata().getResourceVersion()).isEqualTo(foreign.getMetadata().getResourceVersion());
        assertThat(now.getRoleRef().getName()).isEqualTo(foreign.getRoleRef().getName());
        assertThat(now.getSubjects()).isEqualTo(foreign.getSubjects());
    }

    /**
     * Our labels are the claim: a binding labelled for gil whose owner reference was replaced (here by a ConfigMap,
     * which the garbage collector would keep it for) is gil's, and is corrected in place to name gil's EngineerAccess.
     * Access never outlives its rule because an owner reference was removed or replaced. (gil exists throughout: a
     * labelled binding made before its EngineerAccess is an orphan until that EngineerAccess is created, and whether
     * it is removed first depends on which the operator sees first.)
     */
    @Test
    void aBindingWithOurLabelsButAnotherOwnerIsClaimed() {
        EngineerAccess gil = create(engineer("gil", ""));
        cluster.awaitBinding("apps", "gil-deploy", true);
        awaitReady("gil", "True", "Reconciled");
        RoleBinding marked = client.rbac().roleBindings().inNamespace("apps").withName("gil-deploy").edit(rb -> new RoleBindingBuilder(rb)
                .editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName("gil")
                        .withUid("5d1e0f6a-0000-4000-8000-000000000001").build()).endMetadata()
                .withSubjects(foreignBinding("apps", "gil-deploy").getSubjects()).build());
        assertThat(marked.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("ConfigMap"));
        await().atMost(WAIT).untilAsserted(() -> {
            RoleBinding claimed = Written.binding(client, "apps", "gil-deploy");
            assertThat(claimed.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(gil.getMetadata().getUid()));
            assertThat(claimed.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("gil@example.gov.uk"));
        });
        assertThat(cluster.binding("apps", "gil-deploy").getMetadata().getUid()).as("corrected in place").isEqualTo(marked.getMetadata().getUid());
        awaitReady("gil", "True", "Reconciled");
    }

    @Test
    void aBindingLeftByAnEarlierEngineerAccessOfTheSameNameIsAdopted() {
        RoleBinding left = client.resource(new RoleBindingBuilder(foreignBinding("apps", "hal-deploy"))
                .editMetadata().withLabels(Map.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY,
                        ManagedBindings.ENGINEER_LABEL, "hal", ManagedBindings.LEVEL_LABEL, "deploy"))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess")
                        .withName("hal").withUid("5d1e0f6a-0000-4000-8000-000000000002").withController(true).build())
                .endMetadata().editRoleRef().withName("production-deploy").endRoleRef().build()).create();
        EngineerAccess hal = create(engineer("hal", ""));
        await().atMost(WAIT).untilAsserted(() -> {
            RoleBinding adopted = Written.binding(client, "apps", "hal-deploy");
            assertThat(adopted.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(o -> assertThat(o.getUid()).isEqualTo(hal.getMetadata().getUid()));
            assertThat(adopted.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("hal@example.gov.uk"));
        });
        assertThat(cluster.binding("apps", "hal-deploy").getMetadata().getUid()).isEqualTo(left.getMetadata().getUid());
        awaitReady("hal", "True", "Reconciled");
    }

    /**
     * No finalizer: on a real cluster the garbage collector removes what the EngineerAccess owns (RealApiServerTest
     * shows it). The mock server has no garbage collector, like a cluster whose controller manager is down: the
     * operator then removes, after its grace period, every binding with our label that no EngineerAccess justifies,
     * and records AccessRemoved only once they are gone. A binding without our managed-by label is never touched.
     */
    @Test
    void deletingAnEngineerAccessRemovesItsBindingsEvenWithoutAGarbageCollectorAndRecordsItOnceTheyAreGone() {
        EngineerAccess ivy = create(engineer("ivy", ""));
        cluster.awaitBinding("apps", "ivy-deploy", true);
        RoleBinding ours = cluster.binding("apps", "ivy-deploy");
        assertThat(ours.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo(ivy.getMetadata().getUid());
            assertThat(o.getController()).isTrue();
        });
        RoleBinding notes = client.resource(new RoleBindingBuilder(foreignBinding("apps", "ivy-notes"))
                .editMetadata().withLabels(Map.of(ManagedBindings.ENGINEER_LABEL, "ivy")).endMetadata().build()).create();
        client.resource(ivy).delete();
        await().atMost(WAIT).until(() -> cluster.fetch("ivy") == null);
        assertThat(cluster.events("ivy", "AccessRemoved")).as("not recorded while the binding still grants access").isEmpty();
        await().atMost(WAIT).until(() -> cluster.binding("apps", "ivy-deploy") == null);
        cluster.awaitEvent("ivy", "AccessRemoved");
        assertUntouched(notes);
    }

    /**
     * Decision 69: a finalizer someone else puts on one of our bindings makes a DELETE answer 200 with the binding
     * still there (and still granting); the operator removes the finalizer, and only then counts the access as ended.
     */
    @Test
    void aFinalizerSomeoneElsePutsOnABindingCannotKeepItPastItsExpiry() {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        withException("kim", expiry);
        cluster.awaitBinding("apps", "kim-admin", true);
        client.rbac().roleBindings().inNamespace("apps").withName("kim-admin").edit(rb -> new RoleBindingBuilder(rb)
                .editMetadata().withFinalizers("example.com/keep").endMetadata().build());
        advanceTo(expiry);
        await().atMost(WAIT).until(() -> cluster.binding("apps", "kim-admin") == null && cluster.binding("platform", "kim-admin") == null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("apps").list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("FinalizerRemoved");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("kim-admin");
                    assertThat(e.getMessage()).contains("example.com/keep");
                }));
        assertThat(cluster.binding("apps", "kim-deploy")).as("Deploy stays").isNotNull();
    }

    /**
     * Decision 70: an EngineerAccess marked for deletion but held by someone's finalizer is never reconciled again by
     * JOSDK, and the garbage collector waits for it to go; its bindings are removed at once, and the removal recorded
     * once, not again when it finally goes.
     */
    @Test
    void anEngineerAccessHeldByAFinalizerWhenDeletedKeepsNoAccess() {
        withException("lou", clock.instant().plus(Duration.ofDays(2)));
        cluster.awaitBinding("apps", "lou-admin", true);
        cluster.awaitBinding("apps", "lou-deploy", true);
        client.resources(EngineerAccess.class).withName("lou").edit(ea -> {
            ea.getMetadata().setFinalizers(List.of("example.com/keep"));
            return ea;
        });
        client.resources(EngineerAccess.class).withName("lou").delete();
        await().atMost(WAIT).until(() -> cluster.binding("apps", "lou-admin") == null && cluster.binding("platform", "lou-admin") == null
                && cluster.binding("apps", "lou-deploy") == null);
        assertThat(cluster.fetch("lou").getMetadata().getDeletionTimestamp()).as("still held").isNotNull();
        cluster.awaitEvent("lou", "AccessRemoved");
        // The record held says what it holds now: nothing, and why (it listed the three bindings before).
        await().atMost(WAIT).untilAsserted(() -> {
            EngineerAccessStatus held = Written.status(client, "lou");
            assertThat(held.level).isEqualTo(Level.None);
            assertThat(held.bindings).isEmpty();
            assertThat(held.nextTransitionTime).isNull();
            assertThat(held.conditions).filteredOn(c -> c.type.equals(StatusBuilder.READY)).singleElement().satisfies(c -> {
                assertThat(c.status).isEqualTo("False");
                assertThat(c.reason).isEqualTo(StatusBuilder.BEING_DELETED);
                assertThat(c.message).contains("held by example.com/keep");
            });
            assertThat(held.history.get(held.history.size() - 1)).satisfies(h -> {
                assertThat(h.reason).isEqualTo("Deleted");
                assertThat(h.fromLevel).isEqualTo(AccessStage.AdminSupervised);
                assertThat(h.toLevel).isEqualTo(AccessStage.None);
            });
        });

        client.resources(EngineerAccess.class).withName("lou").edit(ea -> {
            ea.getMetadata().setFinalizers(List.of());
            return ea;
        });
        await().atMost(WAIT).until(() -> cluster.fetch("lou") == null);
        await().pollDelay(Orphans.GRACE.plusSeconds(1)).atMost(WAIT).until(() -> true);
        assertThat(cluster.events("lou", "AccessRemoved")).as("recorded once").hasSize(1);
    }

    /**
     * Decision 70: an EngineerAccess that never had access, held by a finalizer when deleted, says it is being deleted
     * too, and records no removal of access it never had.
     */
    @Test
    void anEngineerAccessWithoutAccessHeldByAFinalizerSaysItIsBeingDeleted() {
        EngineerAccess never = engineer("nia", "");
        never.getSpec().deployApproval = null;
        never.getMetadata().setFinalizers(List.of("example.com/keep"));
        create(never);
        cluster.awaitLevel("nia", Level.None);
        assertThat(cluster.condition("nia", StatusBuilder.READY).reason).isNotEqualTo(StatusBuilder.BEING_DELETED);
        client.resources(EngineerAccess.class).withName("nia").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            EngineerAccessStatus held = Written.status(client, "nia");
            assertThat(held.level).isEqualTo(Level.None);
            assertThat(held.bindings).isEmpty();
            assertThat(held.conditions).filteredOn(c -> c.type.equals(StatusBuilder.READY)).singleElement().satisfies(c -> {
                assertThat(c.status).isEqualTo("False");
                assertThat(c.reason).isEqualTo(StatusBuilder.BEING_DELETED);
                assertThat(c.message).contains("held by example.com/keep");
            });
            assertThat(held.conditions).filteredOn(c -> c.type.equals(StatusBuilder.SPEC_VALID)).singleElement()
                    .satisfies(c -> assertThat(c.status).as("what it said of the spec, kept").isEqualTo("True"));
            assertThat(held.history).as("no change of access: it had none").isNullOrEmpty();
        });
        assertThat(cluster.fetch("nia").getMetadata().getDeletionTimestamp()).as("still held").isNotNull();
        assertThat(cluster.events("nia", "AccessRemoved")).as("no removal of access it never had").isEmpty();

        client.resources(EngineerAccess.class).withName("nia").edit(ea -> {
            ea.getMetadata().setFinalizers(List.of());
            return ea;
        });
        await().atMost(WAIT).until(() -> cluster.fetch("nia") == null);
        await().pollDelay(Orphans.GRACE.plusSeconds(1)).atMost(WAIT).until(() -> true);
        assertThat(cluster.events("nia", "AccessRemoved")).as("nor when it goes").isEmpty();
    }

    /**
     * A status that cannot be written (a webhook refusing it, a CRD that no longer takes it) fails each reconciliation
     * of the engineer after its bindings are applied, and each retry waits longer, up to a minute. An exception that
     * ends meanwhile still ends at its instant, not at the next retry (before, up to a minute late).
     */
    @Test
    void anExpiryComesOnTimeWhileTheStatusCannotBeWritten() {
        Instant expiry = clock.instant().plus(Duration.ofMinutes(5));
        var noStatus = faults.rule("no status for ned", r -> "PUT".equals(r.getMethod()) && r.getPath().contains("/engineeraccesses/ned/status"), 500);
        try {
            withException("ned", expiry);
            cluster.awaitBinding("apps", "ned-admin", true);
            ResourceID ned = new ResourceID("ned");
            // Each retry fails again and the wait grows (1, 2, 4 ... 60 s), until the next would come after the expiry.
            Instant next = awaitRetry("ned");
            while (next.isBefore(expiry)) {
                Instant retry = next;
                advanceTo(retry);
                await().atMost(WAIT).until(() -> transitions.scheduledFor(ned).filter(t -> t.isAfter(retry)).isPresent());
                next = transitions.scheduledFor(ned).orElseThrow();
            }
            assertThat(next).as("woken at the expiry, not at the next retry").isEqualTo(expiry);
            assertThat(cluster.binding("apps", "ned-admin")).as("never early").isNotNull();
            advanceTo(expiry);
            await().atMost(Duration.ofSeconds(5)).until(() -> cluster.binding("apps", "ned-admin") == null
                    && cluster.binding("platform", "ned-admin") == null);
            assertThat(cluster.binding("apps", "ned-deploy")).as("Deploy is held on its own").isNotNull();
        } finally {
            faults.remove(noStatus);
        }
    }

    /**
     * Decision 44 when the policy's own status cannot be written: a valid edit that takes access away (exceptions
     * of at most 1 day, so pia's 3-day one is rejected) is in force at once. When the next edit is invalid, the valid
     * edit this process saw stays in force, not the older policy the status still records, so the Admin it took away
     * does not come back (before, it did).
     */
    @Test
    void anInvalidEditAfterAValidOneNotYetRecordedKeepsTheValidOne() {
        withException("pia", clock.instant().plus(Duration.ofDays(2)));
        cluster.awaitBinding("apps", "pia-admin", true);
        await().atMost(WAIT).ignoreExceptions().until(() -> client.resources(AccessPolicy.class).withName("default").get()
                .getStatus().inForce != null);
        long recorded = client.resources(AccessPolicy.class).withName("default").get().getStatus().inForce.generation;
        var noPolicyStatus = faults.rule("no policy status", r -> "PUT".equals(r.getMethod())
                && r.getPath().contains("/accesspolicies/default/status"), 500);
        try {
            cluster.edit(AccessPolicy.class, "default", p -> p.getSpec().maxExceptionDays = 1);
            long valid = client.resources(AccessPolicy.class).withName("default").get().getMetadata().getGeneration();
            cluster.awaitBinding("apps", "pia-admin", false);
            cluster.awaitBinding("platform", "pia-admin", false);
            assertThat(client.resources(AccessPolicy.class).withName("default").get().getStatus().inForce.generation)
                    .as("the valid edit is not recorded").isEqualTo(recorded);

            cluster.edit(AccessPolicy.class, "default", p -> p.getSpec().timeZone = "Mars/Olympus_Mons");
            await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.condition("pia", "PolicyValid").status).isEqualTo("False"));
            await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
            assertThat(cluster.binding("apps", "pia-admin")).as("the Admin the valid edit took away stays away").isNull();
            assertThat(cluster.binding("platform", "pia-admin")).isNull();
            assertThat(cluster.binding("apps", "pia-deploy")).isNotNull();

            // Once the status can be written again, it records the valid edit as the one in force.
            faults.remove(noPolicyStatus);
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(client.resources(AccessPolicy.class)
                    .withName("default").get().getStatus().inForce.generation).isEqualTo(valid));
        } finally {
            faults.remove(noPolicyStatus);
        }
    }

    /**
     * Decision 75: a binding that something in the cluster's admission alters on its way in (a subject added) grants
     * what no rule gives. It is removed at once, the status does not claim it, the engineer is retried with the usual
     * back-off (not at every watch event), and the bindings are made once the admission stops altering them.
     */
    @Test
    void aBindingAlteredOnItsWayInIsRemovedAndNotClaimed() {
        // rex: Deploy in apps, Admin by exception in apps and platform.
        var addMallory = faults.mutate("admission adds a subject", r -> ("POST".equals(r.getMethod()) || "PUT".equals(r.getMethod()))
                && r.getPath().contains("/rolebindings") && FaultInjector.body(r).contains("rex@example.gov.uk"),
                body -> body.replace("\"subjects\":[", "\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\","
                        + "\"kind\":\"User\",\"name\":\"mallory@example.gov.uk\"},"));
        int mark = faults.mark();
        try {
            withException("rex", clock.instant().plus(Duration.ofDays(2)));
            await().atMost(WAIT).untilAsserted(() -> {
                Condition ready = cluster.condition("rex", "Ready");
                assertThat(ready).isNotNull();
                assertThat(ready.status).isEqualTo("False");
                assertThat(ready.message).contains("was changed on its way in").contains("mallory@example.gov.uk")
                        .contains("removed at once").doesNotContain("Exception");
            });
            await().pollDelay(Duration.ofSeconds(3)).atMost(WAIT).until(() -> true);
            assertThat(client.rbac().roleBindings().inAnyNamespace().withLabel(ManagedBindings.ENGINEER_LABEL, "rex").list().getItems())
                    .as("no binding of rex kept with mallory in it").isEmpty();
            assertThat(cluster.fetch("rex").getStatus().bindings).as("the status claims none").isEmpty();
            assertThat(cluster.fetch("rex").getStatus().history).as("no change of access recorded (decision 50)").isNullOrEmpty();
            // Each binding tried once: the retry waits for the test's clock, and the watch events of the operator's
            // own create and delete do not start it again (without the hold, thousands of writes in these seconds).
            assertThat(requests(mark, "POST", "/rolebindings")).isBetween(1L, 6L);
        } finally {
            faults.remove(addMallory);
        }
        // Once the admission stops altering them, the retry makes them.
        advanceTo(awaitRetry("rex"));
        cluster.awaitBinding("apps", "rex-admin", true);
        assertThat(cluster.binding("apps", "rex-admin").getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo("rex@example.gov.uk"));
        awaitReady("rex", "True", "Reconciled");
    }

    /**
     * A status refused as invalid (422: a schema or an admission policy that will not take it) ends the reconciliation
     * at once, with a retry: JOSDK's own write would wait 10 s for its cache to show a version that never comes,
     * holding a reconciliation thread all that time (measured on the real API server before the fix).
     */
    @Test
    void aStatusRefusedAsInvalidDoesNotHoldTheReconciliation() {
        var invalid = faults.rule("status of ida invalid", r -> "PUT".equals(r.getMethod()) && r.getPath().contains("/engineeraccesses/ida/status"), 422);
        try {
            withException("ida", clock.instant().plus(Duration.ofDays(2)));
            cluster.awaitBinding("apps", "ida-admin", true);
            // Well under the 10 s JOSDK would wait, with room for a busy machine.
            await().atMost(Duration.ofSeconds(6)).until(() -> transitions.scheduledFor(new ResourceID("ida"))
                    .filter(t -> t.isBefore(clock.instant().plus(Duration.ofMinutes(2)))).isPresent());
            assertThat(stats.longestRunning()).as("no reconciliation waiting on its status write").isLessThan(Duration.ofSeconds(6));
        } finally {
            faults.remove(invalid);
        }
    }

    /**
     * Decision 70, when the delete comes before the status was ever written (CI met this): the removal is recorded
     * from the bindings the operator removed, not from a status that does not list them.
     */
    @Test
    void theRemovalOfAHeldEngineerAccessIsRecordedEvenBeforeItsStatusIsWritten() {
        var noStatus = faults.rule("no status for mia", r -> "PUT".equals(r.getMethod()) && r.getPath().contains("/engineeraccesses/mia/status"), 500);
        try {
            withException("mia", clock.instant().plus(Duration.ofDays(2)));
            cluster.awaitBinding("apps", "mia-admin", true);
            client.resources(EngineerAccess.class).withName("mia").edit(ea -> {
                ea.getMetadata().setFinalizers(List.of("example.com/keep"));
                return ea;
            });
            assertThat(cluster.fetch("mia").getStatus()).isNull();
            client.resources(EngineerAccess.class).withName("mia").delete();
            await().atMost(WAIT).until(() -> cluster.binding("apps", "mia-admin") == null && cluster.binding("apps", "mia-deploy") == null);
            cluster.awaitEvent("mia", "AccessRemoved");
            assertThat(cluster.events("mia", "AccessRemoved")).singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).contains("production-admin in platform").contains("production-deploy in apps"));
        } finally {
            faults.remove(noStatus);
            client.resources(EngineerAccess.class).withName("mia").edit(ea -> {
                ea.getMetadata().setFinalizers(List.of());
                return ea;
            });
        }
    }

    /** A binding with our label whose EngineerAccess does not exist (deleted with --cascade=orphan) is removed. */
    @Test
    void aBindingWithOurLabelAndNoEngineerAccessIsRemoved() {
        RoleBinding orphan = client.resource(new RoleBindingBuilder(foreignBinding("platform", "nobody-admin"))
                .editMetadata().withLabels(Map.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY,
                        ManagedBindings.ENGINEER_LABEL, "nobody")).endMetadata().build()).create();
        RoleBinding unlabelled = client.resource(new RoleBindingBuilder(foreignBinding("platform", "by-hand"))
                .editMetadata().withLabels(Map.of(ManagedBindings.ENGINEER_LABEL, "nobody")).endMetadata().build()).create();
        await().atMost(WAIT).until(() -> cluster.binding("platform", "nobody-admin") == null);
        assertThat(orphan.getMetadata().getUid()).isNotNull();
        assertUntouched(unlabelled);
        client.resource(unlabelled).delete();
    }

    /** The same while the API server cannot be asked about that name: the binding goes all the same (decision 81). */
    @Test
    void aBindingWithOurLabelIsRemovedThoughItsEngineerAccessCannotBeLookedUp() {
        var noReads = readsOf("noone");
        try {
            client.resource(new RoleBindingBuilder(foreignBinding("platform", "noone-admin"))
                    .editMetadata().withLabels(Map.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY,
                            ManagedBindings.ENGINEER_LABEL, "noone")).endMetadata().build()).create();
            int mark = faults.mark();
            await().atMost(WAIT).until(() -> cluster.binding("platform", "noone-admin") == null);
            assertThat(requests(mark, "GET", "/engineeraccesses/noone")).as("the look-up was tried").isPositive();
            await().atMost(WAIT).until(() -> client.v1().events().inNamespace("platform").list().getItems().stream()
                    .anyMatch(e -> Orphans.REMOVED.equals(e.getReason()) && e.getMessage()
                            .contains("the operator knows of no EngineerAccess named noone (the API server could not be asked")));
        } finally {
            faults.remove(noReads);
        }
    }

    @Test
    void aDeleteThatKeepsFailingBacksOffInsteadOfSpinning() throws InterruptedException {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        withException("jay", expiry);
        cluster.awaitBinding("platform", "jay-admin", true);
        cluster.awaitLevel("jay", Level.Admin);
        var refuse = faults.rule("refuse deleting jay-admin",
                r -> r.getMethod().equals("DELETE") && r.getPath().contains("/rolebindings/jay-admin"), 403);
        int mark = faults.mark();

        advanceTo(expiry);
        awaitReady("jay", "False", "BindingsNotApplied");
        assertThat(cluster.condition("jay", "Ready").message).contains("could not delete RoleBinding apps/jay-admin")
                .contains("tries again by itself");
        assertThat(awaitRetry("jay")).isEqualTo(expiry.plusSeconds(1));
        Thread.sleep(1_500);
        assertThat(requests(mark, "DELETE", "/rolebindings/jay-admin")).as("one try per admin namespace, no spin").isEqualTo(2);

        advanceTo(expiry.plusSeconds(1));
        await().atMost(WAIT).until(() -> transitions.scheduledFor(new ResourceID("jay")).filter(expiry.plusSeconds(3)::equals).isPresent());
        assertThat(requests(mark, "DELETE", "/rolebindings/jay-admin")).isEqualTo(4);
        cluster.awaitEvent("jay", "BindingsNotApplied"); // Events are written on a thread of their own
        assertThat(cluster.events("jay", "BindingsNotApplied")).as("a failure that persists is said once").hasSize(1);

        faults.remove(refuse);
        advanceTo(expiry.plusSeconds(3));
        cluster.awaitBinding("apps", "jay-admin", false);
        cluster.awaitBinding("platform", "jay-admin", false);
        awaitReady("jay", "True", "Reconciled");
        cluster.awaitEvent("jay", "AccessExpired");
        assertThat(cluster.events("jay", "AccessExpired")).hasSize(1);
    }

    /**
     * Access ends at its expiry though the EngineerAccess cannot be read (decision 81), and the reconciliation is
     * retried for as long as its record cannot be written, well past JOSDK's own retries (about 18 s).
     */
    @Test
    void aDueChangeIsRetriedUntilItIsAppliedHoweverLongTheFailureLasts() {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        withException("kim", expiry);
        cluster.awaitBinding("apps", "kim-admin", true);
        cluster.awaitLevel("kim", Level.Admin);
        // Every read and status write of this EngineerAccess fails from before the read ahead of its expiry.
        var outage = faults.rule("kim unreadable", r -> r.getPath().matches(".*/engineeraccesses/kim([/?].*)?"), 500);
        int mark = faults.mark();

        advanceTo(expiry);
        cluster.awaitBinding("apps", "kim-admin", false);
        cluster.awaitBinding("platform", "kim-admin", false);
        assertThat(requests(mark, "GET", "/engineeraccesses/kim")).as("removed though no read succeeded").isPositive();
        assertThat(requests(mark, "POST", "/rolebindings")).isZero();
        assertThat(cluster.binding("apps", "kim-deploy")).isNotNull();
        Instant retry = awaitRetry("kim");
        for (int i = 0; i < 10; i++) {
            assertThat(retry).isAfter(clock.instant());
            advanceTo(retry);
            retry = awaitRetry("kim");
        }
        assertThat(Duration.between(expiry, clock.instant())).isGreaterThan(Duration.ofMinutes(3));
        assertThat(requests(mark, "DELETE", "/rolebindings/kim-admin")).as("each removed once").isEqualTo(2);

        faults.remove(outage);
        advanceTo(retry);
        cluster.awaitLevel("kim", Level.Deploy);
        awaitReady("kim", "True", "Reconciled");
    }

    /**
     * An exception withdrawn while the EngineerAccess cannot be read: the operator's cache has the edit, and what it no
     * longer grants is removed without waiting for a read (decision 81); nothing is granted until one succeeds.
     */
    @Test
    void aWithdrawalIsAppliedThoughTheEngineerAccessCannotBeRead() {
        withException("wes", clock.instant().plus(Duration.ofDays(3)));
        cluster.awaitBinding("apps", "wes-admin", true);
        cluster.awaitLevel("wes", Level.Admin);
        var noReads = readsOf("wes");
        int mark = faults.mark();
        withdrawExceptions("wes");
        cluster.awaitBinding("apps", "wes-admin", false);
        cluster.awaitBinding("platform", "wes-admin", false);
        assertThat(requests(mark, "GET", "/engineeraccesses/wes")).as("removed though no read succeeded").isPositive();
        cluster.awaitEvent("wes", "BindingsNotApplied");
        assertThat(cluster.events("wes", "BindingsNotApplied")).anySatisfy(e -> assertThat(e.getMessage())
                .contains("could not read the EngineerAccess again", "no longer grants was removed all the same"));
        assertThat(requests(mark, "POST", "/rolebindings")).isZero();
        assertThat(cluster.binding("apps", "wes-deploy")).isNotNull();

        faults.remove(noReads);
        await().atMost(WAIT).untilAsserted(() -> assertThat(Written.status(client, "wes").history)
                .extracting(t -> t.fromLevel + "->" + t.toLevel + " " + t.reason).endsWith("AdminSupervised->Deploy RequirementLost"));
        awaitReady("wes", "True", "Reconciled");
    }

    /**
     * The record is built on the newest copy. While the operator's watch of EngineerAccess is behind, a reconciliation
     * that reads the API server's copy builds its status on that copy's status, so it keeps the history written by
     * the reconciliation before it. Here an exception is granted and then withdrawn while the watch is held: built on
     * the cache's copy (Deploy, as before both edits), the second status would write the grant out of the record.
     */
    @Test
    void aStatusWrittenWhileTheWatchIsBehindKeepsTheHistoryWrittenBeforeIt() {
        create(engineer("ivo", ""));
        cluster.awaitBinding("apps", "ivo-deploy", true);
        cluster.awaitLevel("ivo", Level.Deploy);
        faults.holdWatch("engineeraccesses");
        String started = clock.instant().minus(Duration.ofHours(1)).toString();
        String ends = clock.instant().plus(Duration.ofDays(2)).toString();
        client.resources(EngineerAccess.class).withName("ivo").edit(ea -> {
            ea.getSpec().exceptions = engineer("ivo", exception(started, ends)).getSpec().exceptions;
            return ea;
        });
        // The operator hears of each edit only when a binding changes: someone deletes ivo's Deploy binding, and the
        // reconciliation reads the EngineerAccess fresh before it restores it.
        client.rbac().roleBindings().inNamespace("apps").withName("ivo-deploy").delete();
        await().atMost(WAIT).until(() -> Written.status(client, "ivo").level == Level.Admin);
        cluster.awaitBinding("apps", "ivo-deploy", true);

        withdrawExceptions("ivo");
        client.rbac().roleBindings().inNamespace("apps").withName("ivo-deploy").delete();
        await().atMost(WAIT).until(() -> Written.status(client, "ivo").level == Level.Deploy);
        cluster.awaitBinding("apps", "ivo-deploy", true);
        assertThat(cluster.binding("apps", "ivo-admin")).isNull();
        assertThat(Written.status(client, "ivo").history).extracting(t -> t.fromLevel + "->" + t.toLevel + " " + t.reason)
                .containsExactly("None->Deploy DeployGranted", "Deploy->AdminSupervised ExceptionStarted", "AdminSupervised->Deploy RequirementLost");
        faults.releaseWatch("engineeraccesses");
    }

    @Test
    void whenTheFreshReadFailsNothingIsWrittenAndTheFailureIsRecordedAndRetried() {
        var unreadable = readsOf("lea");
        int mark = faults.mark();
        create(engineer("lea", ""));
        awaitReady("lea", "False", "BindingsNotApplied");
        assertThat(cluster.condition("lea", "Ready").message).contains("could not read the EngineerAccess again");
        cluster.awaitEvent("lea", "BindingsNotApplied");
        assertThat(requests(mark, "POST", "/rolebindings")).isZero();
        Instant retry = awaitRetry("lea");

        faults.remove(unreadable);
        advanceTo(retry);
        cluster.awaitBinding("apps", "lea-deploy", true);
        awaitReady("lea", "True", "Reconciled");
        cluster.awaitEvent("lea", "AccessGranted");
    }

    @Test
    void ownWritesAreSeenBeforeTheWatchReportsThem() {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        withException("max", expiry);
        cluster.awaitBinding("platform", "max-admin", true);
        cluster.awaitLevel("max", Level.Admin);

        faults.holdWatch("rolebindings");
        int mark = faults.mark();
        long before = stats.completedFor("max");
        advanceTo(expiry);
        await().atMost(WAIT).until(() -> stats.completedFor("max") > before);
        // Another pass before the watch has reported the deletes.
        long again = stats.completedFor("max");
        transitions.schedule(new ResourceID("max"), clock.instant());
        transitions.fireDue();
        await().atMost(WAIT).until(() -> stats.completedFor("max") > again);
        assertThat(requests(mark, "DELETE", "/rolebindings/max-admin")).as("each binding deleted once").isEqualTo(2);
        cluster.awaitEvent("max", "AccessExpired");
        assertThat(cluster.events("max", "AccessExpired")).hasSize(1);
        faults.releaseWatch("rolebindings");
        cluster.awaitLevel("max", Level.Deploy);

        // The same for a create.
        faults.holdWatch("rolebindings");
        int created = faults.mark();
        create(engineer("ned", ""));
        await().atMost(WAIT).until(() -> stats.completedFor("ned") > 0);
        long nedBefore = stats.completedFor("ned");
        transitions.schedule(new ResourceID("ned"), clock.instant());
        transitions.fireDue();
        await().atMost(WAIT).until(() -> stats.completedFor("ned") > nedBefore);
        assertThat(faults.since(created).stream().filter(r -> r.startsWith("POST ") && r.contains("/rolebindings"))).hasSize(1);
        faults.releaseWatch("rolebindings");
        awaitReady("ned", "True", "Reconciled");
        assertThat(cluster.events("ned", "BindingRestored")).isEmpty();
    }

    @Test
    void aGrantIsConfirmedAgainstAFreshReadBeforeItIsMade() {
        withException("ola", clock.instant().plus(Duration.ofDays(3)));
        cluster.awaitBinding("platform", "ola-admin", true);
        cluster.awaitLevel("ola", Level.Admin);

        // The exception is withdrawn, but the operator's watch of EngineerAccess is slow to say so...
        faults.holdWatch("engineeraccesses");
        withdrawExceptions("ola");
        int mark = faults.mark();
        // ...when a binding is deleted by hand: the cached spec would put it back.
        client.rbac().roleBindings().inNamespace("apps").withName("ola-admin").delete();
        cluster.awaitBinding("platform", "ola-admin", false);
        assertThat(requests(mark, "POST", "/rolebindings")).as("nothing granted from the stale spec").isZero();
        assertThat(cluster.binding("apps", "ola-admin")).isNull();
        faults.releaseWatch("engineeraccesses");
        cluster.awaitLevel("ola", Level.Deploy);
        assertThat(cluster.binding("apps", "ola-deploy")).isNotNull();
    }

    /** An engineer holding Deploy whose exception for Admin starts half a second from now, once it has been read ahead. */
    Instant adminFromHalfASecondFromNow(String name) {
        Instant start = clock.instant().plusMillis(500);
        create(engineer(name, exception(start.toString(), start.plus(Duration.ofHours(2)).toString())));
        cluster.awaitBinding("apps", name + "-deploy", true);
        cluster.awaitLevel(name, Level.Deploy);
        await().atMost(WAIT).until(() -> readAhead.holds(name));
        return start;
    }

    /** Edits the EngineerAccess {@code name} to hold no exceptions, as the tests' own client. */
    void withdrawExceptions(String name) {
        client.resources(EngineerAccess.class).withName(name).edit(ea -> {
            ea.getSpec().exceptions = new ArrayList<>();
            return ea;
        });
    }

    /** Every read of the EngineerAccess {@code name} fails (500) until the rule is removed. */
    FaultInjector.Rule readsOf(String name) {
        return faults.rule("no reads of " + name, r -> "GET".equals(r.getMethod()) && r.getPath().matches(".*/engineeraccesses/" + name + "(\\?.*)?"), 500);
    }

    /**
     * Decision 79: a grant at its known instant does not wait for a read of the EngineerAccess (it was read just
     * before); the read that follows it failing, the retry reads before it decides again.
     */
    @Test
    void aGrantAtItsInstantDoesNotWaitForARead() {
        Instant start = adminFromHalfASecondFromNow("uma");
        var noReads = readsOf("uma");
        int mark = faults.mark();
        advanceTo(start);
        cluster.awaitBinding("apps", "uma-admin", true);
        cluster.awaitBinding("platform", "uma-admin", true);
        assertThat(requests(mark, "GET", "/engineeraccesses/uma")).as("the read after the grant was tried").isPositive();
        awaitReady("uma", "False", "BindingsNotApplied");
        // Said by the reconciliation that granted, then by those that follow it until a read succeeds (decision 81).
        assertThat(cluster.condition("uma", "Ready").message).containsAnyOf("could not read the EngineerAccess again after changing",
                "could not read the EngineerAccess from the API server to confirm its access");
        cluster.awaitEvent("uma", "BindingsNotApplied");
        Instant retry = awaitRetry("uma");

        faults.remove(noReads);
        advanceTo(retry);
        cluster.awaitLevel("uma", Level.Admin);
        awaitReady("uma", "True", "Reconciled");
    }

    /**
     * A grant whose read after it failed is confirmed by the next read before anything else; while no read succeeds,
     * access still ends at its expiry (decision 81), and nothing is granted again.
     */
    @Test
    void anExpiryComesOnTimeWhileTheReadAfterAGrantKeepsFailing() {
        Instant start = adminFromHalfASecondFromNow("uta");
        var noReads = readsOf("uta");
        int mark = faults.mark();
        advanceTo(start);
        cluster.awaitBinding("apps", "uta-admin", true);
        awaitReady("uta", "False", "BindingsNotApplied");

        advanceTo(start.plus(Duration.ofHours(2)));
        cluster.awaitBinding("apps", "uta-admin", false);
        cluster.awaitBinding("platform", "uta-admin", false);
        assertThat(requests(mark, "POST", "/rolebindings")).as("granted once, at the start").isEqualTo(2);
        assertThat(cluster.binding("apps", "uta-deploy")).isNotNull();
        awaitReady("uta", "False", "BindingsNotApplied");
        assertThat(cluster.condition("uta", "Ready").message).contains("could not read the EngineerAccess from the API server to confirm");

        faults.remove(noReads);
        advanceTo(awaitRetry("uta"));
        cluster.awaitLevel("uta", Level.Deploy);
        awaitReady("uta", "True", "Reconciled");
    }

    /** After an edit since the read ahead, a grant at its instant waits for a fresh read: none, no grant. */
    @Test
    void aGrantAfterAnEditSinceTheReadAheadWaitsForItsRead() {
        Instant start = adminFromHalfASecondFromNow("ulf");
        long before = stats.completedFor("ulf");
        // An edit that changes no decision, after the read ahead: the copy at the start is not the version read.
        client.resources(EngineerAccess.class).withName("ulf").edit(ea -> {
            ea.getSpec().exceptions.get(0).businessCase = "Incident cover, extended notes";
            return ea;
        });
        await().atMost(WAIT).until(() -> stats.completedFor("ulf") > before);
        var noReads = readsOf("ulf");
        int mark = faults.mark();
        advanceTo(start);
        awaitReady("ulf", "False", "BindingsNotApplied");
        assertThat(requests(mark, "POST", "/rolebindings")).as("nothing granted without the read").isZero();
        assertThat(cluster.binding("apps", "ulf-admin")).isNull();
        Instant retry = awaitRetry("ulf");

        faults.remove(noReads);
        advanceTo(retry);
        cluster.awaitBinding("apps", "ulf-admin", true);
        cluster.awaitLevel("ulf", Level.Admin);
    }

    /**
     * Decision 79: a grant at its known instant goes out on the read made just before it, with a fresh read straight
     * after it, not in front. An exception withdrawn after the read ahead, while the operator's watch is slow to say
     * so, is seen by that fresh read: the grant is undone in the same reconciliation, not kept for as long as the
     * watch is behind.
     */
    @Test
    void aGrantAtItsInstantIsUndoneAtOnceWhenTheReadAfterItShowsItWithdrawn() {
        Instant start = adminFromHalfASecondFromNow("una");

        // The exception is withdrawn after the read ahead, and the operator's watch of EngineerAccess is slow to say so.
        faults.holdWatch("engineeraccesses");
        withdrawExceptions("una");
        // Nor can its status be written: the undo must not wait for what a status write's conflict would start.
        var noStatus = faults.rule("no status for una", r -> "PUT".equals(r.getMethod()) && r.getPath().contains("/engineeraccesses/una/status"), 500);
        int mark = faults.mark();
        advanceTo(start);
        await().atMost(WAIT).until(() -> requests(mark, "DELETE", "/rolebindings/una-admin") == 2);
        assertThat(requests(mark, "POST", "/rolebindings")).as("granted at the instant, on the read ahead").isEqualTo(2);
        assertThat(cluster.binding("apps", "una-admin")).as("undone while the watch is still behind").isNull();
        assertThat(cluster.binding("platform", "una-admin")).isNull();
        assertThat(cluster.binding("apps", "una-deploy")).isNotNull();
        Instant retry = awaitRetry("una");

        faults.remove(noStatus);
        faults.releaseWatch("engineeraccesses");
        advanceTo(retry);
        cluster.awaitLevel("una", Level.Deploy);
        awaitReady("una", "True", "Reconciled");
        assertThat(cluster.binding("apps", "una-admin")).isNull();
    }

    /**
     * A grant undone at once is on the record: its status.history holds the grant and the removal, both written by
     * the reconciliation that made them, though the level before and after is the same.
     */
    @Test
    void aGrantUndoneAtOnceIsInTheHistoryAsAGrantAndARemoval() {
        Instant start = adminFromHalfASecondFromNow("uri");
        int before = client.resources(EngineerAccess.class).withName("uri").get().getStatus().history.size();
        faults.holdWatch("engineeraccesses");
        withdrawExceptions("uri");
        int mark = faults.mark();
        advanceTo(start);
        // The status is written while the watch is still held: by the reconciliation that granted and removed.
        await().atMost(WAIT).until(() -> Written.status(client, "uri").history.size() > before);
        EngineerAccessStatus written = Written.status(client, "uri");
        assertThat(requests(mark, "POST", "/rolebindings")).as("granted at the instant, on the read ahead").isEqualTo(2);
        assertThat(requests(mark, "DELETE", "/rolebindings/uri-admin")).as("and removed by the same reconciliation").isEqualTo(2);
        assertThat(written.level).isEqualTo(Level.Deploy);
        assertThat(written.history.subList(before, written.history.size())).extracting(t -> t.fromLevel + "->" + t.toLevel + " " + t.reason)
                .containsExactly("Deploy->AdminSupervised ExceptionStarted", "AdminSupervised->Deploy RequirementLost");
        assertThat(written.history.get(before).fact).isEqualTo("spec.exceptions[0]");
        assertThat(written.history.get(before + 1).message).startsWith("Admin (supervised) -> Deploy: ");
        faults.releaseWatch("engineeraccesses");
    }

    @Test
    void anAccessPolicyEditReconcilesEachEngineerOnce() throws InterruptedException {
        List<String> names = IntStream.range(0, 5).mapToObj(i -> "pol-" + i).toList();
        names.forEach(n -> create(engineer(n, "")));
        names.forEach(n -> cluster.awaitBinding("apps", n + "-deploy", true));
        names.forEach(n -> awaitReady(n, "True", "Reconciled"));
        Thread.sleep(1_000);
        List<Long> before = names.stream().map(stats::completedFor).toList();

        AccessPolicy edited = client.resources(AccessPolicy.class).withName("default").edit(p -> {
            p.getSpec().maxExceptionDays = 29;
            return p;
        });
        // The policy reconciler writes the policy's status for the new generation: that write must not fan out again.
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            AccessPolicy now = client.resources(AccessPolicy.class).withName("default").get();
            assertThat(now.getStatus().observedGeneration).isEqualTo(edited.getMetadata().getGeneration());
        });
        await().atMost(WAIT).until(() -> IntStream.range(0, 5).allMatch(i -> stats.completedFor(names.get(i)) > before.get(i)));
        Thread.sleep(1_500);
        assertThat(names.stream().map(stats::completedFor).toList())
                .isEqualTo(before.stream().map(n -> n + 1).toList());
        client.resources(AccessPolicy.class).withName("default").edit(p -> {
            p.getSpec().maxExceptionDays = null;
            return p;
        });
    }

    @Test
    void oneEngineerWhoseBindingAlwaysFailsNeverHoldsUpTheOthers() {
        var stuck = faults.rule("stuck-deploy always refused", r -> r.getMethod().equals("POST")
                && r.getPath().contains("/rolebindings") && FaultInjector.body(r).contains("\"name\":\"stuck-deploy\""), 500);
        create(engineer("stuck", ""));
        List<String> crowd = IntStream.range(0, 100).mapToObj(i -> "crowd-" + i).toList();
        crowd.forEach(n -> create(engineer(n, "")));
        await().atMost(Duration.ofSeconds(60)).until(() -> client.rbac().roleBindings().inNamespace("apps")
                .withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).list().getItems().stream()
                .filter(rb -> rb.getMetadata().getName().startsWith("crowd-")).count() == 100);
        crowd.forEach(n -> awaitReady(n, "True", "Reconciled"));
        awaitReady("stuck", "False", "BindingsNotApplied");
        assertThat(cluster.binding("apps", "stuck-deploy")).isNull();

        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Instant retry = awaitRetry("stuck");
            delays.add(Duration.between(clock.instant(), retry).toSeconds());
            Instant now = clock.instant();
            advanceTo(retry);
            await().atMost(WAIT).until(() -> transitions.scheduledFor(new ResourceID("stuck")).filter(t -> t.isAfter(retry)).isPresent());
            assertThat(now).isBefore(clock.instant());
        }
        assertThat(delays).containsExactly(1L, 2L, 4L, 8L);
        faults.remove(stuck);
    }

    /**
     * Decision 49: the AccessPolicy status lists access the operator did not grant, and when a look cannot read the
     * bindings it keeps the last figures but says they are old (an auditor must not read them as checked now); once
     * a look reads them again it says they are current.
     */
    @Test
    void theUnexplainedCountSaysWhenNoLookCouldReadTheBindings() {
        RoleBinding breakGlass = client.resource(new RoleBindingBuilder().withNewMetadata().withName("break-glass").withNamespace("apps")
                .endMetadata().withNewRoleRef().withApiGroup(RBAC).withKind("ClusterRole").withName("production-admin").endRoleRef()
                .addNewSubject().withApiGroup(RBAC).withKind("User").withName("mallory@example.gov.uk").endSubject().build()).create();
        String line = "apps/break-glass grants production-admin to User mallory@example.gov.uk";
        // The look lists every RoleBinding, page by page; the operator's own informer lists only those with its label.
        Predicate<RecordedRequest> everyRoleBinding = r -> "GET".equals(r.getMethod())
                && r.getPath().startsWith("/apis/rbac.authorization.k8s.io/v1/rolebindings?") && !r.getPath().contains("labelSelector");
        try {
            // Each policy edit makes the operator look again.
            Fixtures.ensurePolicy(client, APPROVERS + "maxExceptionDays: 29\n", WAIT);
            await().atMost(WAIT).untilAsserted(() -> {
                var status = Written.policyStatus(client, AccessPolicy.DEFAULT_NAME);
                assertThat(status.unexplained).contains(line);
                assertThat(counted(status.conditions)).satisfies(c -> {
                    assertThat(c.status).isEqualTo("True");
                    assertThat(c.reason).isEqualTo("Counted");
                });
            });
            int found = client.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get().getStatus().unexplainedBindings;

            var unreadable = faults.rule("every RoleBinding unreadable", everyRoleBinding, 403);
            Fixtures.ensurePolicy(client, APPROVERS + "maxExceptionDays: 28\n", WAIT);
            await().atMost(WAIT).untilAsserted(() -> {
                var status = Written.policyStatus(client, AccessPolicy.DEFAULT_NAME);
                assertThat(counted(status.conditions)).satisfies(c -> {
                    assertThat(c.status).isEqualTo("False");
                    assertThat(c.reason).isEqualTo("BindingsNotRead");
                    assertThat(c.message).contains("could not read the RoleBindings").contains("what an earlier look found")
                            .contains("nobody has checked them since").doesNotContain("Exception").doesNotContain("io.fabric8");
                });
                assertThat(status.unexplainedBindings).as("the last figures, kept").isEqualTo(found);
                assertThat(status.unexplained).contains(line);
            });

            faults.remove(unreadable);
            client.resource(breakGlass).delete();
            Fixtures.ensurePolicy(client, APPROVERS + "maxExceptionDays: 27\n", WAIT);
            await().atMost(WAIT).untilAsserted(() -> {
                var status = Written.policyStatus(client, AccessPolicy.DEFAULT_NAME);
                assertThat(counted(status.conditions).status).isEqualTo("True");
                assertThat(status.unexplainedBindings).isEqualTo(found - 1);
                assertThat(status.unexplained).doesNotContain(line);
            });
        } finally {
            client.resource(breakGlass).delete();
        }
    }

    static Condition counted(List<Condition> conditions) {
        return conditions.stream().filter(c -> "UnexplainedCounted".equals(c.type)).findFirst().orElse(null);
    }
}
