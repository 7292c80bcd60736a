package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.Ownership;
import digital.govuk.access.operator.runtime.AccessMetrics;
import digital.govuk.access.operator.runtime.DaemonTimer;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * RoleBindings with our managed-by label that no EngineerAccess justifies: their EngineerAccess was deleted with
 * {@code --cascade=orphan}, or their owner reference was removed or replaced, so the garbage collector will never
 * remove them. Access must not outlive its rule, so they are deleted, after a fresh read confirms that no
 * EngineerAccess of that name exists. A binding whose EngineerAccess exists is left to that engineer's
 * reconciliation, which claims it (puts its owner reference back) or deletes it ({@code Ownership.CLAIMED}).
 * <p>
 * Looked at when the operator starts (every managed binding the informer lists) and whenever one appears or
 * changes. The look at the caches is free; the API server is asked only about a binding whose EngineerAccess the
 * cache does not have, so a cluster with nothing to remove costs no request. A binding that still names an owner
 * is given {@link #GRACE} first: deleting an EngineerAccess normally leaves its bindings to the garbage collector.
 */
@Singleton
public class Orphans {
    private static final Logger LOG = Logger.getLogger(Orphans.class);
    static final Duration GRACE = Duration.ofSeconds(5);
    static final String REMOVED = "OrphanedBindingRemoved";

    private final KubernetesClient client;
    private final BindingWriter writer;
    private final Audit audit;
    private final AccessMetrics metrics;
    private final TransitionScheduler transitions;
    private final Clock clock;
    private final ScheduledExecutorService timer = DaemonTimer.named("orphaned-bindings");
    /** Bindings waiting to be looked at, by namespace/name, with the latest copy seen. */
    private final Map<String, RoleBinding> waiting = new ConcurrentHashMap<>();
    private volatile Caches caches;
    /** EngineerAccess objects marked for deletion whose bindings are being removed, by UID (decision 70). */
    private final Map<String, Removal> removing = new ConcurrentHashMap<>();
    /** Those whose removal was recorded while finalizers still held them: not recorded again when they go. */
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();
    /** Deleted EngineerAccess objects whose bindings are not yet confirmed gone. */
    private final java.util.concurrent.atomic.AtomicInteger confirming = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * An EngineerAccess being deleted, what records the removal of its access once its bindings are gone (true when it
     * recorded one), and the bindings the operator removed, by namespace/name.
     */
    private record Removal(EngineerAccess ea, Predicate<List<RoleBinding>> done, Map<String, RoleBinding> gone) {
    }

    /** Where the operator's informers keep what they saw: the EngineerAccess objects, and the managed bindings. */
    interface Caches {
        Optional<EngineerAccess> engineer(String name);

        Optional<RoleBinding> binding(String namespace, String name);

        /** The managed bindings labelled for this engineer. */
        List<RoleBinding> bindingsOf(EngineerAccess ea);
    }

    public Orphans(KubernetesClient client, BindingWriter writer, Audit audit, AccessMetrics metrics, TransitionScheduler transitions,
            Clock clock) {
        this.clock = clock;
        this.client = client;
        this.writer = writer;
        this.audit = audit;
        this.metrics = metrics;
        this.transitions = transitions;
    }

    /**
     * The caches are filled (the reconciler is running): bindings seen before are looked at now. Called once the
     * first reconciliation starts, when JOSDK has listed every EngineerAccess and binding. The bindings come one at a
     * time: with 10,000 engineers the cache holds about 95,000, and a list of them all would cost a hundred MiB.
     */
    void start(Caches caches, Supplier<Stream<RoleBinding>> managed) {
        if (this.caches != null) {
            return;
        }
        synchronized (this) {
            if (this.caches != null) {
                return;
            }
            this.caches = caches;
        }
        removing.keySet().forEach(uid -> schedule(() -> removeAll(uid, 0), Duration.ZERO));
        managed.get().forEach(this::seen);
    }

    /** A managed binding appeared or changed (the informer saw it). Before {@link #start}, {@code start} looks at all. */
    public void seen(RoleBinding rb) {
        Caches known = caches;
        if (known == null) {
            return;
        }
        String engineer = Ownership.engineerOf(rb);
        Optional<EngineerAccess> owner = engineer == null ? Optional.empty() : known.engineer(engineer);
        if (owner.isPresent() && !owner.get().isMarkedForDeletion()) {
            return; // that engineer's reconciliation claims or deletes it
        }
        if (owner.isPresent() && removing.containsKey(owner.get().getMetadata().getUid())) {
            return; // its removal looks at every binding of the engineer until none is left
        }
        String key = BindingDiff.key(rb);
        if (waiting.put(key, rb) == null) {
            schedule(key, ownerNamed(rb) ? GRACE : Duration.ZERO);
        }
    }

    private void schedule(String key, Duration after) {
        schedule(() -> look(key), after);
    }

    /** Looks at one waiting binding: still there, and still nobody's? Then read fresh, and delete. */
    private void look(String key) {
        RoleBinding rb = waiting.get(key);
        if (rb == null) {
            return;
        }
        Caches known = caches;
        String engineer = Ownership.engineerOf(rb);
        RoleBinding now = known.binding(rb.getMetadata().getNamespace(), rb.getMetadata().getName()).orElse(null);
        if (now == null || !Ownership.managed(now)) {
            waiting.remove(key);
            return; // gone (the garbage collector's work), or no longer ours to touch
        }
        if (engineer != null && known.engineer(engineer).filter(ea -> !ea.isMarkedForDeletion()).isPresent()) {
            waiting.remove(key);
            transitions.schedule(new ResourceID(engineer), clock.instant());
            return;
        }
        EngineerAccess fresh;
        String unread = null;
        try {
            fresh = engineer == null ? null : client.resources(EngineerAccess.class).withName(engineer).get();
        } catch (KubernetesClientException e) {
            // A read that fails never keeps access (decision 81): the cache has no such EngineerAccess, so it goes.
            fresh = null;
            unread = ApiErrors.inWords(e);
        }
        boolean beingDeleted = fresh != null && fresh.isMarkedForDeletion(); // it justifies no access (decision 70)
        if (fresh != null && !beingDeleted) {
            waiting.remove(key); // it exists: once the cache has it, its reconciliation claims or deletes the binding
            transitions.schedule(new ResourceID(engineer), clock.instant());
            return;
        }
        try {
            waiting.remove(key);
            if (writer.deleteWithUid(now)) {
                metrics.orphanRemoved();
                audit.record(now, engineer, REMOVED, "Removed RoleBinding " + now.getMetadata().getName() + " ("
                        + now.getRoleRef().getName() + " for " + subjects(now) + "): it carries the operator's label, but "
                        + (engineer == null ? "names no engineer"
                                : beingDeleted ? "the EngineerAccess named " + engineer + " is being deleted"
                                : unread != null ? "the operator knows of no EngineerAccess named " + engineer
                                        + " (the API server could not be asked: " + unread + ")"
                                : "no EngineerAccess named " + engineer + " exists")
                        + ", so nothing justifies the access it grants");
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("could not remove the orphaned RoleBinding %s: %s; trying again in 5 s", key, ApiErrors.inWords(e));
            waiting.put(key, rb);
            schedule(key, GRACE);
        }
    }

    /** Whether the binding still names an EngineerAccess as owner (the garbage collector then removes it in time). */
    private static boolean ownerNamed(RoleBinding rb) {
        List<OwnerReference> owners = rb.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(o -> "EngineerAccess".equals(o.getKind()));
    }

    private static String subjects(RoleBinding rb) {
        return rb.getSubjects() == null || rb.getSubjects().isEmpty() ? "nobody"
                : rb.getSubjects().stream().map(s -> s.getKind() + " " + digital.govuk.access.rules.Values.cut(s.getName()))
                        .collect(Collectors.joining(", "));
    }

    /**
     * An EngineerAccess was deleted: the garbage collector removes the bindings it owned. Once they are gone, the
     * removal is recorded ({@code done}); any that remain after {@link #GRACE} (the garbage collector is not running,
     * or an owner reference was removed meanwhile) are removed as orphans, and the removal recorded when they are.
     */
    void deleted(EngineerAccess ea, Runnable done) {
        Caches known = caches;
        removing.remove(ea.getMetadata().getUid());
        if (known == null) {
            return;
        }
        Runnable record = recorded.remove(ea.getMetadata().getUid()) ? () -> {
        } : done; // recorded already, while finalizers held it
        confirming.incrementAndGet();
        // A binding that names no owner any more (deleted with --cascade=orphan: the garbage collector stripped it) is
        // never the garbage collector's: it goes now. The others are the garbage collector's for GRACE first.
        known.bindingsOf(ea).stream().filter(Ownership::managed).filter(rb -> !ownerNamed(rb)).forEach(rb -> {
            if (waiting.put(BindingDiff.key(rb), rb) == null) {
                schedule(BindingDiff.key(rb), Duration.ZERO);
            }
        });
        schedule(() -> confirmRemoved(ea, record, 0), GRACE);
    }

    /**
     * An EngineerAccess is marked for deletion and finalizers hold it (decision 70): every binding of the engineer is
     * removed now, looked for again until none is left, and then {@code done} is given those the operator removed (none
     * when the garbage collector was first, or a process before this one removed them) and records the removal, saying
     * whether it did; if it did, the removal is not recorded again when the EngineerAccess goes. A binding made after
     * that (a reconciliation in flight) is removed when the informer sees it ({@link #seen}).
     */
    void deleting(EngineerAccess ea, Predicate<List<RoleBinding>> done) {
        String uid = ea.getMetadata().getUid();
        if (removing.putIfAbsent(uid, new Removal(ea, done, new ConcurrentHashMap<>())) == null && caches != null) {
            schedule(() -> removeAll(uid, 0), Duration.ZERO);
        }
    }

    private void removeAll(String uid, int looks) {
        Removal r = removing.get(uid);
        if (r == null) {
            return; // the EngineerAccess is gone: deleted() took over
        }
        List<RoleBinding> left = caches.bindingsOf(r.ea()).stream().filter(Ownership::managed).toList();
        if (left.isEmpty()) {
            if (removing.remove(uid) != null && r.done().test(List.copyOf(r.gone().values()))) {
                recorded.add(uid);
            }
            return;
        }
        for (RoleBinding rb : left) {
            try {
                if (writer.deleteWithUid(rb)) {
                    r.gone().put(BindingDiff.key(rb), rb);
                }
            } catch (KubernetesClientException e) {
                LOG.warnf("could not remove RoleBinding %s of %s, whose EngineerAccess is being deleted: %s; trying again",
                        BindingDiff.key(rb), r.ea().getMetadata().getName(), ApiErrors.inWords(e));
            }
        }
        // Until the informer has seen the deletes; then at once, and at most every 5 s while the API server refuses.
        schedule(() -> removeAll(uid, looks + 1), Duration.ofMillis(Math.min(5000, 100L << Math.min(looks, 6))));
    }

    private void confirmRemoved(EngineerAccess ea, Runnable done, int looks) {
        List<RoleBinding> left = caches.bindingsOf(ea).stream().filter(Ownership::managed).toList();
        if (left.isEmpty()) {
            confirming.decrementAndGet();
            done.run();
            return;
        }
        if (looks == 0) {
            left.forEach(rb -> {
                if (waiting.put(BindingDiff.key(rb), rb) == null) {
                    schedule(BindingDiff.key(rb), Duration.ZERO);
                }
            });
        }
        if (looks < 60) {
            schedule(() -> confirmRemoved(ea, done, looks + 1), Duration.ofSeconds(1));
        } else {
            confirming.decrementAndGet();
            LOG.warnf("engineer=%s reason=AccessRemovalPending message=\"the EngineerAccess was deleted, but %d of its RoleBindings"
                    + " are still there after a minute; the operator keeps removing them\"", ea.getMetadata().getName(), left.size());
        }
    }

    private void schedule(Runnable task, Duration after) {
        try {
            timer.schedule(task, after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /** Nothing waits to be looked at or confirmed (for tests). */
    public boolean idle() {
        return waiting.isEmpty() && confirming.get() == 0;
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
