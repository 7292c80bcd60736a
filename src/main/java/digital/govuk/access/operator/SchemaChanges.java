package digital.govuk.access.operator;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.jboss.logging.Logger;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.operator.runtime.DaemonTimer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;

/**
 * Edits the watch never told of, found when the EngineerAccess CRD changes. When the API server starts serving a
 * changed CRD it ends every watch of the kind, and an edit made around then can miss the operator's watch, or
 * reach it with a new field pruned by the old schema (docs/reliability.md). The operator's cached copy then stays
 * old until the object changes again; if the edit withdrew a fact, the cached copy still justifies the access,
 * so the operator would see nothing to do and the access would outlive its rule.
 * <p>
 * So the operator watches that one CRD (read only, by name), and after each change of its spec lists every
 * EngineerAccess from the API server a few times as the new schema comes into service ({@link #AFTER}). Each
 * object that differs from the cache's copy ({@link #differs}) is marked and reconciled; its reconciliation reads it
 * fresh before deciding ({@link #takeMarked}). Objects that match the cache cost nothing more.
 */
class SchemaChanges extends AbstractEventSource<Void, EngineerAccess> {
    private static final Logger LOG = Logger.getLogger(SchemaChanges.class);
    static final String CRD = "engineeraccesses." + EngineerAccess.GROUP;
    /** When to list after a change: the API server swaps the schema it serves a moment after storing the CRD. */
    static final List<Duration> AFTER = List.of(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(30));

    private final KubernetesClient client;
    private final Function<String, Optional<EngineerAccess>> cached;
    private final Set<String> marked = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = DaemonTimer.named("schema-changes");
    private volatile SharedIndexInformer<CustomResourceDefinition> informer;

    SchemaChanges(KubernetesClient client, Function<String, Optional<EngineerAccess>> cached) {
        super(Void.class, "schema-changes");
        this.client = client;
        this.cached = cached;
    }

    @Override
    public void start() {
        super.start();
        try {
            informer = client.apiextensions().v1().customResourceDefinitions().withName(CRD).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(CustomResourceDefinition crd) {
                    // The first list: nothing changed yet.
                }

                @Override
                public void onUpdate(CustomResourceDefinition before, CustomResourceDefinition now) {
                    if (!Objects.equals(before.getMetadata().getGeneration(), now.getMetadata().getGeneration())) {
                        changed(now.getMetadata().getGeneration());
                    }
                }

                @Override
                public void onDelete(CustomResourceDefinition crd, boolean unknownFinalState) {
                    // Every EngineerAccess goes with it; the garbage collector removes their bindings.
                }
            });
        } catch (KubernetesClientException e) {
            // Without the right to watch the CRD the operator still works; it only loses this check.
            LOG.warnf("cannot watch the CustomResourceDefinition %s (%s): edits made while it changes may wait for the"
                    + " object's next change", CRD, ApiErrors.inWords(e));
        }
    }

    @Override
    public void stop() {
        if (informer != null) {
            informer.close();
        }
        timer.shutdownNow();
        super.stop();
    }

    @Override
    public Set<Void> getSecondaryResources(EngineerAccess primary) {
        return Set.of();
    }

    /** The CRD's spec changed (a new generation): look again after each of {@link #AFTER}. */
    void changed(Long generation) {
        LOG.infof("the EngineerAccess CRD changed (generation %s): every EngineerAccess will be compared with the API"
                + " server's copy in %s", generation, AFTER.stream().map(d -> d.toSeconds() + " s").toList());
        for (Duration after : AFTER) {
            timer.schedule(this::compare, after.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Lists every EngineerAccess from the API server and reconciles each whose copy in the cache differs. */
    void compare() {
        List<EngineerAccess> live;
        try {
            live = client.resources(EngineerAccess.class).list().getItems();
        } catch (RuntimeException e) {
            LOG.warnf("could not list EngineerAccess objects after the CRD changed (%s); the next look will try again",
                    ApiErrors.inWords(e));
            return;
        }
        int differ = 0;
        for (EngineerAccess ea : live) {
            String name = ea.getMetadata().getName();
            Optional<EngineerAccess> mine = cached.apply(name);
            if (mine.isEmpty() || differs(mine.get(), ea)) {
                differ++;
                marked.add(name);
                if (getEventHandler() != null && isRunning()) {
                    getEventHandler().handleEvent(new Event(new ResourceID(name)));
                }
            }
        }
        if (differ > 0) {
            LOG.infof("%d of %d EngineerAccess objects differ from the operator's copy after the CRD changed: each is read"
                    + " again and reconciled", differ, live.size());
        }
    }

    /**
     * Whether the cache's copy differs from the API server's: another resourceVersion (an edit the watch never
     * told of), or the same one with another spec or other fields this operator does not know (the watch told of
     * it as the old schema pruned it).
     */
    static boolean differs(EngineerAccess mine, EngineerAccess live) {
        return !Objects.equals(mine.getMetadata().getResourceVersion(), live.getMetadata().getResourceVersion())
                || !UnknownFields.of(mine).equals(UnknownFields.of(live))
                || !Serialization.asJson(mine.getSpec()).equals(Serialization.asJson(live.getSpec()));
    }

    /** Whether this engineer was found different from the cache; a reconciliation that asks reads it fresh. */
    boolean takeMarked(String name) {
        return marked.remove(name);
    }

    /** Marks it again: the fresh read its reconciliation tried failed, and the retry must try again. */
    void mark(String name) {
        marked.add(name);
    }
}
