package digital.govuk.access.operator;

import java.util.Set;
import java.util.function.Consumer;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;

/**
 * Tells the operator when an EngineerAccess is deleted, without a finalizer: JOSDK passes every event of the
 * primary informer to event sources that are {@link ResourceEventAware}. It never triggers a reconciliation.
 */
class DeletedEngineers extends AbstractEventSource<Void, EngineerAccess> implements ResourceEventAware<EngineerAccess> {
    private final Consumer<EngineerAccess> onDeleted;

    DeletedEngineers(Consumer<EngineerAccess> onDeleted) {
        super(Void.class, "deleted-engineers");
        this.onDeleted = onDeleted;
    }

    @Override
    public void onResourceDeleted(EngineerAccess ea) {
        onDeleted.accept(ea);
    }

    @Override
    public Set<Void> getSecondaryResources(EngineerAccess primary) {
        return Set.of();
    }
}
