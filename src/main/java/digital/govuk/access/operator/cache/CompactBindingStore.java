package digital.govuk.access.operator.cache;

import java.lang.ref.WeakReference;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;

/**
 * The store of the RoleBinding informer: every managed RoleBinding (about 9.5 per engineer, so about 95,000 at 10,000
 * engineers) held in about 230 bytes instead of as a Fabric8 object of about 1.5 KiB ({@link LeanItemStore}; measured
 * by {@code CacheFootprint} under src/test).
 * <p>
 * <b>What is kept.</b> Everything in the binding except {@code metadata.managedFields}, which the operator never reads
 * (it writes with plain create, update and delete, not server-side apply), exactly as {@link LeanItemStore} keeps it.
 * Nothing is left out because no reader of today reads it: the operator compares labels, the expiry annotation, owner
 * references (all six fields), roleRef and subjects (all four fields, in order) to decide whether a binding is its own
 * and right, and its update of a wrong binding is a copy of the cached one with its own parts set, so labels,
 * annotations and finalizers that others put there must be in the cache for that update to keep them. What
 * {@link #get} gives back is equal ({@code equals}) to the binding that was put, with managedFields null.
 * <p>
 * <b>How.</b> A binding is held as {@link Compact}: its namespace, its UID (two longs), resourceVersion (a long) and
 * creationTimestamp (seconds), and a {@link Shape}: everything else (name, labels, annotations, owner references,
 * roleRef, subjects and the rarely set metadata). An engineer's bindings of one level are the same in every
 * namespace but for those four values, so one Shape serves all of them: shapes are shared through a weak table, and
 * the strings in them are interned. A binding whose UID, resourceVersion or creationTimestamp does not read back
 * exactly from the numbers keeps those as strings; one with fields Fabric8 does not know
 * ({@code additionalProperties}) is kept as the object itself, and copied on each read (neither happens with an API
 * server today).
 * <p>
 * <b>Reads build a new object.</b> {@link #get}, {@link #values}, and the previous value returned by {@link #put} and
 * {@link #remove}, are new RoleBindings built from what is kept: a reader that changes one changes nothing in the
 * cache. Fabric8's informer uses the previous value for its indexes and as the old object of an update event, and
 * compares its resourceVersion with the new one's, all of which are kept exactly; its indexes hold keys, not objects.
 * <p>
 * <b>The index from engineer to bindings</b> is kept here too ({@link #keysLabelled}), as the store's own key strings,
 * so that JOSDK keeps none of its own (measured at 2,000 engineers: 20,700 fewer JOSDK {@code ResourceID}s and
 * 2.4 MB less heap, about 1.2 KB per engineer). The watch's own objects still go to the event handlers; only the stored
 * copy is compact. A read makes about 1.1 KiB of short-lived objects; a full list (the informer's check after each
 * list from the API server, JOSDK's start, {@code Orphans} at start) holds that much per binding until it is done.
 */
public final class CompactBindingStore implements ItemStore<RoleBinding> {
    private static final String[] NONE = new String[0];
    private final ConcurrentHashMap<String, Object> items = new ConcurrentHashMap<>();
    private final Interner<Shape> shapes = new Interner<>();
    /**
     * The keys of the bindings labelled for each engineer (the engineer label's value): the index from an engineer to
     * its bindings, held here as the store's own key strings in a small array replaced on each change, rather than by
     * JOSDK as an object per binding (about 190 bytes each, a fifth of the operator's heap at 10,000 engineers).
     */
    private final ConcurrentHashMap<String, String[]> byEngineer = new ConcurrentHashMap<>();
    private final String engineerLabel;

    /** A store that also indexes each binding by the value of {@code engineerLabel} ({@link #keysLabelled}). */
    public CompactBindingStore(String engineerLabel) {
        this.engineerLabel = engineerLabel;
    }

    @Override
    public String getKey(RoleBinding obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public RoleBinding put(String key, RoleBinding obj) {
        Object held = compact(obj);
        Object before = items.put(key, held);
        String was = engineerOf(before);
        String is = engineerOf(held);
        if (!Objects.equals(was, is)) {
            unindex(was, key);
            index(is, key);
        }
        return rebuild(before);
    }

    @Override
    public RoleBinding remove(String key) {
        Object before = items.remove(key);
        unindex(engineerOf(before), key);
        return rebuild(before);
    }

    /** The keys (namespace/name) of the bindings held whose engineer label is {@code engineer}. */
    public Stream<String> keysLabelled(String engineer) {
        String[] keys = byEngineer.get(engineer);
        return keys == null ? Stream.empty() : Arrays.stream(keys);
    }

    private void index(String engineer, String key) {
        if (engineer != null) {
            byEngineer.compute(engineer, (e, keys) -> {
                String[] out = Arrays.copyOf(keys == null ? NONE : keys, keys == null ? 1 : keys.length + 1);
                out[out.length - 1] = key;
                return out;
            });
        }
    }

    private void unindex(String engineer, String key) {
        if (engineer != null) {
            byEngineer.computeIfPresent(engineer, (e, keys) -> {
                String[] out = Arrays.stream(keys).filter(k -> !k.equals(key)).toArray(String[]::new);
                return out.length == 0 ? null : out;
            });
        }
    }

    /** The engineer label of a binding as held, or null. */
    private String engineerOf(Object held) {
        if (held == null) {
            return null;
        }
        if (held instanceof RoleBinding rb) {
            return rb.getMetadata().getLabels() == null ? null : rb.getMetadata().getLabels().get(engineerLabel);
        }
        String[] labels = ((Compact) held).shape.labels;
        if (labels != null) {
            for (int i = 0; i < labels.length; i += 2) {
                if (labels[i].equals(engineerLabel)) {
                    return labels[i + 1];
                }
            }
        }
        return null;
    }

    @Override
    public Stream<String> keySet() {
        return items.keySet().stream();
    }

    @Override
    public Stream<RoleBinding> values() {
        return items.values().stream().map(CompactBindingStore::rebuild);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public RoleBinding get(String key) {
        return rebuild(items.get(key));
    }

    /** How many distinct shapes are held (for tests and measurement). */
    int shapes() {
        return shapes.size();
    }

    // ---- holding ----

    /** A binding as held: the Compact form, or (with fields Fabric8 does not know) the binding itself. */
    private Object compact(RoleBinding rb) {
        ObjectMeta m = rb.getMetadata();
        if (m == null || !plain(rb)) {
            LeanItemStore.lean(rb);
            return rb;
        }
        Shape shape = shapes.intern(new Shape(rb));
        String uid = m.getUid();
        String rv = m.getResourceVersion();
        String created = m.getCreationTimestamp();
        UUID u = uuid(uid);
        long version = number(rv);
        long seconds = seconds(created);
        Exact exact = u == null || version < 0 || seconds == Long.MIN_VALUE ? new Exact(uid, rv, created) : null;
        return new Compact(shared(m.getNamespace()), shape, u == null ? 0 : u.getMostSignificantBits(),
                u == null ? 0 : u.getLeastSignificantBits(), version, seconds, exact);
    }

    /** Whether the binding has nothing the compact form cannot hold: no unknown fields, no null list entries. */
    private static boolean plain(RoleBinding rb) {
        ObjectMeta m = rb.getMetadata();
        if (!none(rb.getAdditionalProperties()) || !none(m.getAdditionalProperties())
                || (rb.getRoleRef() != null && !none(rb.getRoleRef().getAdditionalProperties()))) {
            return false;
        }
        if (rb.getSubjects() != null) {
            for (Subject s : rb.getSubjects()) {
                if (s == null || !none(s.getAdditionalProperties())) {
                    return false;
                }
            }
        }
        if (m.getOwnerReferences() != null) {
            for (OwnerReference o : m.getOwnerReferences()) {
                if (o == null || !none(o.getAdditionalProperties())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean none(Map<String, Object> map) {
        return map == null || map.isEmpty();
    }

    /** A UID in the form the API server gives (lower-case, with hyphens), else null. */
    private static UUID uuid(String s) {
        if (s == null || s.length() != 36) {
            return null;
        }
        try {
            UUID u = UUID.fromString(s);
            return u.toString().equals(s) ? u : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A resourceVersion that is a plain decimal number (an etcd revision), else -1. */
    private static long number(String s) {
        if (s == null || s.isEmpty() || s.length() > 18) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        long v = Long.parseLong(s);
        return Long.toString(v).equals(s) ? v : -1;
    }

    /** A creationTimestamp in whole seconds, as the API server writes it, else Long.MIN_VALUE. */
    private static long seconds(String s) {
        if (s == null) {
            return Long.MIN_VALUE;
        }
        try {
            Instant t = Instant.parse(s);
            return t.getNano() == 0 && t.toString().equals(s) ? t.getEpochSecond() : Long.MIN_VALUE;
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }

    // ---- reading ----

    private static RoleBinding rebuild(Object held) {
        if (held == null) {
            return null;
        }
        if (held instanceof RoleBinding rb) {
            return new RoleBindingBuilder(rb).build();
        }
        Compact c = (Compact) held;
        Shape s = c.shape;
        ObjectMeta m = new ObjectMeta();
        m.setName(s.name);
        m.setNamespace(c.namespace);
        if (c.exact == null) {
            m.setUid(new UUID(c.uidHigh, c.uidLow).toString());
            m.setResourceVersion(Long.toString(c.resourceVersion));
            m.setCreationTimestamp(Instant.ofEpochSecond(c.created).toString());
        } else {
            m.setUid(c.exact.uid);
            m.setResourceVersion(c.exact.resourceVersion);
            m.setCreationTimestamp(c.exact.creationTimestamp);
        }
        m.setGenerateName(s.generateName);
        m.setSelfLink(s.selfLink);
        m.setGeneration(s.generation);
        m.setDeletionTimestamp(s.deletionTimestamp);
        m.setDeletionGracePeriodSeconds(s.deletionGracePeriodSeconds);
        m.setLabels(map(s.labels));
        m.setAnnotations(map(s.annotations));
        m.setFinalizers(s.finalizers == null ? null : new ArrayList<>(Arrays.asList(s.finalizers)));
        m.setManagedFields(null);
        m.setOwnerReferences(s.owners == null ? null : owners(s.owners));
        RoleBinding rb = new RoleBinding();
        rb.setApiVersion(s.apiVersion);
        rb.setKind(s.kind);
        rb.setMetadata(m);
        rb.setRoleRef(s.roleRef == null ? null : new RoleRef(s.roleRef.apiGroup(), s.roleRef.kind(), s.roleRef.name()));
        rb.setSubjects(s.subjects == null ? null : subjects(s.subjects));
        return rb;
    }

    private static Map<String, String> map(String[] pairs) {
        if (pairs == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static List<OwnerReference> owners(Owner[] owners) {
        List<OwnerReference> out = new ArrayList<>(owners.length);
        for (Owner o : owners) {
            out.add(new OwnerReference(o.apiVersion(), o.blockOwnerDeletion(), o.controller(), o.kind(), o.name(), o.uid()));
        }
        return out;
    }

    private static List<Subject> subjects(Person[] subjects) {
        List<Subject> out = new ArrayList<>(subjects.length);
        for (Person p : subjects) {
            out.add(new Subject(p.apiGroup(), p.kind(), p.name(), p.namespace()));
        }
        return out;
    }

    private static String shared(String s) {
        return s == null ? null : s.intern();
    }

    // ---- the forms held ----

    /** One binding: what differs between an engineer's bindings of one level, and the shared rest. */
    private static final class Compact {
        final String namespace;
        final Shape shape;
        final long uidHigh;
        final long uidLow;
        final long resourceVersion;
        final long created;
        /** The UID, resourceVersion and creationTimestamp as given, when the numbers above cannot give them back exactly. */
        final Exact exact;

        Compact(String namespace, Shape shape, long uidHigh, long uidLow, long resourceVersion, long created, Exact exact) {
            this.namespace = namespace;
            this.shape = shape;
            this.uidHigh = uidHigh;
            this.uidLow = uidLow;
            this.resourceVersion = resourceVersion;
            this.created = created;
            this.exact = exact;
        }
    }

    private record Exact(String uid, String resourceVersion, String creationTimestamp) {
    }

    private record Owner(String apiVersion, Boolean blockOwnerDeletion, Boolean controller, String kind, String name, String uid) {
    }

    private record Ref(String apiGroup, String kind, String name) {
    }

    private record Person(String apiGroup, String kind, String name, String namespace) {
    }

    /**
     * Everything in a binding but its namespace, UID, resourceVersion and creationTimestamp (and managedFields, dropped).
     * Maps are key, value pairs in their order; a null array is a null map or list, an empty one an empty map or list.
     */
    static final class Shape {
        final String apiVersion;
        final String kind;
        final String name;
        final String generateName;
        final String selfLink;
        final Long generation;
        final String deletionTimestamp;
        final Long deletionGracePeriodSeconds;
        final String[] labels;
        final String[] annotations;
        final String[] finalizers;
        final Owner[] owners;
        final Ref roleRef;
        final Person[] subjects;
        private final int hash;

        Shape(RoleBinding rb) {
            ObjectMeta m = rb.getMetadata();
            apiVersion = shared(rb.getApiVersion());
            kind = shared(rb.getKind());
            name = shared(m.getName());
            generateName = shared(m.getGenerateName());
            selfLink = m.getSelfLink();
            generation = m.getGeneration();
            deletionTimestamp = m.getDeletionTimestamp();
            deletionGracePeriodSeconds = m.getDeletionGracePeriodSeconds();
            labels = pairs(m.getLabels());
            annotations = pairs(m.getAnnotations());
            finalizers = m.getFinalizers() == null ? null : m.getFinalizers().stream().map(CompactBindingStore::shared).toArray(String[]::new);
            owners = m.getOwnerReferences() == null ? null : m.getOwnerReferences().stream()
                    .map(o -> new Owner(shared(o.getApiVersion()), o.getBlockOwnerDeletion(), o.getController(), shared(o.getKind()),
                            shared(o.getName()), shared(o.getUid())))
                    .toArray(Owner[]::new);
            RoleRef r = rb.getRoleRef();
            roleRef = r == null ? null : new Ref(shared(r.getApiGroup()), shared(r.getKind()), shared(r.getName()));
            subjects = rb.getSubjects() == null ? null : rb.getSubjects().stream()
                    .map(s -> new Person(shared(s.getApiGroup()), shared(s.getKind()), shared(s.getName()), shared(s.getNamespace())))
                    .toArray(Person[]::new);
            hash = Objects.hash(apiVersion, kind, name, generateName, selfLink, generation, deletionTimestamp, deletionGracePeriodSeconds,
                    Arrays.hashCode(labels), Arrays.hashCode(annotations), Arrays.hashCode(finalizers), Arrays.hashCode(owners), roleRef,
                    Arrays.hashCode(subjects));
        }

        private static String[] pairs(Map<String, String> map) {
            if (map == null) {
                return null;
            }
            String[] out = new String[map.size() * 2];
            int i = 0;
            for (Map.Entry<String, String> e : map.entrySet()) {
                out[i++] = shared(e.getKey());
                out[i++] = shared(e.getValue());
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && hash == s.hash && Objects.equals(apiVersion, s.apiVersion) && Objects.equals(kind, s.kind)
                    && Objects.equals(name, s.name) && Objects.equals(generateName, s.generateName) && Objects.equals(selfLink, s.selfLink)
                    && Objects.equals(generation, s.generation) && Objects.equals(deletionTimestamp, s.deletionTimestamp)
                    && Objects.equals(deletionGracePeriodSeconds, s.deletionGracePeriodSeconds) && Arrays.equals(labels, s.labels)
                    && Arrays.equals(annotations, s.annotations) && Arrays.equals(finalizers, s.finalizers) && Arrays.equals(owners, s.owners)
                    && Objects.equals(roleRef, s.roleRef) && Arrays.equals(subjects, s.subjects);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * Equal values held once. Weak: a shape no binding uses any more goes at the next collection. Written by the
     * informer's one thread; locked anyway, since it is cheap.
     */
    static final class Interner<T> {
        private final WeakHashMap<T, WeakReference<T>> held = new WeakHashMap<>();

        synchronized T intern(T value) {
            WeakReference<T> ref = held.get(value);
            T kept = ref == null ? null : ref.get();
            if (kept != null) {
                return kept;
            }
            held.put(value, new WeakReference<>(value));
            return value;
        }

        synchronized int size() {
            return held.size();
        }
    }
}
