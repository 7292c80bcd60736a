package digital.govuk.access.operator.runtime;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import digital.govuk.access.operator.TransitionScheduler;
import io.javaoperatorsdk.operator.Operator;

/**
 * Health on the management port. Ready: a follower at once (it can take over); the leader, or an operator
 * without election, once its informers have synced and its first full pass is queued. Live: unless it is
 * stuck (a reconciliation running far longer than any should, or the transition timer gone), never merely
 * because it is busy, waiting for the Lease, or cut off from the API server (restarting would not help).
 */
@ApplicationScoped
public class OperatorHealth {
    private final Operator operator;
    private final Leadership leadership;
    private final ReconcileStats stats;
    private final TransitionScheduler transitions;
    private final Duration stuckAfter;

    public OperatorHealth(Operator operator, Leadership leadership, ReconcileStats stats, TransitionScheduler transitions,
            @ConfigProperty(name = "engineer-access.stuck-after", defaultValue = "5m") Duration stuckAfter) {
        this.operator = operator;
        this.leadership = leadership;
        this.stats = stats;
        this.transitions = transitions;
        this.stuckAfter = stuckAfter;
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            var response = HealthCheckResponse.named("engineer-access-operator ready").withData("identity", leadership.identity());
            if (leadership.electing() && !leadership.leading()) {
                return response.up().withData("role", "follower: waiting to take over the Lease").build();
            }
            var runtime = operator.getRuntimeInfo();
            if (!runtime.isStarted() || !runtime.allEventSourcesAreHealthy()) {
                return response.down().withData("role", "leader").withData("waiting for", "the informers to sync").build();
            }
            return response.up().withData("role", leadership.electing() ? "leader" : "single operator").build();
        };
    }

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> {
            var response = HealthCheckResponse.named("engineer-access-operator live");
            Duration longest = stats.longestRunning();
            if (longest.compareTo(stuckAfter) > 0) {
                return response.down().withData("stuck", "a reconciliation has been running for " + longest.toSeconds() + " s").build();
            }
            if (!transitions.timerRunning()) {
                return response.down().withData("stuck", "the transition timer has stopped").build();
            }
            return response.up().build();
        };
    }
}
