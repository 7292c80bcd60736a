package digital.govuk.access.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import digital.govuk.access.operator.TestClock;
import digital.govuk.access.operator.UnexplainedAccess;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Issue 16: how leadership ends, and what each process reports. Against the Fabric8 mock server (CRUD), driving
 * the callbacks JOSDK's election calls, as it calls them: a process stopped while it leads gives the Lease up and
 * leaves the exit to the JVM's own shutdown; one that loses the Lease while running stops at once; and only the
 * leader reports the gauges that describe the cluster, while every process says whether it leads.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class LeadershipTest {
    static final String LEASE = "engineer-access-operator";
    static final List<String> LEADER_ONLY = List.of("engineer.access.engineers", "engineer.access.policy.valid",
            "engineer.access.unexplained.bindings");

    KubernetesClient client;
    final TestClock clock = new TestClock();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AccessMetrics metrics = new AccessMetrics(registry);
    final ReconcileStats stats = new ReconcileStats();
    final List<Integer> exits = new ArrayList<>();

    Leadership leadership(boolean enabled) {
        Leadership l = new Leadership(enabled, LEASE, Optional.of("test"), Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(1), client, clock, metrics, stats, Duration.ofMillis(200), exits::add);
        // Made with the operator, as the AccessPolicy reconciler makes it: its gauge is one of the leader's.
        new UnexplainedAccess(client, metrics, clock, Duration.ofMinutes(5));
        return l;
    }

    LeaderCallbacks elect(Leadership l) {
        LeaderElectionConfiguration config = l.configuration();
        assertThat(config.isExitOnStopLeading()).as("JOSDK must not exit by itself: it would from inside the shutdown").isFalse();
        return config.getLeaderCallbacks().orElseThrow();
    }

    Lease lease(String holder) {
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        return client.resource(new LeaseBuilder().withNewMetadata().withName(LEASE).withNamespace("test").endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15).withAcquireTime(now).withRenewTime(now)
                .withLeaseTransitions(3).endSpec().build()).create();
    }

    Lease lease() {
        return client.leases().inNamespace("test").withName(LEASE).get();
    }

    double leader() {
        return registry.get("engineer.access.leader").gauge().value();
    }

    List<String> shown() {
        return registry.getMeters().stream().filter(m -> m instanceof Gauge).map(m -> m.getId().getName()).distinct()
                .filter(LEADER_ONLY::contains).sorted().toList();
    }

    @Test
    void aLeaderThatIsStoppedGivesTheLeaseUpSoAnotherTakesItAtOnce() {
        Leadership l = leadership(true);
        LeaderCallbacks callbacks = elect(l);
        Lease held = lease(l.identity());
        callbacks.onStartLeading();
        assertThat(l.leading()).isTrue();

        l.stopping(new ShutdownEvent());
        callbacks.onStopLeading();

        Lease released = lease();
        assertThat(released.getSpec().getHolderIdentity()).as("no holder: any other process may take it now").isEmpty();
        assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        assertThat(released.getSpec().getLeaseTransitions()).isEqualTo(held.getSpec().getLeaseTransitions());
        assertThat(exits).as("the JVM's own shutdown ends the process").isEmpty();
        assertThat(l.leading()).isFalse();
        assertThat(leader()).isZero();
        assertThat(shown()).isEmpty();
    }

    @Test
    void aLeaderStoppedWhileAReconciliationStillRunsKeepsTheLeaseUntilItExpires() {
        Leadership l = leadership(true);
        LeaderCallbacks callbacks = elect(l);
        Lease held = lease(l.identity());
        callbacks.onStartLeading();
        stats.started("ada");

        l.stopping(new ShutdownEvent());
        callbacks.onStopLeading();

        assertThat(lease().getSpec().getHolderIdentity()).as("given up, the next leader could write beside it").isEqualTo(l.identity());
        assertThat(lease().getMetadata().getResourceVersion()).isEqualTo(held.getMetadata().getResourceVersion());
        assertThat(exits).isEmpty();
        assertThat(l.leading()).isFalse();
    }

    @Test
    void aStoppedProcessLeavesALeaseAnotherHoldsAlone() {
        Leadership l = leadership(true);
        LeaderCallbacks callbacks = elect(l);
        callbacks.onStartLeading();
        Lease taken = lease("another-operator");

        l.stopping(new ShutdownEvent());
        callbacks.onStopLeading();

        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("another-operator");
        assertThat(lease().getMetadata().getResourceVersion()).isEqualTo(taken.getMetadata().getResourceVersion());
        assertThat(exits).isEmpty();
    }

    @Test
    void aLeaderThatLosesTheLeaseWhileRunningStopsAtOnce() {
        Leadership l = leadership(true);
        LeaderCallbacks callbacks = elect(l);
        callbacks.onStartLeading();
        Lease taken = lease("another-operator");

        callbacks.onStopLeading();

        assertThat(exits).as("stops at once, with a failure status, so its pod restarts").containsExactly(1);
        assertThat(l.leading()).isFalse();
        assertThat(leader()).isZero();
        assertThat(lease().getMetadata().getResourceVersion()).as("the Lease is not written").isEqualTo(taken.getMetadata().getResourceVersion());
    }

    @Test
    void onlyTheLeaderReportsTheGaugesAboutTheCluster() {
        Leadership l = leadership(true);
        assertThat(shown()).as("before the election, as without one").containsExactlyElementsOf(LEADER_ONLY);

        LeaderCallbacks callbacks = elect(l);
        assertThat(l.leading()).isFalse();
        assertThat(leader()).isZero();
        assertThat(shown()).as("waiting to take over: nothing said about a cluster it does not manage").isEmpty();

        callbacks.onNewLeader("another-operator");
        assertThat(shown()).isEmpty();

        callbacks.onStartLeading();
        assertThat(leader()).isEqualTo(1);
        assertThat(shown()).containsExactlyElementsOf(LEADER_ONLY);
        metrics.holds("ada", digital.govuk.access.api.v1alpha1.Level.Deploy, false);
        assertThat(registry.get("engineer.access.engineers").tag("level", "Deploy").gauge().value()).isEqualTo(1);
        assertThat(registry.get("engineer.access.policy.valid").gauge().value()).isEqualTo(1);
    }

    @Test
    void withoutElectionTheOneProcessLeadsAndReportsEverything() {
        Leadership l = leadership(false);
        assertThat(l.configuration()).isNull();
        assertThat(l.leading()).isTrue();
        assertThat(leader()).isEqualTo(1);
        assertThat(shown()).containsExactlyElementsOf(LEADER_ONLY);
    }
}
