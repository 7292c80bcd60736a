package digital.govuk.access.operator;

import java.util.Set;
import java.util.function.Consumer;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;

/**
 * Tells the operator when an EngineerAccess is deleted, and when one is marked for deletion but held by finalizers
 * (seen so when listed at a start, too), without a finalizer of the operator's: JOSDK passes every event of the
 * primary informer to event sources that are {@link ResourceEventAware}, and never reconciles an object marked for
 * deletion when its controller has no finalizer. It never triggers a reconciliation.
 */
class DeletedEngineers extends AbstractEventSource<Void, EngineerAccess> implements ResourceEventAware<EngineerAccess> {
    private final Consumer<EngineerAccess> onDeleting;
    private final Consumer<EngineerAccess> onDeleted;

    DeletedEngineers(Consumer<EngineerAccess> onDeleting, Consumer<EngineerAccess> onDeleted) {
        super(Void.class, "deleted-engineers");
        this.onDeleting = onDeleting;
        this.onDeleted = onDeleted;
    }

    @Override
    public void onResourceCreated(EngineerAccess ea) {
        if (ea.isMarkedForDeletion()) {
            onDeleting.accept(ea);
        }
    }

    @Override
    public void onResourceUpdated(EngineerAccess now, EngineerAccess before) {
        if (now.isMarkedForDeletion() && (before == null || !before.isMarkedForDeletion())) {
            onDeleting.accept(now);
        }
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
