package digital.govuk.access.operator;

import java.util.function.Supplier;

import digital.govuk.access.operator.cache.LeanItemStore;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;

/** The one way the operator writes the status of its own resources. */
final class StatusWrites {
    private StatusWrites() {
    }

    /**
     * Replaces the status (PUT with the observed resourceVersion: a conflict means someone else wrote
     * first, and the reconciliation is retried) and keeps the written object in JOSDK's cache, so a
     * reconciliation that follows at once compares with what was written. JOSDK keeps that copy until its watch
     * delivers the same version, which at a cold start of thousands of engineers can be many seconds and thousands of
     * copies: each is kept lean, as the informer's store keeps it (without managedFields, strings shared).
     */
    static <S, T, P extends CustomResource<S, T>> void replace(P primary, T status, Context<P> context, Supplier<P> empty) {
        PrimaryUpdateAndCacheUtils.updateAndCacheResource(primary, context, current -> {
            P copy = empty.get();
            copy.setMetadata(new ObjectMetaBuilder().withName(current.getMetadata().getName())
                    .withResourceVersion(current.getMetadata().getResourceVersion()).build());
            copy.setSpec(current.getSpec());
            copy.setStatus(status);
            return copy;
        }, written -> {
            P now = context.getClient().resource(written).updateStatus();
            LeanItemStore.lean(now);
            return now;
        });
    }
}
