package digital.govuk.access.operator.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.Ownership;
import digital.govuk.access.operator.BindingWriter;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/**
 * The RoleBinding writes this operator made that the informer has not seen yet. The informer's store
 * lags behind our own writes by the time a watch event takes to arrive; a reconciliation that runs in
 * that gap would otherwise see a binding it just deleted (and delete it again, or report its expiry twice)
 * or miss one it just created (and create it again). {@link #overlay} lays our writes over the store.
 * <p>
 * An entry lasts until the informer has seen our write, or anything after it: for a create or update,
 * an event or stored copy of that binding with the same or a later resourceVersion; for a delete, the
 * binding (that UID) gone from the store. A time limit removes entries the informer can never confirm
 * (for example after a watch was re-listed).
 */
@Singleton
public class RecentWrites implements BindingWriter.Written {
    static final Duration LIMIT = Duration.ofMinutes(5);

    /** What we wrote to one binding: the object as the API server returned it, or null for a delete of {@code deletedUid}. */
    private record Entry(RoleBinding written, String deletedUid, Instant at) {
    }

    /** What the informer last told of a binding: a write of ours it has already seen needs no record. */
    private record Told(String uid, String resourceVersion, boolean deleted) {
    }

    /** How many bindings {@link #told} remembers: the race it closes lasts milliseconds, not 1,000 binding events. */
    static final int TOLD = 1_000;

    private final Clock clock;
    /** Engineer name, then binding key (namespace/name). */
    private final Map<String, Map<String, Entry>> byEngineer = new HashMap<>();
    /**
     * By binding key, what the informer last told, for the newest {@link #TOLD} bindings. The watch may tell of our
     * write, and even of a delete after it, before the API server's answer reaches us: a record made then would
     * outlive every event and hide the binding's delete for {@link #LIMIT} (a binding deleted by hand right after
     * the operator restored it stayed missing: HostileClusterIT).
     */
    private final Map<String, Told> told = new java.util.LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Told> eldest) {
            return size() > TOLD;
        }
    };

    public RecentWrites(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void written(RoleBinding rb) {
        Entry e = new Entry(rb, null, clock.instant());
        Told t = told.get(BindingDiff.key(rb));
        if (t != null && t.uid() != null && t.uid().equals(rb.getMetadata().getUid())
                && (t.deleted() || caughtUp(e, rb.getMetadata().getUid(), t.resourceVersion(), false))) {
            return; // the informer has already seen this write, or the binding's delete after it
        }
        put(rb, e);
    }

    @Override
    public synchronized void deleted(RoleBinding rb) {
        Told t = told.get(BindingDiff.key(rb));
        if (t != null && t.deleted() && t.uid() != null && t.uid().equals(rb.getMetadata().getUid())) {
            return; // the informer has already seen it gone
        }
        put(rb, new Entry(null, rb.getMetadata().getUid(), clock.instant()));
    }

    /** Told by the informer of every add, update and delete it processes. */
    public synchronized void seen(RoleBinding rb, boolean deleted) {
        told.put(BindingDiff.key(rb), new Told(rb.getMetadata().getUid(), rb.getMetadata().getResourceVersion(), deleted));
        Map<String, Entry> entries = byEngineer.get(engineerOf(rb));
        if (entries == null) {
            return;
        }
        Entry e = entries.get(BindingDiff.key(rb));
        if (e != null && caughtUp(e, rb, deleted)) {
            remove(engineerOf(rb), BindingDiff.key(rb));
        }
    }

    /**
     * The engineer's bindings: what {@code readStore} gives from the informer, with our own writes it has not seen
     * yet laid over them. Our writes are copied before the store is read: the informer indexes a binding before it
     * tells us it has seen it ({@link BindingInformer}), so each of our writes is in the copy, or in what the store
     * gives, or in both; never in neither, however the informer's events and this read interleave.
     */
    public List<RoleBinding> overlay(String engineer, Supplier<List<RoleBinding>> readStore) {
        Map<String, Entry> ours;
        synchronized (this) {
            Map<String, Entry> entries = byEngineer.get(engineer);
            ours = entries == null ? Map.of() : Map.copyOf(entries);
        }
        List<RoleBinding> stored = readStore.get();
        if (ours.isEmpty()) {
            return stored;
        }
        Instant oldest = clock.instant().minus(LIMIT);
        Map<String, RoleBinding> result = new HashMap<>();
        for (RoleBinding rb : stored) {
            result.put(BindingDiff.key(rb), rb);
        }
        for (Map.Entry<String, Entry> item : ours.entrySet()) {
            String key = item.getKey();
            Entry e = item.getValue();
            RoleBinding inStore = result.get(key);
            boolean done;
            if (e.at().isBefore(oldest)) {
                done = true;
            } else if (e.written() != null) {
                done = inStore != null && caughtUp(e, inStore, false);
            } else {
                // Our delete is done once the store no longer holds that object (gone, or replaced by a new one).
                done = inStore == null || !e.deletedUid().equals(inStore.getMetadata().getUid());
            }
            if (done) {
                removeIfSame(engineer, key, e);
            } else if (e.written() != null) {
                result.put(key, e.written());
            } else {
                result.remove(key);
            }
        }
        List<RoleBinding> list = new ArrayList<>(result.values());
        list.sort(Comparator.comparing(BindingDiff::key));
        return list;
    }

    /** Forgets an engineer (deleted). */
    public synchronized void forget(String engineer) {
        byEngineer.remove(engineer);
    }

    /** How many writes wait for the informer (for tests and health). */
    public synchronized int pending() {
        return byEngineer.values().stream().mapToInt(Map::size).sum();
    }

    private void put(RoleBinding rb, Entry e) {
        byEngineer.computeIfAbsent(engineerOf(rb), k -> new HashMap<>()).put(BindingDiff.key(rb), e);
    }

    /** Removes the entry only if it is still {@code e} (not replaced by a later write meanwhile). */
    private synchronized void removeIfSame(String engineer, String key, Entry e) {
        Map<String, Entry> entries = byEngineer.get(engineer);
        if (entries != null && entries.get(key) == e) {
            remove(engineer, key);
        }
    }

    private void remove(String engineer, String key) {
        Map<String, Entry> entries = byEngineer.get(engineer);
        if (entries != null) {
            entries.remove(key);
            if (entries.isEmpty()) {
                byEngineer.remove(engineer);
            }
        }
    }

    /** Whether the informer's copy {@code seen} reflects our write {@code e} or something after it. */
    private static boolean caughtUp(Entry e, RoleBinding seen, boolean deleted) {
        return caughtUp(e, seen.getMetadata().getUid(), seen.getMetadata().getResourceVersion(), deleted);
    }

    private static boolean caughtUp(Entry e, String uid, String theirs, boolean deleted) {
        if (e.written() == null) {
            // Our delete: seen once the informer reports that binding deleted.
            return deleted && e.deletedUid().equals(uid);
        }
        String ours = e.written().getMetadata().getResourceVersion();
        if (ours == null || theirs == null) {
            return true;
        }
        if (ours.equals(theirs)) {
            return true;
        }
        // Resource versions are etcd revisions; Kubernetes calls them opaque, so a value that is not a
        // number ends the entry rather than being guessed at.
        try {
            return Long.parseLong(theirs) > Long.parseLong(ours);
        } catch (NumberFormatException ex) {
            return true;
        }
    }

    private static String engineerOf(RoleBinding rb) {
        String name = Ownership.engineerOf(rb);
        return name == null ? "" : name;
    }
}
