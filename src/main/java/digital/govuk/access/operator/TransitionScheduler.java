package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.operator.runtime.DaemonTimer;
import digital.govuk.access.operator.runtime.ReconcileQueue;
import digital.govuk.access.operator.runtime.Reconnect;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;

/**
 * Wakes the reconciler for an engineer at the exact instant its access decision changes
 * (status.nextTransitionTime, or a binding's expiry), or, after a reconciliation that could not finish,
 * when {@link Retries} says to try again. One timer for all engineers, armed for the earliest instant;
 * delays are computed from the injected {@link Clock} and never negative, and the timer looks at the clock at
 * least every {@link #LONGEST_SLEEP}, so a step of the clock (or a test moving it by hand) is seen within it.
 * {@link #fireDue()} runs what has become due at once.
 * <p>
 * Every reconciliation ends with {@link #after}, whatever happened in it, so a wake-up is never lost:
 * a change that is due stays due, and is retried until it is applied.
 */
@Singleton
public class TransitionScheduler extends AbstractEventSource<Void, EngineerAccess> {
    private static final Logger LOG = Logger.getLogger(TransitionScheduler.class);

    /**
     * The timer sleeps on the monotonic clock, while instants are on the wall clock. It looks at the wall clock at
     * least this often, so a step of the node's clock (a time-sync correction, a paused machine resumed) delays a
     * change by at most this much, instead of by the whole step (decision 68).
     */
    private static final Duration LONGEST_SLEEP = Duration.ofSeconds(1);
    /** A difference between the two clocks over one sleep beyond this is logged as a step of the wall clock. */
    private static final Duration STEP_WORTH_SAYING = Duration.ofSeconds(2);

    private final Clock clock;
    private final Retries retries;
    private final ReconcileQueue queue;
    private final ScheduledExecutorService timer = DaemonTimer.named("access-transitions");
    private final Map<ResourceID, Instant> byEngineer = new HashMap<>();
    private final TreeMap<Instant, Set<ResourceID>> byInstant = new TreeMap<>();
    private ScheduledFuture<?> wake;
    /** When the timer was last armed, on each clock (to see the wall clock step while it slept). */
    private Instant armedAtWall;
    private long armedAtNanos;

    public TransitionScheduler(Clock clock, Retries retries, ReconcileQueue queue) {
        super(Void.class, "access-transitions");
        this.clock = clock;
        this.retries = retries;
        this.queue = queue;
    }

    /**
     * Schedules the engineer's next wake-up at the end of a reconciliation: at {@code next} (its next
     * transition) when the reconciliation finished; when it failed, at the retry delay, or at {@code next}
     * if that comes sooner. An instant already past is retried after the delay, never at once.
     *
     * @param unreachable the failure was the API server out of reach ({@link Reconnect} then wakes the engineer as
     *                    soon as it answers again)
     * @return when the engineer will be woken (null: only by a change)
     */
    public synchronized Instant after(ResourceID id, Instant next, boolean failed, boolean unreachable) {
        Instant at = next;
        if (failed) {
            Instant now = clock.instant();
            Instant retry = retries.failed(id, now, unreachable);
            at = next != null && next.isAfter(now) && next.isBefore(retry) ? next : retry;
        } else {
            retries.succeeded(id);
        }
        schedule(id, at);
        return at;
    }

    /** Wakes at once every engineer whose last reconciliation failed with the API server out of reach. */
    public synchronized int wakeWaitingForApiServer() {
        List<ResourceID> waiting = retries.waitingForApiServer();
        Instant now = clock.instant();
        for (ResourceID id : waiting) {
            retries.succeeded(id);
            schedule(id, now);
        }
        return waiting.size();
    }

    /** Wakes the engineer at {@code at}; replaces any earlier schedule for it. Null cancels. */
    public synchronized void schedule(ResourceID id, Instant at) {
        remove(id);
        if (at != null) {
            put(id, at);
        }
        rearm();
    }

    public synchronized void cancel(ResourceID id) {
        remove(id);
        retries.succeeded(id);
        rearm();
    }

    /** When the engineer will next be woken, if at all. */
    public synchronized Optional<Instant> scheduledFor(ResourceID id) {
        return Optional.ofNullable(byEngineer.get(id));
    }

    /** Wakes every engineer whose instant has come, by the clock. */
    public void fireDue() {
        List<ResourceID> due = new ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            while (!byInstant.isEmpty() && !byInstant.firstKey().isAfter(now)) {
                for (ResourceID id : byInstant.pollFirstEntry().getValue()) {
                    byEngineer.remove(id);
                    due.add(id);
                }
            }
            rearm();
        }
        if (due.isEmpty() || !isRunning()) {
            return;
        }
        for (ResourceID id : due) {
            LOG.debugf("transition due for %s", id.getName());
            getEventHandler().handleEvent(new Event(id));
        }
        // Ahead of any engineers still waiting for a first look (after a start, or a policy edit): decision 67.
        queue.toFront(due);
    }

    /**
     * Arms the instants the cluster already records (each engineer's status and bindings, written by the process
     * before this one) for the engineers this process has not yet reconciled, so one that falls due while the first
     * pass works through everyone is not left waiting its turn (decision 67). An instant already past wakes at once.
     */
    public synchronized int seed(Map<ResourceID, Instant> recorded) {
        int armed = 0;
        for (Map.Entry<ResourceID, Instant> e : recorded.entrySet()) {
            if (e.getValue() != null && !byEngineer.containsKey(e.getKey())) {
                put(e.getKey(), e.getValue());
                armed++;
            }
        }
        rearm();
        return armed;
    }

    /** Wakes the engineer at {@code at}, which it has no wake-up for yet (the caller re-arms the timer). */
    private void put(ResourceID id, Instant at) {
        byEngineer.put(id, at);
        byInstant.computeIfAbsent(at, k -> new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()))).add(id);
    }

    private void remove(ResourceID id) {
        Instant old = byEngineer.remove(id);
        if (old != null) {
            Set<ResourceID> ids = byInstant.get(old);
            ids.remove(id);
            if (ids.isEmpty()) {
                byInstant.remove(old);
            }
        }
    }

    private void rearm() {
        if (wake != null) {
            wake.cancel(false);
            wake = null;
        }
        if (byInstant.isEmpty() || timer.isShutdown()) {
            return;
        }
        Duration delay = Duration.between(clock.instant(), byInstant.firstKey());
        if (delay.isNegative()) {
            delay = Duration.ZERO;
        } else if (delay.compareTo(LONGEST_SLEEP) > 0) {
            delay = LONGEST_SLEEP;
        }
        armedAtWall = clock.instant();
        armedAtNanos = System.nanoTime();
        wake = timer.schedule(this::woken, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The timer's own wake-up: says so if the wall clock stepped while it slept, then applies what is due. */
    private void woken() {
        Duration step;
        synchronized (this) {
            step = Duration.between(armedAtWall, clock.instant()).minusNanos(System.nanoTime() - armedAtNanos);
        }
        if (step.abs().compareTo(STEP_WORTH_SAYING) > 0) {
            LOG.warnf("the clock of this node jumped %s %d s (a time correction, or the machine was paused): %s",
                    step.isNegative() ? "back" : "forward", step.abs().toSeconds(), step.isNegative()
                            ? "changes wait until the clock reaches their instant again"
                            : "changes that fell due in the jump are applied now");
        }
        fireDue();
    }

    /** Tasks in the timer's queue (tests: one at most, however often it was re-armed). */
    int queuedTimerTasks() {
        return ((ScheduledThreadPoolExecutor) timer).getQueue().size();
    }

    /** Whether the timer that wakes engineers still runs. */
    public boolean timerRunning() {
        return !timer.isShutdown();
    }

    @Override
    public Set<Void> getSecondaryResources(EngineerAccess primary) {
        return Set.of();
    }

    @PreDestroy
    void shutdown() {
        timer.shutdownNow();
    }
}
