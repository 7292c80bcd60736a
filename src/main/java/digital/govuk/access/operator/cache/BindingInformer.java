package digital.govuk.access.operator.cache;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.operator.Orphans;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * The informer of managed RoleBindings, which also tells {@link RecentWrites} what it has seen, and {@link Orphans}
 * of each binding that appears or changes.
 */
public class BindingInformer extends InformerEventSource<RoleBinding, EngineerAccess> {
    private final RecentWrites recentWrites;
    private final Orphans orphans;

    public BindingInformer(InformerEventSourceConfiguration<RoleBinding> configuration, EventSourceContext<EngineerAccess> context,
            RecentWrites recentWrites, Orphans orphans) {
        super(configuration, context);
        this.recentWrites = recentWrites;
        this.orphans = orphans;
    }

    @Override
    public void onAdd(RoleBinding rb) {
        super.onAdd(rb);
        recentWrites.seen(rb, false);
        orphans.seen(rb);
    }

    @Override
    public void onUpdate(RoleBinding before, RoleBinding now) {
        super.onUpdate(before, now);
        recentWrites.seen(now, false);
        orphans.seen(now);
    }

    /**
     * Told before the event goes on: the reconciliation it starts must not find a write of ours to this binding
     * still waiting, or it would take the deleted binding for present and never put it back. (An add or update is
     * told after: the index must hold the binding before our record of writing it goes.)
     */
    @Override
    public void onDelete(RoleBinding rb, boolean unknownFinalState) {
        recentWrites.seen(rb, true);
        super.onDelete(rb, unknownFinalState);
    }
}
