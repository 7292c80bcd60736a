package digital.govuk.access.operator.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import digital.govuk.access.api.v1alpha1.Level;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The operator's own metrics, in Prometheus form on the management port (/q/metrics). JOSDK adds its
 * reconciliation metrics next to them. No label names an engineer: every label has a few known values.
 * <ul>
 * <li>{@code engineer_access_engineers{level,supervised}}: engineers by the access they hold now</li>
 * <li>{@code engineer_access_grants_total{reason}}, {@code engineer_access_revocations_total{reason}},
 * {@code engineer_access_expiries_total{reason}}: RoleBindings made, removed and expired, by the Event reason</li>
 * <li>{@code engineer_access_transition_lateness_seconds}: from the instant a change was due (a
 * nextTransitionTime, or a binding's expiry) to the moment the API server accepted its RoleBinding change</li>
 * <li>{@code engineer_access_reconcile_failures_total{cause}}: reconciliations that could not finish and were retried</li>
 * <li>{@code engineer_access_policy_valid}: 1 while the AccessPolicy is valid, 0 while it is invalid</li>
 * <li>{@code engineer_access_orphans_removed_total}: bindings with our label that no EngineerAccess justified, deleted</li>
 * <li>{@code engineer_access_leader}: 1 while this process holds the Lease (or runs without leader election), else 0</li>
 * </ul>
 * The gauges that describe the cluster (engineers, policy validity, unexplained bindings) are reported only by the
 * leader ({@link #leaderOnly}): a process waiting to take over manages nothing, and a 0 or a 1 from it would be read
 * as a fact about the cluster. Its counters say what it did itself, which is nothing, and stay.
 */
@Singleton
public class AccessMetrics {
    /** What one engineer holds now. */
    private record Held(Level level, boolean supervised) {
    }

    private final MeterRegistry registry;
    private final Map<String, Held> engineers = new ConcurrentHashMap<>();
    private final AtomicInteger policyValid = new AtomicInteger(1);
    private final AtomicInteger leader = new AtomicInteger(1);
    private final Timer lateness;
    private final Counter orphans;
    private final List<Gauge.Builder<?>> leaderOnly = new ArrayList<>();
    private final List<Gauge> shown = new ArrayList<>();
    /** Without leader election a process leads from the start; {@link Leadership} says otherwise when it elects. */
    private boolean leading = true;

    public AccessMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("engineer.access.leader", leader, AtomicInteger::get)
                .description("1 while this operator holds the Lease and reconciles (or runs without leader election); 0 while it waits to take over")
                .register(registry);
        for (Held held : new Held[] {new Held(Level.None, false), new Held(Level.Deploy, false), new Held(Level.Admin, false),
                new Held(Level.Admin, true)}) {
            leaderOnly(Gauge.builder("engineer.access.engineers", engineers, m -> m.values().stream().filter(held::equals).count())
                    .description("Engineers by the production access they hold now")
                    .tag("level", held.level().name()).tag("supervised", String.valueOf(held.supervised())));
        }
        leaderOnly(Gauge.builder("engineer.access.policy.valid", policyValid, AtomicInteger::get)
                .description("1 while the AccessPolicy is valid; 0 while it is invalid (the last valid one stays in force, or access is frozen if there was none)"));
        // Every reason and cause known in advance starts at 0, so a rate is defined before the first change.
        for (String reason : new String[] {"AccessGranted", "BindingRestored"}) {
            granted(reason, 0);
        }
        for (String reason : new String[] {"AccessRevoked", "AccessRevokedLongAbsence", "AccessRemoved"}) {
            revoked(reason, 0);
        }
        expired("AccessExpired", 0);
        for (String cause : new String[] {"unreachable", "error", "refused", "name-conflict"}) {
            failures(cause);
        }
        orphans = Counter.builder("engineer.access.orphans.removed")
                .description("RoleBindings with the operator's label that no EngineerAccess justified, deleted by the operator")
                .register(registry);
        lateness = Timer.builder("engineer.access.transition.lateness")
                .description("From the instant an access change was due to the moment the API server accepted its RoleBinding change")
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
                        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60))
                .register(registry);
    }

    /**
     * JOSDK's reconciliation metrics (operator_sdk_*), per controller only: the Quarkus extension's default also
     * labels them with every engineer's name, an unbounded set of series.
     */
    @Produces
    @Singleton
    static Metrics reconciliationMetrics(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }

    /**
     * A gauge about the cluster the operator manages: registered while this process leads, and absent from
     * /q/metrics while it does not, so that only the leader's value is ever read.
     */
    public synchronized void leaderOnly(Gauge.Builder<?> gauge) {
        leaderOnly.add(gauge);
        if (leading) {
            shown.add(gauge.register(registry));
        }
    }

    /** This process now holds the Lease (or runs without election), or no longer does. */
    synchronized void leading(boolean now) {
        leader.set(now ? 1 : 0);
        if (now == leading) {
            return;
        }
        leading = now;
        if (now) {
            leaderOnly.forEach(gauge -> shown.add(gauge.register(registry)));
        } else {
            shown.forEach(registry::remove);
            shown.clear();
        }
    }

    public void holds(String engineer, Level level, boolean supervised) {
        engineers.put(engineer, new Held(level == null ? Level.None : level, level == Level.Admin && supervised));
    }

    public void forget(String engineer) {
        engineers.remove(engineer);
    }

    public void granted(String reason, int bindings) {
        count("engineer.access.grants", "RoleBindings made or restored, by the reason of their Event", reason, bindings);
    }

    public void revoked(String reason, int bindings) {
        count("engineer.access.revocations", "RoleBindings removed before any expiry, by the reason of their Event", reason, bindings);
    }

    public void expired(String reason, int bindings) {
        count("engineer.access.expiries", "Time-limited RoleBindings removed at their expiry", reason, bindings);
    }

    /** A RoleBinding with our label that no EngineerAccess justified was deleted. */
    public void orphanRemoved() {
        orphans.increment();
    }

    public void late(Duration late) {
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    public void reconcileFailed(String cause) {
        failures(cause).increment();
    }

    private Counter failures(String cause) {
        return Counter.builder("engineer.access.reconcile.failures").description("Reconciliations that could not finish and are retried")
                .tag("cause", cause).register(registry);
    }

    public void policyValid(boolean valid) {
        policyValid.set(valid ? 1 : 0);
    }

    private void count(String name, String description, String reason, int n) {
        Counter counter = Counter.builder(name).description(description).tag("reason", reason).register(registry);
        if (n > 0) {
            counter.increment(n);
        }
    }
}
