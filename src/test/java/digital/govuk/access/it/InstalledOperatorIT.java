package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.chart.Chart;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The packaged operator as the chart runs it: health and metrics on the management port, and two replicas
 * electing a leader on a Lease, of which only the leader writes, and the other takes over when the leader
 * is killed. Figures are printed as "installed operator: ..." lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstalledOperatorIT {
    static final Duration WAIT = Duration.ofSeconds(120);
    /** The chart's Lease, the only one its Role lets the operator use: its name, in the release namespace. */
    static final Map<String, String> ELECTING = Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "true",
            "ENGINEER_ACCESS_LEASE_NAME", "engineer-access-operator", "ENGINEER_ACCESS_LEASE_NAMESPACE", Chart.NAMESPACE);

    static InstalledCluster cluster;
    static KubernetesClient admin;
    final List<OperatorProcess> operators = new ArrayList<>();

    @BeforeAll
    static void install() {
        cluster = InstalledCluster.get();
        admin = cluster.admin;
    }

    @AfterEach
    void stop() {
        operators.forEach(OperatorProcess::close);
    }

    OperatorProcess start(String name) {
        OperatorProcess p = OperatorProcess.start(name, cluster.operatorKubeconfig, InstalledCluster.LOGS, ELECTING);
        operators.add(p);
        return p;
    }

    static void awaitExact() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> Convergence.of(admin, Instant.now()).exact());
    }

    @Test
    @Order(1)
    void healthAndMetricsAnswerWithTheirDocumentedNamesAndATransitionMovesTheLatenessHistogram() {
        OperatorProcess p = start("metrics");
        p.awaitLog("now holds the Lease", WAIT);
        p.awaitReady(WAIT);
        assertThat(p.management("/q/health/live").getKey()).isEqualTo(200);
        assertThat(p.management("/q/health/ready").getValue()).contains("\"role\": \"leader\"");
        awaitExact();

        double lateBefore = p.metric("engineer_access_transition_lateness_seconds_count");
        double expiredBefore = p.metric("engineer_access_expiries_total{reason=\"AccessExpired\"}");
        Instant expiry = Instant.now().plusSeconds(8);
        admin.resource(HostileClusterIT.exceptionEngineer("metrics-probe", Instant.now().minus(Duration.ofHours(1)), expiry)).create();
        await().atMost(WAIT).until(() -> adminBindings("metrics-probe").size() == 2);
        await().atMost(WAIT).until(() -> adminBindings("metrics-probe").isEmpty());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(p.metric("engineer_access_transition_lateness_seconds_count")).isEqualTo(lateBefore + 2);
            assertThat(p.metric("engineer_access_expiries_total{reason=\"AccessExpired\"}")).isEqualTo(expiredBefore + 2);
        });

        String metrics = p.management("/q/metrics").getValue();
        assertThat(metrics).contains("engineer_access_engineers{level=\"Admin\",supervised=\"true\"}",
                "engineer_access_engineers{level=\"None\",supervised=\"false\"}", "engineer_access_policy_valid 1.0",
                "engineer_access_grants_total{reason=\"AccessGranted\"}", "engineer_access_revocations_total{reason=\"AccessRevoked\"}",
                "engineer_access_reconcile_failures_total{cause=\"unreachable\"}",
                "engineer_access_transition_lateness_seconds_bucket{le=\"0.05\"}",
                "engineer_access_api_requests_total{code=\"201\",resource=\"rolebindings\",verb=\"create\"}",
                "engineer_access_api_requests_total{code=\"200\",resource=\"rolebindings\",verb=\"delete\"}",
                "operator_sdk_reconciliations_success_total", "operator_sdk_controllers_execution_reconcile_seconds_count");
        assertThat(metrics).as("no label names an engineer").doesNotContain("alex-admin", "metrics-probe");
        double lateSum = p.metric("engineer_access_transition_lateness_seconds_sum");
        System.out.printf("installed operator: the expiry of 2 bindings moved engineer_access_transition_lateness_seconds_count by 2"
                + " (sum now %.3f s, max %.3f s)%n", lateSum, p.metric("engineer_access_transition_lateness_seconds_max"));
    }

    @Test
    @Order(2)
    void twoReplicasOneLeaderWritesAndTheOtherTakesOverAfterTheLeaderIsKilled() {
        OperatorProcess a = start("replica-a");
        a.awaitLog("now holds the Lease", WAIT);
        OperatorProcess b = start("replica-b");
        b.awaitLog("waits to take over", WAIT);
        a.awaitReady(WAIT);
        b.awaitReady(WAIT);
        assertThat(b.management("/q/health/ready").getValue()).contains("follower");

        for (int i = 0; i < 20; i++) {
            admin.resource(HostileClusterIT.withExtra("ha-" + i, "")).create();
        }
        Instant expiry = Instant.now().plusSeconds(30);
        admin.resource(HostileClusterIT.exceptionEngineer("ha-expiring", Instant.now().minus(Duration.ofHours(1)), expiry)).create();
        awaitExact();
        assertThat(adminBindings("ha-expiring")).hasSize(2);

        double leaderWrites = writes(a);
        double followerWrites = writes(b);
        System.out.printf("installed operator: two replicas; RoleBinding, status and Event writes: leader %.0f, follower %.0f%n",
                leaderWrites, followerWrites);
        assertThat(leaderWrites).isPositive();
        assertThat(followerWrites).as("the follower writes nothing").isZero();

        HostileClusterIT.sleepUntil(expiry.minusSeconds(12));
        Instant killed = Instant.now();
        a.kill();
        b.awaitLog("now holds the Lease", WAIT);
        Instant takeover = b.logTimes("now holds the Lease").get(0);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> adminBindings("ha-expiring").isEmpty());
        Instant removed = Instant.now();
        System.out.printf("installed operator: leader killed with SIGKILL; the other replica held the Lease %.1f s later (Lease 15 s);"
                + " the exception that expired %.1f s after the kill was removed %d ms after its expiry%n",
                Duration.between(killed, takeover).toMillis() / 1e3, Duration.between(killed, expiry).toMillis() / 1e3,
                Duration.between(expiry, removed).toMillis());
        assertThat(takeover).as("taken over within the Lease's duration and renewal").isBefore(killed.plusSeconds(15 + 2 + 5));
        assertThat(removed).as("not removed before its expiry").isAfter(expiry);
        awaitExact();
        assertThat(writes(b)).isPositive();
    }

    /** The writes a process made that change access or its record: RoleBindings, statuses, Events. */
    static double writes(OperatorProcess p) {
        double total = 0;
        for (String verb : List.of("create", "update", "patch", "delete")) {
            for (String resource : List.of("rolebindings", "engineeraccesses/status", "accesspolicies/status", "events")) {
                total += p.sum("engineer_access_api_requests_total", "verb=\"" + verb + "\"", "resource=\"" + resource + "\"");
            }
        }
        return total;
    }

    static List<String> adminBindings(String engineer) {
        return admin.rbac().roleBindings().inAnyNamespace().withLabel(ManagedBindings.ENGINEER_LABEL, engineer)
                .withLabel(ManagedBindings.LEVEL_LABEL, ManagedBindings.ADMIN).list().getItems().stream()
                .map(rb -> rb.getMetadata().getNamespace() + "/" + rb.getMetadata().getName()).toList();
    }
}
