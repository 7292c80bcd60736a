package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.operator.Fixtures;
import digital.govuk.access.operator.Written;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * The packaged operator, installed with the chart and running with exactly the chart's rights (the token of
 * its ServiceAccount), on a real kube-apiserver, when things go wrong: killed with SIGKILL while it
 * converges, the API server and etcd stopped for 30 s while exceptions expire, RoleBindings deleted and
 * edited by hand, and a policy naming a ClusterRole it may not bind. Each ends exact: every binding and
 * status as {@code plan} says. Figures are printed as "hostile cluster: ..." lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClusterIT {
    static final Duration CONVERGE = Duration.ofSeconds(120);

    static InstalledCluster cluster;
    static KubernetesClient admin;
    OperatorProcess operator;

    @BeforeAll
    static void installWithTheChart() {
        cluster = InstalledCluster.get();
        admin = cluster.admin;
    }

    @AfterEach
    void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    OperatorProcess startOperator(String name) {
        OperatorProcess p = OperatorProcess.start(name, cluster.operatorKubeconfig, InstalledCluster.LOGS,
                Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false"));
        p.awaitLog("'engineeraccess' controller started", Duration.ofSeconds(60));
        return p;
    }

    static void awaitExact() {
        AtomicReference<Convergence> last = new AtomicReference<>();
        try {
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).until(() -> {
                last.set(Convergence.of(admin, Instant.now()));
                return last.get().exact();
            });
        } catch (RuntimeException e) {
            throw new AssertionError("not exact after " + CONVERGE.toSeconds() + " s: " + last.get() + "; missing "
                    + last.get().missing() + ", extra " + last.get().extra() + ", statuses " + last.get().statusDiffers(), e);
        }
    }

    @Test
    @Order(1)
    void killedRepeatedlyWhileItConvergesItEndsExactAndNeverGrantsTooMuch() {
        long seed = Long.getLong("hostile.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("hostile cluster: kill test seed " + seed);
        int engineers = 300;
        for (int i = 0; i < engineers; i++) {
            admin.resource(engineer("kill-" + i, random)).create();
        }
        int kills = 4;
        List<String> afterKills = new ArrayList<>();
        for (int k = 1; k <= kills; k++) {
            OperatorProcess p = startOperator("killed-" + k);
            // Killed at a random point of the convergence: once some more bindings are in place.
            int target = managedBindings() + 10 + random.nextInt(120);
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(20))
                    .until(() -> managedBindings() >= target || Convergence.of(admin, Instant.now()).missing().isEmpty());
            p.kill();
            Convergence now = Convergence.of(admin, Instant.now());
            afterKills.add(now.expected() - now.missing().size() + " of " + now.expected());
            assertThat(now.extra()).as("bindings beyond what the decision grants, after kill %d", k).isEmpty();
            assertThat(now.invalidGranted()).as("grants from invalid specs, after kill %d", k).isEmpty();
        }
        long started = System.nanoTime();
        operator = startOperator("after-kills");
        awaitExact();
        System.out.printf("hostile cluster: %d engineers, SIGKILL %d times during convergence (bindings in place at each kill: %s),"
                + " 0 extra at every kill, exact %.1f s after the last start%n", engineers, kills, afterKills,
                (System.nanoTime() - started) / 1e9);
    }

    @Test
    @Order(2)
    void exceptionsThatExpireWhileTheApiServerIsDownAreRemovedWhenItComesBack() throws Exception {
        operator = startOperator("outage");
        Instant t0 = Instant.now();
        int engineers = 20;
        List<Instant> expiries = new ArrayList<>();
        for (int i = 0; i < engineers; i++) {
            Instant expiry = t0.plusSeconds(25).plusMillis(250L * i);
            expiries.add(expiry);
            admin.resource(exceptionEngineer("outage-" + i, t0.minus(Duration.ofHours(1)), expiry)).create();
        }
        await().atMost(CONVERGE).until(() -> adminBindings("outage-").size() == 2 * engineers);

        sleepUntil(t0.plusSeconds(10));
        Instant down = Instant.now();
        cluster.controlPlane.suspend();
        assertThat(Instant.now()).as("the API server went down before the first expiry").isBefore(expiries.get(0));
        sleepUntil(down.plusSeconds(30));
        cluster.controlPlane.resume();
        Instant ready = Instant.now();
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(50)).until(() -> adminBindings("outage-").isEmpty());
        assertThat(operator.logTimes("reason=AccessExpired")).as("each expiry removed once").hasSize(engineers);
        List<Instant> reconnects = operator.logTimes("the API server answers again");
        assertThat(reconnects).as("the operator noticed the API server come back").isNotEmpty();
        Instant reconnect = reconnects.get(reconnects.size() - 1);
        // When the API server accepted the last removal: the operator logs each change once it is accepted.
        Instant removed = operator.logTimes("reason=AccessExpired").stream().max(Instant::compareTo).orElseThrow();

        System.out.printf("hostile cluster: API server and etcd down %.1f s (from the stop until ready again); %d exceptions expired"
                + " while it was down; the operator reconnected and all %d admin bindings were removed %d ms later%n",
                Duration.between(down, ready).toMillis() / 1e3, engineers, 2 * engineers, Duration.between(reconnect, removed).toMillis());
        assertThat(removed).as("applied when the API server answers, not after a retry delay")
                .isBefore(reconnect.plusSeconds(10));
        awaitExact();
    }

    @Test
    @Order(3)
    void aRoleBindingDeletedOrEditedByHandIsRestored() {
        operator = startOperator("hand-edits");
        awaitExact();
        awaitFirstPass(operator);
        List<Long> deletes = new ArrayList<>();
        List<Long> edits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RoleBinding rb = admin.rbac().roleBindings().inNamespace("apps").withName("alex-admin-deploy").get();
            long start = System.nanoTime();
            admin.resource(rb).delete();
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(10)).until(() -> {
                RoleBinding now = admin.rbac().roleBindings().inNamespace("apps").withName("alex-admin-deploy").get();
                return now != null && !now.getMetadata().getUid().equals(rb.getMetadata().getUid());
            });
            deletes.add((System.nanoTime() - start) / 1_000_000);

            RoleBinding current = admin.rbac().roleBindings().inNamespace("apps").withName("alex-admin-deploy").get();
            long editStart = System.nanoTime();
            admin.resource(new RoleBindingBuilder(current).editFirstSubject().withName("intruder@example.gov.uk").endSubject().build())
                    .update();
            await().atMost(CONVERGE).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> assertThat(Written.binding(admin, "apps",
                    "alex-admin-deploy").getSubjects()).extracting(s -> s.getName()).containsExactly(current.getSubjects().get(0).getName()));
            edits.add((System.nanoTime() - editStart) / 1_000_000);
        }
        System.out.println("hostile cluster: a RoleBinding deleted by hand was back after " + deletes + " ms; one edited by hand after "
                + edits + " ms");
        awaitExact();
    }

    @Test
    @Order(4)
    void anOperatorWhoseCachesCannotFillInTimeStopsAndSaysWhy() {
        // A limit no start can meet, as when the first lists take longer than the chart's startup probe allows
        // (the chart sets the same variable, decision 66).
        operator = OperatorProcess.start("cache-sync-limit", cluster.operatorKubeconfig, InstalledCluster.LOGS,
                Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false", "QUARKUS_OPERATOR_SDK_CACHE_SYNC_TIMEOUT", "PT0.001S"));
        await().atMost(Duration.ofSeconds(120)).until(() -> !operator.alive());
        assertThat(operator.log()).as("says in plain words first, then JOSDK's own line")
                .contains("if that takes more than 0.001 s the operator stops", "Informer startup error");
        assertThat(operator.log()).doesNotContain("'engineeraccess' controller started");
        assertThat(operator.exitValue()).as("exits, so that its pod starts again").isNotZero();
    }

    @Test
    @Order(5)
    void aPolicyNamingARoleTheOperatorMayNotBindIsInvalidAndSaysSo() {
        operator = startOperator("policy-rights");
        awaitExact();
        AccessPolicy before = admin.resources(AccessPolicy.class).withName("default").get();
        edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
            p.getSpec().admin.clusterRole = "cluster-admin";
            return p;
        });
        await().atMost(CONVERGE).untilAsserted(() -> {
            assertThat(Written.policyStatus(admin, "default").conditions).filteredOn(c -> c.type.equals("Valid")).singleElement()
                    .satisfies(valid -> {
                        assertThat(valid.status).isEqualTo("False");
                        assertThat(valid.message).contains("spec.admin.clusterRole").contains("may not bind the ClusterRole 'cluster-admin'");
                    });
        });
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(Written.status(admin, "alex-admin").conditions).anySatisfy(c -> {
                    assertThat(c.type).isEqualTo("PolicyValid");
                    assertThat(c.status).isEqualTo("False");
                    assertThat(c.message).contains("cluster-admin");
                }));
        assertThat(admin.rbac().roleBindings().inAnyNamespace().list().getItems())
                .noneMatch(rb -> rb.getRoleRef().getName().equals("cluster-admin"));
        // Decision 74: the Admin bindings to the role the policy named before give access no rule gives any more, and
        // removing them needs no bind right; Deploy is untouched.
        int deploy = admin.rbac().roleBindings().inAnyNamespace().withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.DEPLOY)
                .list().getItems().size();
        await().atMost(CONVERGE).untilAsserted(() -> assertThat(admin.rbac().roleBindings().inAnyNamespace()
                .withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.ADMIN).list().getItems())
                .as("Admin bindings to the role the policy no longer names").isEmpty());
        assertThat(deploy).isPositive();
        assertThat(admin.rbac().roleBindings().inAnyNamespace().withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.DEPLOY)
                .list().getItems()).hasSize(deploy);
        edit(admin.resources(AccessPolicy.class).withName("default"), p -> {
            p.setSpec(before.getSpec());
            return p;
        });
        awaitExact();
    }

    static int managedBindings() {
        return admin.rbac().roleBindings().inAnyNamespace().withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY)
                .list().getItems().size();
    }

    /** Waits until the operator has been through every engineer once since it started (its first full pass). */
    static void awaitFirstPass(OperatorProcess p) {
        int engineers = admin.resources(EngineerAccess.class).list().getItems().size();
        await().atMost(CONVERGE).until(() -> p.sum("operator_sdk_reconciliations_success_total", "kind=\"EngineerAccess\"") >= engineers);
    }

    List<String> adminBindings(String prefix) {
        return admin.rbac().roleBindings().inAnyNamespace().withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.ADMIN).list()
                .getItems().stream().map(rb -> rb.getMetadata().getName()).filter(n -> n.startsWith(prefix)).toList();
    }

    /** An engineer of a random kind, whose access does not change for days (so "exact" holds still). */
    static EngineerAccess engineer(String name, Random random) {
        Instant now = Instant.now();
        return switch (random.nextInt(5)) {
            case 0 -> exceptionEngineer(name, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(3)));
            case 1 -> withExtra(name, Fixtures.EARNED_ADMIN);
            // An invalid spec the API server stores on every release, so only the rules can refuse it: 30 February has
            // the form of a date. (A shift ending before it starts, used before, is refused at the door from
            // Kubernetes 1.25 on, by the CRD's CEL rule.)
            case 2 -> withExtra(name, """
                    absences:
                    - {from: "2026-02-30"}
                    """);
            default -> withExtra(name, "");
        };
    }

    static EngineerAccess exceptionEngineer(String name, Instant start, Instant expiry) {
        return withExtra(name, Fixtures.exception(start.toString(), expiry.toString()));
    }

    /** An engineer who meets the Deploy rules, approved by a tech lead of the example policy (and, with {@code extra}, more). */
    static EngineerAccess withExtra(String name, String extra) {
        return Fixtures.engineer(name, extra, "tess.lead@example.gov.uk");
    }

    /**
     * Changes an object as a user would: read, change, write, and read again when someone else wrote it in between
     * (409 Conflict). The operator writes the status of EngineerAccess and AccessPolicy objects, a leader renews its
     * Lease, and the API server writes a CRD's status after a change, so a single read-and-write can meet a conflict.
     */
    static <T> T edit(Resource<T> object, UnaryOperator<T> change) {
        for (int attempt = 1;; attempt++) {
            try {
                return object.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    static void sleepUntil(Instant t) {
        Duration d = Duration.between(Instant.now(), t);
        if (!d.isNegative()) {
            sleep(d);
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
