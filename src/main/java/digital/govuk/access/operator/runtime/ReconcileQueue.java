package digital.govuk.access.operator.runtime;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The reconciliations waiting for one of JOSDK's threads, and a way to the front for those that have fallen due or
 * were edited (decision 67 in docs/access-rules.md). After a start, a new leader's takeover, a policy edit or a
 * namespace relabel every engineer is queued at once, in no useful order, and one whose access ends meanwhile would
 * otherwise wait behind all the others: seconds at a few hundred engineers, minutes at ten thousand.
 * <p>
 * {@link #toFront} moves the waiting reconciliations of the given engineers ahead of the others, which keep their
 * order. An engineer whose reconciliation is running when it falls due is queued again by JOSDK when that ends, at the
 * back: such engineers are looked for again every {@link #LOOK_AGAIN} for {@link #PATIENCE}. Every {@link #SWEEP} the
 * waiting reconciliations are also looked over, and those the reconciler calls urgent ({@link #preferring}: an engineer
 * edited during the pass) are moved ahead of the rest.
 * <p>
 * JOSDK has no setting for the order of its queue, so this reaches the thread pool behind its reconciliation
 * executor and reads each waiting task's engineer from its fields. If a later JOSDK hides either, nothing is moved (as
 * before this class) and the log says so once; {@code ReconcileQueueTest} and {@code OperatorTest} then fail.
 */
@Singleton
public class ReconcileQueue {
    private static final Logger LOG = Logger.getLogger(ReconcileQueue.class);

    /** How often engineers not found in the queue are looked for again. */
    static final Duration LOOK_AGAIN = Duration.ofMillis(50);
    /** How long they are looked for. */
    static final Duration PATIENCE = Duration.ofSeconds(3);
    /** How often the waiting reconciliations are looked over for urgent ones. */
    static final Duration SWEEP = Duration.ofMillis(200);

    /** The queue: null while the operator has not started, empty when this JOSDK hides it. */
    private final Supplier<Optional<BlockingQueue<Runnable>>> find;
    private final ScheduledExecutorService timer = DaemonTimer.named("reconcile-queue");
    private final Map<Class<?>, Optional<Field>> engineerFields = new ConcurrentHashMap<>();
    /** Engineers due but not found waiting, and until when (nanoTime) to look for them. */
    private final Map<ResourceID, Long> lookingFor = new HashMap<>();
    private BlockingQueue<Runnable> queue;
    private boolean warned;
    private ScheduledFuture<?> again;
    private ScheduledFuture<?> sweeping;
    private Predicate<ResourceID> urgent = id -> false;
    private long moved;

    @Inject
    public ReconcileQueue(Instance<Operator> operator) {
        this(() -> {
            ExecutorService executor = operator.isResolvable()
                    ? operator.get().getConfigurationService().getExecutorServiceManager().reconcileExecutorService()
                    : null;
            return executor == null ? null : Optional.ofNullable(queueOf(executor));
        });
    }

    /** Over the queue {@code find} gives (tests): null while there is none yet, empty if there will be none. */
    public ReconcileQueue(Supplier<Optional<BlockingQueue<Runnable>>> find) {
        this.find = find;
    }

    /**
     * Keeps the engineers {@code urgent} names ahead of the others whenever reconciliations wait, looking every
     * {@link #SWEEP}: an engineer edited (or created) during a pass over everyone, or whose recorded change has come.
     */
    public synchronized void preferring(Predicate<ResourceID> urgent) {
        this.urgent = urgent;
        if (sweeping == null && !timer.isShutdown()) {
            sweeping = timer.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Moves the urgent waiting reconciliations ahead of the others, if any waits behind one that is not. */
    synchronized int sweep() {
        BlockingQueue<Runnable> q = queue();
        if (q == null || q.isEmpty()) {
            return 0;
        }
        boolean other = false;
        for (Runnable task : q) {
            if (!isUrgent(task)) {
                other = true;
            } else if (other) {
                return move(this::isUrgent).size();
            }
        }
        return 0;
    }

    private boolean isUrgent(Runnable task) {
        ResourceID id = engineerOf(task);
        try {
            return id != null && urgent.test(id);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Moves the waiting reconciliations of {@code engineers} to the front of the queue, in the queue's order, and
     * looks again for those not waiting. Returns how many were moved now.
     */
    public synchronized int toFront(Collection<ResourceID> engineers) {
        if (engineers.isEmpty()) {
            return 0;
        }
        long until = System.nanoTime() + PATIENCE.toNanos();
        Set<ResourceID> wanted = new HashSet<>(engineers);
        int n = move(wanted);
        for (ResourceID id : wanted) {
            lookingFor.put(id, until);
        }
        lookAgainLater();
        return n;
    }

    /** Reconciliations moved to the front since the start. */
    public synchronized long moved() {
        return moved;
    }

    /** Whether JOSDK's queue was found (false before the operator starts, or if a JOSDK version hides it). */
    public synchronized boolean reachable() {
        return queue() != null;
    }

    /** Moves the waiting tasks of {@code wanted} to the front; removes from {@code wanted} the engineers moved. */
    private int move(Set<ResourceID> wanted) {
        List<Runnable> first = move(task -> wanted.contains(engineerOf(task)));
        first.forEach(task -> wanted.remove(engineerOf(task)));
        return first.size();
    }

    /** Moves the waiting tasks {@code toFront} accepts ahead of the others, both in the queue's order; returns them. */
    private List<Runnable> move(Predicate<Runnable> toFront) {
        BlockingQueue<Runnable> q = queue();
        if (q == null || q.isEmpty()) {
            return List.of();
        }
        List<Runnable> waiting = new ArrayList<>(q.size() + 16);
        q.drainTo(waiting);
        List<Runnable> first = new ArrayList<>();
        List<Runnable> rest = new ArrayList<>(waiting.size());
        for (Runnable task : waiting) {
            (toFront.test(task) ? first : rest).add(task);
        }
        // The queue has no limit, so nothing put back is refused. A task JOSDK queued in between runs before these.
        q.addAll(first);
        q.addAll(rest);
        moved += first.size();
        if (!first.isEmpty()) {
            LOG.debugf("%d reconciliations moved ahead of %d others", first.size(), rest.size());
        }
        return first;
    }

    private void lookAgainLater() {
        if (again != null || lookingFor.isEmpty() || timer.isShutdown()) {
            return;
        }
        again = timer.schedule(this::lookAgain, LOOK_AGAIN.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void lookAgain() {
        again = null;
        long now = System.nanoTime();
        lookingFor.values().removeIf(until -> now - until > 0);
        if (lookingFor.isEmpty()) {
            return;
        }
        Set<ResourceID> wanted = new HashSet<>(lookingFor.keySet());
        move(wanted);
        lookingFor.keySet().retainAll(wanted);
        lookAgainLater();
    }

    private BlockingQueue<Runnable> queue() {
        if (queue == null) {
            Optional<BlockingQueue<Runnable>> found;
            try {
                found = find.get();
            } catch (RuntimeException e) {
                LOG.debugf(e, "the reconciliation queue could not be reached");
                found = Optional.empty();
            }
            if (found != null && found.isPresent()) {
                queue = found.get();
            } else if (found != null && !warned) {
                warned = true;
                LOG.warn("Changes that fall due while every engineer is being reconciled (after a start or a policy"
                        + " edit) wait their turn: this version of the operator framework does not let the operator"
                        + " reach its queue. Access still ends, but may end late (decision 67 in docs/access-rules.md).");
            }
        }
        return queue;
    }

    /** The engineer a waiting task reconciles: the one field of that type in JOSDK's task. */
    ResourceID engineerOf(Runnable task) {
        Optional<Field> field = engineerFields.computeIfAbsent(task.getClass(), type -> fieldOfType(type, ResourceID.class));
        return field.map(f -> (ResourceID) read(f, task)).orElse(null);
    }

    /** The queue of the thread pool behind {@code executor}, through at most two wrappers (JOSDK's instrumentation). */
    static BlockingQueue<Runnable> queueOf(ExecutorService executor) {
        Object at = executor;
        for (int depth = 0; depth < 3 && at != null; depth++) {
            if (at instanceof ThreadPoolExecutor pool) {
                return pool.getQueue();
            }
            Object wrapper = at;
            at = fieldOfType(wrapper.getClass(), ExecutorService.class).map(f -> read(f, wrapper)).orElse(null);
        }
        return null;
    }

    /** The first field {@code type} declares that holds a {@code of}, made readable; empty if none or if refused. */
    private static Optional<Field> fieldOfType(Class<?> type, Class<?> of) {
        for (Field f : type.getDeclaredFields()) {
            if (of.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    return Optional.of(f);
                } catch (RuntimeException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The field's value in {@code object}, or null if it cannot be read. */
    private static Object read(Field field, Object object) {
        try {
            return field.get(object);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    @PreDestroy
    void shutdown() {
        timer.shutdownNow();
    }
}
