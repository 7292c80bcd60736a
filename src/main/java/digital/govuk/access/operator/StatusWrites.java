package digital.govuk.access.operator;

import java.util.function.Supplier;

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
     * reconciliation that follows at once compares with what was written.
     */
    static <S, T, P extends CustomResource<S, T>> void replace(P primary, T status, Context<P> context, Supplier<P> empty) {
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(primary, context, current -> {
            P copy = empty.get();
            copy.setMetadata(new ObjectMetaBuilder().withName(current.getMetadata().getName())
                    .withResourceVersion(current.getMetadata().getResourceVersion()).build());
            copy.setSpec(current.getSpec());
            copy.setStatus(status);
            return copy;
        });
    }
}
