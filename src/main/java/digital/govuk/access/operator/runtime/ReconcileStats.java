package digital.govuk.access.operator.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reconciliations running and finished, per engineer: how liveness tells a stuck operator from a busy one,
 * and how tests know one has run.
 */
@ApplicationScoped
public class ReconcileStats {
    private final Map<String, AtomicLong> completed = new ConcurrentHashMap<>();
    /** When each reconciliation now running started (System.nanoTime, not the operator's clock, which tests move). */
    private final Map<String, Long> running = new ConcurrentHashMap<>();

    public void started(String engineer) {
        running.put(engineer, System.nanoTime());
    }

    public void finished(String engineer, boolean complete) {
        running.remove(engineer);
        if (complete) {
            completed.computeIfAbsent(engineer, k -> new AtomicLong()).incrementAndGet();
        }
    }

    /** Reconciliations that finished what they had to do, for an engineer. */
    public long completedFor(String engineer) {
        AtomicLong n = completed.get(engineer);
        return n == null ? 0 : n.get();
    }

    /** Whether any reconciliation is running now. */
    public boolean anyRunning() {
        return !running.isEmpty();
    }

    /** How long the longest reconciliation now running has been running (zero when none runs). */
    public Duration longestRunning() {
        long now = System.nanoTime();
        return running.values().stream().map(start -> Duration.ofNanos(now - start)).max(Duration::compareTo).orElse(Duration.ZERO);
    }
}
