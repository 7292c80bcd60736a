package digital.govuk.access.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.cli.Plan;
import digital.govuk.access.it.Convergence;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The floor of the on-time phase: the least any operator must do to change access at the exact instants of an
 * {@link OnTime.Plan}. A plain client, as the operator's user, knows every change in advance, sleeps until each
 * instant and then sends exactly that instant's RoleBinding deletes and creates over a fixed number of threads,
 * nothing else (no read, no status, no Event). Its lateness, read from the same audit log, is what the API server
 * allows; the operator's lateness is judged against it.
 */
final class OnTimeFloor {
    /** Whole bindings ready to create, and the names to delete, for each instant. */
    record Script(Map<Instant, List<RoleBinding>> creates, Map<Instant, List<String[]>> deletes) {
    }

    private OnTimeFloor() {
    }

    /**
     * Sets the phase up (not timed): the plan's engineers created, and the RoleBindings plan says they hold now
     * written, as the operator would have. The operator must not be running.
     */
    static Script setUp(KubernetesClient admin, KubernetesClient client, OnTime.Plan plan, Instant now, int threads) {
        Parallel.run(16, plan.engineers().stream().<Runnable>map(ea -> () -> admin.resource(ea).create()).toList(), "creating the floor's engineers");
        List<EngineerAccess> engineers = admin.resources(EngineerAccess.class).list().getItems().stream()
                .filter(ea -> ea.getMetadata().getName().startsWith(plan.prefix())).toList();
        Map<String, RoleBinding> before = bindings(admin, engineers, now);
        Parallel.run(threads, before.values().stream().<Runnable>map(rb -> () -> client.resource(rb).create()).toList(),
                "setting up the floor's on-time phase");
        // Every binding any change will create: the plan at the end of the window holds them all.
        Map<String, RoleBinding> after = bindings(admin, engineers, plan.windowEnd());
        Map<Instant, List<RoleBinding>> creates = new TreeMap<>();
        Map<Instant, List<String[]>> deletes = new TreeMap<>();
        for (OnTime.Due d : plan.changes()) {
            String key = d.namespace() + "/" + d.name();
            if (d.verb().equals("create")) {
                RoleBinding rb = after.get(key);
                if (rb == null) {
                    throw new IllegalStateException("plan holds no binding " + key + " at the end of the window");
                }
                creates.computeIfAbsent(d.due(), t -> new ArrayList<>()).add(rb);
            } else {
                deletes.computeIfAbsent(d.due(), t -> new ArrayList<>()).add(new String[] {d.namespace(), d.name()});
            }
        }
        return new Script(creates, deletes);
    }

    /** Sends each instant's changes at that instant, over {@code threads} threads; returns when all are answered. */
    static void run(KubernetesClient client, Script script, int threads) {
        TreeMap<Instant, List<Runnable>> due = new TreeMap<>();
        boolean perEngineer = "1".equals(System.getenv("BENCH_FLOOR_PER_ENGINEER"));
        script.deletes().forEach((t, names) -> {
            // Each delete on its own, or (BENCH_FLOOR_PER_ENGINEER=1, to compare) each engineer's deletes one after
            // another, as one reconciliation sends them. An engineer's bindings share their name across namespaces.
            Map<String, List<String[]>> groups = new java.util.LinkedHashMap<>();
            names.forEach(n -> groups.computeIfAbsent(perEngineer ? n[1] : n[0] + "/" + n[1], x -> new ArrayList<>()).add(n));
            groups.values().forEach(group -> due.computeIfAbsent(t, x -> new ArrayList<>()).add(() -> group.forEach(n ->
                    client.rbac().roleBindings().inNamespace(n[0]).withName(n[1]).delete())));
        });
        script.creates().forEach((t, rbs) -> rbs.forEach(rb -> due.computeIfAbsent(t, x -> new ArrayList<>())
                .add(() -> client.resource(rb).create())));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (Map.Entry<Instant, List<Runnable>> e : due.entrySet()) {
                awaitInstant(e.getKey());
                e.getValue().forEach(r -> sent.add(pool.submit(r)));
            }
            Parallel.await(sent, "the floor's on-time writes");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Returns at {@code t}, never before it: a sleep to within 2 ms, then a spin. */
    static void awaitInstant(Instant t) {
        while (true) {
            long nanos = java.time.Duration.between(Instant.now(), t).toNanos();
            if (nanos <= 0) {
                return;
            }
            if (nanos > 2_000_000) {
                LockSupport.parkNanos(nanos - 2_000_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** The RoleBindings plan says these engineers hold at {@code at}, by namespace/name, as the operator writes them. */
    private static Map<String, RoleBinding> bindings(KubernetesClient admin, List<EngineerAccess> engineers, Instant at) {
        Plan.Result plan = Convergence.plan(admin, engineers, at);
        Map<String, RoleBinding> out = new HashMap<>();
        for (EngineerAccess ea : engineers) {
            String name = ea.getMetadata().getName();
            for (DesiredBinding d : plan.engineers().get(name).bindings()) {
                out.put(d.namespace() + "/" + d.name(), BindingDiff.toRoleBinding(d, name, ea.getSpec().subject, Floor.owner(ea)));
            }
        }
        return out;
    }
}
