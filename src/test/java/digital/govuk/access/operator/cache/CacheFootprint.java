package digital.govuk.access.operator.cache;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;
import digital.govuk.access.rules.AccessRules;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.DecisionBenchmark;
import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.status.PolicyState;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Heap per cached object, by informer store. Not a test: run by hand, one store per run, for example
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -XX:+UseSerialGC -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     digital.govuk.access.operator.cache.CacheFootprint compact 20000
 * </pre>
 * Modes: {@code lean} (RoleBindings in {@link LeanItemStore}), {@code compact} (RoleBindings in
 * {@link CompactBindingStore}), {@code compact-list} (compact, and every binding read back at once, as a full list
 * of the informer does), {@code engineers} and {@code engineers-applied} (EngineerAccess in LeanItemStore, the second
 * with the annotation {@code kubectl apply} leaves). Add {@code index} to put the store inside Fabric8's CacheImpl
 * with its namespace index, as the informer holds it.
 * <p>
 * The bindings are shaped exactly as the operator writes them (its own {@link BindingDiff#toRoleBinding}, for the
 * engineers of {@code DecisionBenchmark}'s realistic mix over its 20 namespaces), with what the API server adds (UID,
 * resourceVersion, creationTimestamp, managedFields), and read from JSON as the informer reads them. The heap in use
 * after full collections, less the same before the store was filled, divided by the count. The process waits 30 s at
 * the end (with {@code wait}) so that {@code jmap -histo:live PID} can cross-check.
 */
public final class CacheFootprint {
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    private CacheFootprint() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "compact";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        boolean index = List.of(args).contains("index");
        boolean wait = List.of(args).contains("wait");

        EffectivePolicy policy = policy();
        List<EngineerAccessSpec> specs = specs();
        List<NamespaceInfo> namespaces = namespaces();
        List<Object> keep = new ArrayList<>();
        warmUp(specs, policy, namespaces);
        long before = usedAfterGc();
        long made;
        if (mode.startsWith("engineers")) {
            ItemStore<EngineerAccess> store = new LeanItemStore<>();
            Object held = hold(store, index);
            for (int i = 0; i < count; i++) {
                EngineerAccess ea = engineer(i, specs.get(i % specs.size()), policy, namespaces, mode.equals("engineers-applied"));
                put(held, store, ea);
            }
            keep.add(held);
            made = count;
        } else {
            ItemStore<RoleBinding> store = mode.startsWith("compact") ? new CompactBindingStore(ManagedBindings.ENGINEER_LABEL) : new LeanItemStore<>();
            Object held = hold(store, index);
            made = 0;
            for (int i = 0; made < count; i++) {
                EngineerAccessSpec spec = specs.get(i % specs.size());
                for (RoleBinding rb : bindings(i, spec, policy, namespaces)) {
                    if (made < count) {
                        put(held, store, rb);
                        made++;
                    }
                }
            }
            keep.add(held);
            if (mode.equals("compact-list")) {
                long stored = usedAfterGc();
                List<RoleBinding> all = store.values().toList();
                long listed = usedAfterGc();
                System.out.printf("full list: %,d bindings read back hold %,d bytes each while the list lives%n", all.size(),
                        (listed - stored) / all.size());
                keep.add(all);
            }
            if (store instanceof CompactBindingStore c) {
                System.out.printf("shapes: %,d for %,d bindings%n", c.shapes(), c.size());
            }
        }
        long after = usedAfterGc();
        System.out.printf("%s%s: %,d objects, %,d bytes each (heap %,d -> %,d bytes after full GC)%n", mode, index ? " +index" : "", made,
                (after - before) / made, before, after);
        if (wait) {
            System.out.println("pid " + ProcessHandle.current().pid() + ": waiting 30 s for jmap -histo:live");
            Thread.sleep(30_000);
        }
        keep.add(specs);
        keep.add(namespaces);
        System.out.println("(" + keep.size() + ")");
    }

    /**
     * Makes and stores some objects of every kind, then drops them: what stays (Jackson's and Fabric8's caches of
     * classes, loaded classes) is then in the heap before the count starts, and not counted per object.
     */
    private static void warmUp(List<EngineerAccessSpec> specs, EffectivePolicy policy, List<NamespaceInfo> namespaces) {
        for (ItemStore<RoleBinding> store : List.<ItemStore<RoleBinding>>of(new LeanItemStore<>(), new CompactBindingStore(ManagedBindings.ENGINEER_LABEL))) {
            Object held = hold(store, true);
            for (int i = 0; i < 200; i++) {
                for (RoleBinding rb : bindings(i, specs.get(i), policy, namespaces)) {
                    put(held, store, rb);
                }
            }
            store.values().forEach(rb -> rb.getMetadata().getName());
        }
        ItemStore<EngineerAccess> engineers = new LeanItemStore<>();
        for (int i = 0; i < 200; i++) {
            put(hold(engineers, true), engineers, engineer(i, specs.get(i), policy, namespaces, i % 2 == 0));
        }
    }

    /** The store alone, or inside Fabric8's cache with its namespace index. */
    private static <T extends HasMetadata> Object hold(ItemStore<T> store, boolean index) {
        if (!index) {
            return store;
        }
        CacheImpl<T> cache = new CacheImpl<>();
        cache.setItemStore(store);
        return cache;
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> void put(Object held, ItemStore<T> store, T obj) {
        if (held instanceof CacheImpl<?> cache) {
            ((CacheImpl<T>) cache).put(obj);
        } else {
            store.put(store.getKey(obj), obj);
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // ---- the objects, as the API server gives them ----

    private static String name(int i) {
        return String.format("engineer-%05d", i);
    }

    private static String uid(String of) {
        return UUID.nameUUIDFromBytes(of.getBytes()).toString();
    }

    static List<RoleBinding> bindings(int i, EngineerAccessSpec spec, EffectivePolicy policy, List<NamespaceInfo> namespaces) {
        String engineer = name(i);
        Decision decision = AccessRules.decide(engineer, spec, policy, NOW);
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess")
                .withName(engineer).withUid(uid(engineer)).withController(true).build();
        List<RoleBinding> out = new ArrayList<>();
        for (DesiredBinding d : ManagedBindings.desired(engineer, decision, policy, namespaces)) {
            RoleBinding rb = BindingDiff.toRoleBinding(d, engineer, spec.subject, owner);
            served(rb.getMetadata(), d.namespace() + "/" + d.name(), "rbac.authorization.k8s.io/v1", BINDING_FIELDS);
            out.add(Serialization.unmarshal(Serialization.asJson(rb), RoleBinding.class));
        }
        return out;
    }

    private static final String BINDING_FIELDS = "{\"f:metadata\":{\"f:annotations\":{\".\":{},\"f:access.govuk.digital/expiry-time\":{}},"
            + "\"f:labels\":{\".\":{},\"f:access.govuk.digital/engineer\":{},\"f:access.govuk.digital/level\":{},"
            + "\"f:app.kubernetes.io/managed-by\":{}},\"f:ownerReferences\":{\".\":{},\"k:{\\\"uid\\\":\\\"x\\\"}\":{}}},"
            + "\"f:roleRef\":{},\"f:subjects\":{}}";

    private static long revision = 100_000;

    private static void served(io.fabric8.kubernetes.api.model.ObjectMeta m, String key, String apiVersion, String fields) {
        m.setUid(uid(key));
        m.setResourceVersion(Long.toString(revision += 7));
        m.setCreationTimestamp("2026-12-01T09:" + String.format("%02d:%02d", (revision / 60) % 60, revision % 60) + "Z");
        m.setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("engineer-access-operator").withOperation("Update")
                .withApiVersion(apiVersion).withTime(m.getCreationTimestamp()).withFieldsType("FieldsV1")
                .withFieldsV1(Serialization.unmarshal(fields, FieldsV1.class)).build()));
    }

    static EngineerAccess engineer(int i, EngineerAccessSpec spec, EffectivePolicy policy, List<NamespaceInfo> namespaces, boolean applied) {
        String name = name(i);
        EngineerAccess ea = new EngineerAccess();
        ea.getMetadata().setName(name);
        ea.setSpec(Serialization.clone(spec));
        if (applied) {
            ea.getMetadata().getAnnotations().put("kubectl.kubernetes.io/last-applied-configuration", Serialization.asJson(ea));
        }
        served(ea.getMetadata(), name, EngineerAccess.API_VERSION, "{\"f:spec\":{\"f:fullName\":{},\"f:role\":{},\"f:subject\":{}}}");
        ea.getMetadata().setUid(uid(name));
        ea.getMetadata().setGeneration(1L);
        Decision decision = AccessRules.decide(name, spec, policy, NOW);
        List<BindingStatus> bindings = ManagedBindings.desired(name, decision, policy, namespaces).stream().map(ManagedBindings::toStatus)
                .toList();
        EngineerAccessStatus status = StatusBuilder.build(decision, PolicyState.of(new PolicyReader.Result(policy, List.of())), bindings,
                null, null, 1L, NOW);
        status.history = new ArrayList<>(List.of(
                new AccessTransition("2026-11-02T09:00:00Z", AccessStage.None, AccessStage.Deploy, "Granted",
                        "deploy approval by tess.lead@example.gov.uk", "None -> Deploy: the Deploy rules hold (approved by tess.lead@example.gov.uk)"),
                new AccessTransition("2026-11-20T09:00:00Z", AccessStage.Deploy, AccessStage.of(decision.level(), decision.supervised()),
                        "Earned", "shift AdminShadow ended", "Deploy -> " + decision.level() + ": the Admin rules hold")));
        ea.setStatus(status);
        return Serialization.unmarshal(Serialization.asJson(ea), EngineerAccess.class);
    }

    // ---- DecisionBenchmark's realistic engineers, policy and namespaces ----

    private static List<EngineerAccessSpec> specs() {
        return DecisionBenchmark.engineers(new SplittableRandom(20261202L), new ArrayList<>());
    }

    private static EffectivePolicy policy() {
        return DecisionBenchmark.policy();
    }

    private static List<NamespaceInfo> namespaces() {
        return DecisionBenchmark.namespaces(false);
    }
}
