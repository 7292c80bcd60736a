package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.NamespaceSelector;
import digital.govuk.access.bindings.ManagedBindings;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Decision 67, on a real kube-apiserver with the packaged operator: an expiry that falls due while the operator works
 * through every engineer goes ahead of them, instead of waiting its turn. A policy edit gives each of 300 engineers a
 * new binding; the operator reconciles one engineer at a time here (one thread, where the chart's operator has 50
 * for ten thousand engineers), so that pass takes seconds. An exception expiring during that pass, and one that
 * expired while the operator was stopped and is due when it starts again with the same pass ahead of it, and one
 * withdrawn by an edit during the pass, are each removed while most of the others still wait.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DueFirstIT {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final int ENGINEERS = 300;
    /** How late the expiry in the middle of the pass may be removed: on time to well under this; a margin for CI. */
    static final Duration LATE = Duration.ofMillis(1500);

    static KubernetesClient admin;
    static AccessPolicy original;
    OperatorProcess operator;
    final List<String> engineers = new ArrayList<>();

    @BeforeAll
    static void start() {
        admin = InstalledCluster.get().admin;
        original = admin.resources(AccessPolicy.class).withName("default").get();
    }

    /** Puts the policy back and removes this test's engineers while the operator runs, so it puts every other binding back. */
    @AfterEach
    void cleanUp() {
        for (String name : engineers) {
            admin.resources(EngineerAccess.class).withName(name).delete();
        }
        HostileClusterIT.edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
            p.setSpec(original.getSpec());
            return p;
        });
        try {
            await().atMost(WAIT).until(() -> admin.rbac().roleBindings().inAnyNamespace()
                    .withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).list().getItems().stream()
                    .noneMatch(rb -> engineers.contains(rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL))
                            || (rb.getMetadata().getNamespace().equals("platform")
                                    && ManagedBindings.DEPLOY.equals(rb.getMetadata().getLabels().get(ManagedBindings.LEVEL_LABEL)))));
        } finally {
            if (operator != null) {
                operator.close();
            }
        }
    }

    @Test
    @Order(1)
    void anExpiryDuringAPassOverEveryEngineerIsRemovedOnTime() {
        operator = startOneAtATime("due-first-pass");
        Instant expiry = busyEngineersAndZedExpiringIn(Duration.ofSeconds(8));

        // A second before the expiry, a policy edit that gives every engineer a Deploy binding in platform too.
        HostileClusterIT.sleepUntil(expiry.minusSeconds(1));
        deployInAdminNamespacesToo();
        Removal removal = awaitRemovalOfZed();
        say("an exception expiring during a pass over %d engineers removed %d ms after its expiry, with %d of them still"
                + " waiting", ENGINEERS, Duration.between(expiry, removal.at()).toMillis(), removal.waiting());
        assertThat(removal.at()).as("never before its expiry").isAfter(expiry);
        assertThat(Duration.between(expiry, removal.at())).as("removed on time, not at its turn").isLessThanOrEqualTo(LATE);
        assertThat(removal.waiting()).as("the pass was still going: this test shows what it should").isGreaterThan(ENGINEERS / 4);
        awaitPassDone();
    }

    @Test
    @Order(2)
    void anExpiryPassedWhileTheOperatorWasStoppedIsRemovedFirstWhenItStarts() {
        operator = startOneAtATime("due-first-restart");
        Instant expiry = busyEngineersAndZedExpiringIn(Duration.ofSeconds(4));
        operator.close();

        // While it is stopped: the exception expires, and a policy edit gives every engineer a new binding.
        deployInAdminNamespacesToo();
        HostileClusterIT.sleepUntil(expiry.plusSeconds(1));
        assertThat(binding("apps", "zed-admin")).as("nothing removes it while the operator is stopped").isNotNull();

        operator = startOneAtATime("due-first-restarted");
        Removal removal = awaitRemovalOfZed();
        say("an exception that expired while the operator was stopped removed with %d of %d engineers still waiting for"
                + " their first look", removal.waiting(), ENGINEERS);
        assertThat(removal.waiting()).as("removed first, not at its turn in the first pass").isGreaterThanOrEqualTo(ENGINEERS * 9 / 10);
        awaitPassDone();
    }

    /** A policy edit: Deploy in the Admin namespaces as well (apps and platform), a new binding for every engineer. */
    static void deployInAdminNamespacesToo() {
        NamespaceSelector adminNamespaces = new NamespaceSelector();
        adminNamespaces.matchLabels.put("access.govuk.digital/admin", "true");
        HostileClusterIT.edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
            p.getSpec().deploy.namespaceSelector = adminNamespaces;
            return p;
        });
    }

    /** The busy engineers, then zed with an exception ending {@code in} from now, all converged; returns its expiry. */
    Instant busyEngineersAndZedExpiringIn(Duration in) {
        createBusyEngineers();
        Instant expiry = Instant.now().plus(in);
        create(HostileClusterIT.exceptionEngineer("zed", Instant.now().minus(Duration.ofHours(1)), expiry));
        await().atMost(WAIT).until(() -> binding("apps", "zed-admin") != null);
        return expiry;
    }

    @Test
    @Order(3)
    void anExceptionWithdrawnDuringAPassOverEveryEngineerIsRemovedAtOnce() {
        operator = startOneAtATime("due-first-edit");
        // Ten of the busy engineers, spread among them, also hold Admin by an exception: whatever order the pass takes,
        // one of them is reached early, with most of the others still waiting. (Ten engineers made after the others
        // came last in the pass when their statuses were written before the edit, and then the test showed nothing.)
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < ENGINEERS; i++) {
            String name = String.format("busy-%03d", i);
            if (i % (ENGINEERS / 10) == ENGINEERS / 20) {
                candidates.add(name);
                create(HostileClusterIT.exceptionEngineer(name, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(2))));
            } else {
                create(HostileClusterIT.withExtra(name, ""));
            }
        }
        await().atMost(WAIT).until(() -> admin.rbac().roleBindings().inNamespace("apps")
                .withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.DEPLOY).list().getItems().stream()
                .filter(rb -> rb.getMetadata().getName().startsWith("busy-")).count() == ENGINEERS
                && candidates.stream().allMatch(c -> binding("apps", c + "-admin") != null));

        deployInAdminNamespacesToo();
        // The first of them the pass has reached: edited now, it is queued again behind every engineer still waiting.
        String wes = await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> admin.rbac().roleBindings().inNamespace("platform")
                .withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.DEPLOY).list().getItems().stream()
                .map(rb -> rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL)).filter(candidates::contains).findFirst(),
                Optional::isPresent).get();
        HostileClusterIT.edit(admin.resources(EngineerAccess.class).withName(wes), ea -> {
            ea.getSpec().exceptions = List.of();
            return ea;
        });
        Instant withdrawn = Instant.now();
        Removal removal = awaitRemoval(wes);
        say("an exception withdrawn during a pass over %d engineers removed %d ms after the edit, with %d of them still"
                + " waiting", ENGINEERS, Duration.between(withdrawn, removal.at()).toMillis(), removal.waiting());
        assertThat(Duration.between(withdrawn, removal.at())).as("removed at once, not at its turn").isLessThanOrEqualTo(LATE);
        assertThat(removal.waiting()).as("the pass was still going: this test shows what it should").isGreaterThan(ENGINEERS / 4);
        awaitPassDone();
    }

    record Removal(Instant at, int waiting) {
    }

    static Removal awaitRemovalOfZed() {
        return awaitRemoval("zed");
    }

    /** Polls until the engineer's Admin bindings are gone; then counts the engineers the pass has not yet reached. */
    static Removal awaitRemoval(String engineer) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> binding("apps", engineer + "-admin") == null && binding("platform", engineer + "-admin") == null);
        Instant at = Instant.now();
        return new Removal(at, ENGINEERS - platformDeployBindings());
    }

    void awaitPassDone() {
        await().atMost(WAIT).until(() -> platformDeployBindings() == ENGINEERS);
        assertThat(operator.alive()).isTrue();
    }

    /** The busy engineers' Deploy bindings in platform: one each once the pass has reached them. */
    static int platformDeployBindings() {
        return (int) admin.rbac().roleBindings().inNamespace("platform").withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.DEPLOY)
                .list().getItems().stream().map(rb -> rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL))
                .filter(e -> e != null && e.startsWith("busy-")).count();
    }

    void createBusyEngineers() {
        for (int i = 0; i < ENGINEERS; i++) {
            create(HostileClusterIT.withExtra(String.format("busy-%03d", i), ""));
        }
        await().atMost(WAIT).until(() -> admin.rbac().roleBindings().inNamespace("apps")
                .withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.DEPLOY).list().getItems().stream()
                .filter(rb -> rb.getMetadata().getName().startsWith("busy-")).count() == ENGINEERS);
    }

    /** The packaged operator, reconciling one engineer at a time, so that a pass over every engineer takes seconds. */
    static OperatorProcess startOneAtATime(String name) {
        OperatorProcess p = OperatorProcess.start(name, InstalledCluster.get().operatorKubeconfig, InstalledCluster.LOGS,
                Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false", "QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS", "1"));
        p.awaitLog("'engineeraccess' controller started", WAIT);
        return p;
    }

    void create(EngineerAccess ea) {
        engineers.add(ea.getMetadata().getName());
        admin.resource(ea).create();
    }

    static RoleBinding binding(String namespace, String name) {
        return admin.rbac().roleBindings().inNamespace(namespace).withName(name).get();
    }

    static void say(String format, Object... args) {
        System.out.printf("due first: " + format + "%n", args);
    }
}
