package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.chart.Chart;
import digital.govuk.access.operator.runtime.Leadership;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Issue 16, a rollout as a platform team runs one: two replicas of the packaged operator, each with the chart's
 * ServiceAccount rights, electing a leader on a Lease; the leader is sent SIGTERM (what Kubernetes sends the pod
 * it replaces) 2 s before an exception expires. The leader must stop, give the Lease up and exit within seconds,
 * and the other replica take the Lease and remove the expired access on time, never before. Only the leader
 * reports the engineer gauges, and each replica says whether it leads. A leader whose Lease is taken from it
 * while it runs stops at once. Figures are printed as "leader handover: ..." lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaderHandoverIT {
    static final Duration WAIT = Duration.ofSeconds(120);
    /** How long a stopped leader may take to exit (the bound). */
    static final Duration EXIT = Duration.ofSeconds(5);
    /** How late the other replica may remove access that expired during the handover (the bound). */
    static final Duration LATE = Duration.ofSeconds(2);
    static final Pattern IDENTITY = Pattern.compile("\"identity\"\\s*:\\s*\"([^\"]+)\"");
    /** The gauges that describe the cluster the operator manages: only the leader reports them. */
    static final List<String> LEADER_ONLY = List.of("engineer_access_engineers", "engineer_access_policy_valid",
            "engineer_access_unexplained_bindings");

    static KubernetesClient admin;
    static InstalledCluster cluster;
    final List<OperatorProcess> operators = new ArrayList<>();
    static final List<String> engineers = new ArrayList<>();

    /** This test's own Leases, in namespace default, so it never holds or takes the chart's Lease other tests elect on. */
    static final List<String> TEST_LEASES = List.of("engineer-access-handover", "engineer-access-taken");

    @BeforeAll
    static void install() {
        cluster = InstalledCluster.get();
        admin = cluster.admin;
        // The chart's Role grants its one Lease only; these are granted the same way (by name, plus create), for this test.
        admin.resource(new RoleBuilder().withNewMetadata().withName("leader-handover-test-leases").withNamespace("default").endMetadata()
                .addNewRule().withApiGroups("coordination.k8s.io").withResources("leases").withResourceNames(TEST_LEASES)
                .withVerbs(Leadership.LEASE_VERBS).endRule()
                .addNewRule().withApiGroups("coordination.k8s.io").withResources("leases").withVerbs(Leadership.LEASE_CREATE).endRule()
                .build()).createOr(r -> r.update());
        admin.resource(new RoleBindingBuilder().withNewMetadata().withName("leader-handover-test-leases").withNamespace("default").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("leader-handover-test-leases").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE).endSubject()
                .build()).createOr(r -> r.update());
    }

    @AfterEach
    void stop() {
        operators.forEach(OperatorProcess::close);
    }

    @AfterAll
    static void removeEngineers() {
        engineers.forEach(name -> admin.resources(EngineerAccess.class).withName(name).delete());
    }

    OperatorProcess start(String name, String lease) {
        OperatorProcess p = OperatorProcess.start(name, cluster.operatorKubeconfig, InstalledCluster.LOGS,
                Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "true", "ENGINEER_ACCESS_LEASE_NAME", lease,
                        "ENGINEER_ACCESS_LEASE_NAMESPACE", "default"));
        operators.add(p);
        return p;
    }

    @Test
    @Order(1)
    void aLeaderSentSigtermHandsOverInSecondsAndAccessThatExpiresMeanwhileEndsOnTime() {
        String lease = "engineer-access-handover";
        OperatorProcess a = start("handover-a", lease);
        a.awaitLog("now holds the Lease", WAIT);
        OperatorProcess b = start("handover-b", lease);
        b.awaitLog("waits to take over", WAIT);
        a.awaitReady(WAIT);
        b.awaitReady(WAIT);
        String leader = identity(a);
        String follower = identity(b);
        assertThat(holder(lease)).isEqualTo(leader);

        assertThat(a.metric("engineer_access_leader")).as("the leader says it leads").isEqualTo(1);
        assertThat(b.metric("engineer_access_leader")).as("the follower says it does not").isZero();
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.management("/q/metrics").getValue()).contains(LEADER_ONLY));
        assertThat(b.management("/q/metrics").getValue()).as("a follower reports nothing about a cluster it does not manage")
                .doesNotContain(LEADER_ONLY).contains("engineer_access_leader 0.0");

        Instant expiry = Instant.now().plusSeconds(20);
        create(HostileClusterIT.exceptionEngineer("handover-expiring", Instant.now().minus(Duration.ofHours(1)), expiry));
        await().atMost(WAIT).until(() -> adminBindings("handover-expiring").size() == 2);

        HostileClusterIT.sleepUntil(expiry.minusSeconds(2));
        Instant terminated = Instant.now();
        ProcessHandle.of(a.pid()).orElseThrow().destroy(); // SIGTERM, as the kubelet stops a container
        Instant exited = null;
        Instant removed = null;
        Instant lastPresent = null;
        Instant giveUp = expiry.plusSeconds(30);
        while ((exited == null || removed == null) && Instant.now().isBefore(giveUp)) {
            Instant now = Instant.now();
            if (exited == null && !a.alive()) {
                exited = now;
            }
            if (removed == null) {
                if (adminBindings("handover-expiring").isEmpty()) {
                    removed = now;
                } else {
                    lastPresent = now;
                }
            }
            HostileClusterIT.sleep(Duration.ofMillis(20));
        }
        assertThat(exited).as("the leader exited after SIGTERM:\n%s", a.tail()).isNotNull();
        assertThat(removed).as("the expired access was removed").isNotNull();
        b.awaitLog("now holds the Lease", WAIT);
        Instant takeover = b.logTimes("now holds the Lease").get(0);
        long exitMs = Duration.between(terminated, exited).toMillis();
        long takeoverMs = Duration.between(terminated, takeover).toMillis();
        long lateMs = Duration.between(expiry, removed).toMillis();
        System.out.printf("leader handover: the leader exited %d ms after SIGTERM; the other replica held the Lease %d ms after"
                + " SIGTERM; the exception that expired 2 s after SIGTERM was removed %d ms after its expiry (still there %d ms"
                + " after it; polled every 20 ms)%n", exitMs, takeoverMs, lateMs, Duration.between(expiry, lastPresent).toMillis());

        assertThat(Duration.between(terminated, exited)).as("the leader exits within %d s of SIGTERM:\n%s", EXIT.toSeconds(), a.tail())
                .isLessThanOrEqualTo(EXIT);
        assertThat(a.log()).as("the leader says it gave the Lease up").contains("gave up the Lease");
        assertThat(removed).as("not removed before its expiry").isAfter(expiry);
        assertThat(Duration.between(expiry, removed)).as("removed within %d s of its expiry", LATE.toSeconds()).isLessThanOrEqualTo(LATE);
        assertThat(b.log()).as("removed by the other replica").contains("reason=AccessExpired");
        await().atMost(WAIT).untilAsserted(() -> assertThat(holder(lease)).as("the Lease changed holder").isEqualTo(follower));

        assertThat(b.metric("engineer_access_leader")).as("the new leader says it leads").isEqualTo(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.management("/q/metrics").getValue()).contains(LEADER_ONLY));
    }

    @Test
    @Order(2)
    void aLeaderWhoseLeaseIsTakenStopsAtOnce() {
        String lease = "engineer-access-taken";
        OperatorProcess c = start("handover-taken", lease);
        c.awaitLog("now holds the Lease", WAIT);
        c.awaitReady(WAIT);

        // Another holder, renewed now: as when the API server was out of this process's reach and another took over.
        // The leader renews every few seconds, so the write may meet a conflict and be read and tried again.
        HostileClusterIT.edit(admin.leases().inNamespace("default").withName(lease), l -> {
            l.getSpec().setHolderIdentity("another-operator");
            l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
            l.getSpec().setLeaseDurationSeconds(60);
            return l;
        });
        Instant taken = Instant.now();
        await().atMost(EXIT.plusSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> !c.alive());
        Instant exited = Instant.now();
        System.out.printf("leader handover: a leader whose Lease was taken from it exited %d ms later%n",
                Duration.between(taken, exited).toMillis());
        assertThat(c.log()).contains("lost the Lease");
        assertThat(Duration.between(taken, exited)).as("it notices at its next renewal and exits at once").isLessThanOrEqualTo(EXIT);
        assertThat(holder(lease)).as("it never takes the Lease back").isEqualTo("another-operator");
    }

    void create(EngineerAccess ea) {
        engineers.add(ea.getMetadata().getName());
        admin.resource(ea).create();
    }

    static String holder(String lease) {
        Lease l = admin.leases().inNamespace("default").withName(lease).get();
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    static List<String> adminBindings(String engineer) {
        return admin.rbac().roleBindings().inAnyNamespace().withLabel(ManagedBindings.ENGINEER_LABEL, engineer)
                .withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.ADMIN).list().getItems().stream()
                .map(rb -> rb.getMetadata().getNamespace() + "/" + rb.getMetadata().getName()).toList();
    }

    /** The identity a process elects with, as its readiness check says. */
    static String identity(OperatorProcess p) {
        Matcher m = IDENTITY.matcher(p.management("/q/health/ready").getValue());
        assertThat(m.find()).as("readiness names the identity").isTrue();
        return m.group(1);
    }
}
