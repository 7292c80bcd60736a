package digital.govuk.access.operator;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;

import digital.govuk.access.operator.cache.LeanItemStore;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;

/** The one way the operator writes the status of its own resources. */
final class StatusWrites {
    private static final Logger LOG = Logger.getLogger(StatusWrites.class);
    private static final int TRIES = 3;

    private StatusWrites() {
    }

    /** A status written: the copy it replaced the status of, and the status. */
    record Replaced(EngineerAccess before, EngineerAccessStatus status) {
    }

    /**
     * Replaces the status of an EngineerAccess that JOSDK no longer reconciles (one marked for deletion, decision 70),
     * as {@code status} builds it from a copy: first the copy given, then, after a conflict (someone wrote first), a
     * copy read again, at most three times. Empty when it is gone (or replaced by another of the same name), or could not
     * be written, which the log says.
     */
    static Optional<Replaced> replaceOutsideReconciliation(KubernetesClient client, EngineerAccess known,
            Function<EngineerAccess, EngineerAccessStatus> status) {
        EngineerAccess current = known;
        for (int tries = 1; current != null && current.getMetadata().getUid().equals(known.getMetadata().getUid()); tries++) {
            EngineerAccessStatus written = status.apply(current);
            try {
                client.resource(withStatus(current, written, EngineerAccess::new)).updateStatus();
                return Optional.of(new Replaced(current, written));
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return Optional.empty();
                }
                if (e.getCode() != 409 || tries == TRIES) {
                    LOG.warnf("could not write the status of %s, which is being deleted: %s", known.getMetadata().getName(), ApiErrors.inWords(e));
                    return Optional.empty();
                }
            }
            try {
                current = client.resources(EngineerAccess.class).withName(known.getMetadata().getName()).get();
            } catch (KubernetesClientException e) {
                LOG.warnf("could not read %s again to write its status: %s", known.getMetadata().getName(), ApiErrors.inWords(e));
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * The API server refused a status as invalid (422: a schema or an admission policy that will not take it). JOSDK
     * treats 422 as it treats a conflict, and waits up to 10 s for its cache to show a newer version before trying
     * again, ten times over, holding a reconciliation thread all that while for a version that never comes; this
     * ends the write at once instead, and the reconciliation is retried.
     */
    static final class Refused extends RuntimeException {
        Refused(KubernetesClientException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Replaces the status (PUT with the observed resourceVersion: after a conflict, JOSDK waits for its cache to show
     * the newer version and applies the status to that) and keeps the written object in JOSDK's cache, so a
     * reconciliation that follows at once compares with what was written. JOSDK keeps that copy until its watch
     * delivers the same version, which at a cold start of thousands of engineers can be many seconds and thousands of
     * copies: each is kept lean, as the informer's store keeps it (without managedFields, strings shared). A status
     * refused as invalid ends at once ({@link Refused}).
     */
    static <S, T, P extends CustomResource<S, T>> void replace(P primary, T status, Context<P> context, Supplier<P> empty) {
        PrimaryUpdateAndCacheUtils.updateAndCacheResource(primary, context, current -> withStatus(current, status, empty), written -> {
            try {
                P now = context.getClient().resource(written).updateStatus();
                LeanItemStore.lean(now);
                return now;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 422) {
                    throw new Refused(e);
                }
                throw e;
            }
        });
    }

    /** What a status write sends: the name, the resourceVersion it was read at (a conflict if it changed since), the spec and the new status. */
    private static <S, T, P extends CustomResource<S, T>> P withStatus(P current, T status, Supplier<P> empty) {
        P copy = empty.get();
        copy.setMetadata(new ObjectMetaBuilder().withName(current.getMetadata().getName())
                .withResourceVersion(current.getMetadata().getResourceVersion()).build());
        copy.setSpec(current.getSpec());
        copy.setStatus(status);
        return copy;
    }
}
