package digital.govuk.access.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * When to try again after a reconciliation that could not finish (a write refused, the API server out of
 * reach, a RoleBinding name taken by someone else). The delay doubles from {@code initial} with each
 * failure in a row, up to {@code max}, so a failure that persists neither spins nor is forgotten; a
 * success starts again from {@code initial}. One engineer's failures never delay another engineer.
 */
@Singleton
public class Retries {
    /** One engineer's failures in a row; {@code unreachable} when the last one was the API server out of reach. */
    record Failures(int count, boolean unreachable) {
    }

    private final Duration initial;
    private final Duration max;
    private final Map<ResourceID, Failures> failing = new ConcurrentHashMap<>();

    public Retries(@ConfigProperty(name = "engineer-access.retry.initial", defaultValue = "1s") Duration initial,
            @ConfigProperty(name = "engineer-access.retry.max", defaultValue = "60s") Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /**
     * Records a failure and returns when to try again. The delay grows with failures of one kind: a failure of
     * another kind (the API server refusing a request just after it came back, say) starts again from the
     * initial delay, since the last kind of problem is over.
     */
    public Instant failed(ResourceID id, Instant now, boolean unreachable) {
        Failures f = failing.merge(id, new Failures(1, unreachable),
                (old, one) -> old.unreachable() == unreachable ? new Failures(old.count() + 1, unreachable) : one);
        return now.plus(delay(f.count()));
    }

    /** The engineer's reconciliation finished: the next failure starts again from the initial delay. */
    public void succeeded(ResourceID id) {
        failing.remove(id);
    }

    /** Failures in a row for an engineer (0 when its last reconciliation finished). */
    public int failures(ResourceID id) {
        Failures f = failing.get(id);
        return f == null ? 0 : f.count();
    }

    /** The engineers whose last failure was the API server out of reach. */
    public List<ResourceID> waitingForApiServer() {
        return failing.entrySet().stream().filter(e -> e.getValue().unreachable()).map(Map.Entry::getKey).toList();
    }

    /** The delay before the n-th retry in a row (n >= 1): initial, doubled each time, at most max. */
    Duration delay(int n) {
        Duration d = initial;
        for (int i = 1; i < n && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    public Duration max() {
        return max;
    }
}
