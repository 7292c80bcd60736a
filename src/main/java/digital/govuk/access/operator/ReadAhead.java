package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.operator.runtime.DaemonTimer;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Lets a change of access that falls due at a known instant go to the API server at that instant without a read in
 * front of it (decisions 62 and 79 in docs/access-rules.md). Every binding change is confirmed against a fresh read
 * of the EngineerAccess; for a change the operator knows in advance (a binding's expiry, an exception's start), a
 * read is made {@link #AHEAD} of the instant. At the instant, a reconciliation whose change has fallen due, or whose
 * only changes are deletions, may rely on it if the informer's copy is still the version read, and the read is at
 * most {@link #GOOD_FOR} old; otherwise it reads first, as for an edit.
 * <p>
 * A read made ahead can miss an edit made since, which the informer has not yet delivered. For a revocation the
 * worst that can follow is access removed and given back a moment later. For a grant it would be access given on
 * facts just withdrawn, so a grant made on a read ahead is read again straight after its writes, and undone at once if
 * an edit shows (the reconciler's {@code applyThenConfirm}).
 */
@Singleton
public class ReadAhead {
    private static final Logger LOG = Logger.getLogger(ReadAhead.class);

    /**
     * How long before a known change the EngineerAccess is read: long enough for the reads of a burst to be answered
     * before it, and half a second off the whole seconds at which bursts of changes come (exceptions end at 17:30,
     * others start at 17:30:01), so the reads for one burst are not sent at the instant of another.
     */
    static final Duration AHEAD = Duration.ofMillis(1500);
    /** How long a read counts for. */
    static final Duration GOOD_FOR = Duration.ofSeconds(5);
    /** Reads ahead of a burst of changes go out over a few threads, not one at a time and not all at once. */
    private static final int THREADS = 4;

    /** One read: the object's identity and version, and when the read was answered. */
    record Read(String uid, String resourceVersion, Instant at) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Map<String, ScheduledFuture<?>> planned = new ConcurrentHashMap<>();
    private final Map<String, Instant> plannedFor = new ConcurrentHashMap<>();
    private final Map<String, Read> reads = new ConcurrentHashMap<>();

    public ReadAhead(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
        this.timer = DaemonTimer.named("access-read-ahead", THREADS);
    }

    /**
     * Plans a read of the engineer {@link #AHEAD} of {@code instant}, its next change (null: none), in place of any read
     * planned before.
     */
    public void before(String name, Instant instant) {
        if (Objects.equals(plannedFor.get(name), instant)) {
            return;
        }
        cancel(name);
        reads.remove(name);
        if (instant == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), instant.minus(AHEAD)).toMillis());
        plannedFor.put(name, instant);
        planned.put(name, timer.schedule(() -> read(name, instant), delay, TimeUnit.MILLISECONDS));
    }

    private void read(String name, Instant instant) {
        planned.remove(name);
        try {
            EngineerAccess ea = client.resources(EngineerAccess.class).withName(name).get();
            if (ea != null) {
                reads.put(name, new Read(ea.getMetadata().getUid(), ea.getMetadata().getResourceVersion(), clock.instant()));
            }
        } catch (RuntimeException e) {
            // No read to rely on: the reconciliation at the instant reads for itself.
            LOG.debugf("could not read %s ahead of %s: %s", name, instant, e.getMessage());
        }
    }

    /**
     * Whether {@code cached} is the version read ahead at most {@link #GOOD_FOR} before {@code now}. The read is used
     * once.
     */
    public boolean confirms(EngineerAccess cached, Instant now) {
        String name = cached.getMetadata().getName();
        Read read = reads.remove(name);
        plannedFor.remove(name);
        return read != null && read.uid().equals(cached.getMetadata().getUid())
                && read.resourceVersion().equals(cached.getMetadata().getResourceVersion())
                && !read.at().isAfter(now) && !read.at().plus(GOOD_FOR).isBefore(now);
    }

    /** The engineer is gone. */
    public void forget(String name) {
        cancel(name);
        reads.remove(name);
    }

    private void cancel(String name) {
        plannedFor.remove(name);
        ScheduledFuture<?> f = planned.remove(name);
        if (f != null) {
            f.cancel(false);
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** For tests: a read is waiting to be used. */
    boolean holds(String name) {
        return reads.containsKey(name);
    }
}
