package digital.govuk.access.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.cli.Plan;
import digital.govuk.access.it.Convergence;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * The floor: the least any operator must do for the same end state, with a plain Fabric8 client as the operator's
 * user. It creates exactly the RoleBindings plan computes (the operator's names, labels, annotations and owner
 * reference) and writes each engineer's status once, nothing else: no reads before writes, no Events, no
 * finalizer. The work is spread over {@code concurrency} threads.
 */
final class Floor {
    /** What the floor writes: every binding, then every status. */
    record Work(List<RoleBinding> bindings, List<EngineerAccess> statuses) {
    }

    private Floor() {
    }

    /** The writes that make the cluster as plan says at {@code at}. */
    static Work work(KubernetesClient admin, Instant at) {
        List<EngineerAccess> engineers = admin.resources(EngineerAccess.class).list().getItems();
        Plan.Result plan = Convergence.plan(admin, engineers, at);
        List<RoleBinding> bindings = new ArrayList<>();
        List<EngineerAccess> statuses = new ArrayList<>();
        for (EngineerAccess ea : engineers) {
            Plan.Engineer e = plan.engineers().get(ea.getMetadata().getName());
            OwnerReference owner = owner(ea);
            for (DesiredBinding d : e.bindings()) {
                bindings.add(BindingDiff.toRoleBinding(d, ea.getMetadata().getName(), ea.getSpec().subject, owner));
            }
            EngineerAccess withStatus = new EngineerAccess();
            withStatus.setMetadata(ea.getMetadata());
            withStatus.setSpec(ea.getSpec());
            withStatus.setStatus(e.resource().getStatus());
            statuses.add(withStatus);
        }
        return new Work(bindings, statuses);
    }

    /** The owner reference the operator puts on each of the engineer's bindings. */
    static OwnerReference owner(EngineerAccess ea) {
        return new OwnerReferenceBuilder().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess")
                .withName(ea.getMetadata().getName()).withUid(ea.getMetadata().getUid()).withController(true).build();
    }

    /** Writes {@code work} with {@code concurrency} threads; returns the seconds it took. */
    static double run(KubernetesClient client, Work work, int concurrency) {
        List<Runnable> writes = new ArrayList<>();
        work.bindings().forEach(rb -> writes.add(() -> client.resource(rb).create()));
        work.statuses().forEach(ea -> writes.add(() -> client.resource(ea).updateStatus()));
        long start = System.nanoTime();
        Parallel.run(concurrency, writes, "the floor's writes");
        return (System.nanoTime() - start) / 1e9;
    }

    /** Undoes the floor's writes (not measured): every managed binding deleted, every status cleared. */
    static void undo(KubernetesClient admin, List<String> namespaces) {
        for (String ns : namespaces) {
            admin.rbac().roleBindings().inNamespace(ns).withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).delete();
        }
        Parallel.run(16, admin.resources(EngineerAccess.class).list().getItems().stream().<Runnable>map(ea -> () -> admin
                .resources(EngineerAccess.class).withName(ea.getMetadata().getName()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":null}")).toList(), "undoing the floor");
    }
}
