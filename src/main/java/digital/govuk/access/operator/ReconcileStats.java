package digital.govuk.access.operator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/** How many reconciliations finished, per engineer: a health signal, and how tests know one has run. */
@ApplicationScoped
public class ReconcileStats {
    private final Map<String, AtomicLong> completed = new ConcurrentHashMap<>();

    void completed(String engineer) {
        completed.computeIfAbsent(engineer, k -> new AtomicLong()).incrementAndGet();
    }

    public long completedFor(String engineer) {
        AtomicLong n = completed.get(engineer);
        return n == null ? 0 : n.get();
    }
}
