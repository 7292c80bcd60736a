package digital.govuk.access.operator.runtime;

import java.time.Duration;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.operator.ApiErrors;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.StartupEvent;

/**
 * Holds the operator's start until the API server serves its resources. Just after their CRDs are created,
 * Kubernetes 1.31 and later answer a list that must come from the API server's watch cache with 429 "storage is
 * (re)initializing" until that cache has loaded (a second or so); the informers' first lists are such lists, the
 * client does not retry (decision 29), and JOSDK gives up when an informer cannot start, so the operator would stop
 * at startup and its pod restart. Before JOSDK starts, this asks for each of the operator's own resources as the
 * informers will, from the watch cache, and waits while the answer is 429, saying what it waits for. Any other
 * answer ends the wait: JOSDK's start then goes on, and says what is wrong as before. The management port (health,
 * metrics) is served only once the start is over. Stopped meanwhile (SIGTERM), the process ends at once: nothing has
 * started, and the JVM's shutdown would otherwise wait for the start to end.
 */
@Singleton
public class StartupWait {
    private static final Logger LOG = Logger.getLogger(StartupWait.class);
    /** The resources the operator defines: their watch cache is the one a new CRD makes. */
    static final List<Class<? extends HasMetadata>> OWN = List.of(EngineerAccess.class, AccessPolicy.class);
    /**
     * A label no object carries. A list with a label selector is answered from the watch cache (without one, a list
     * with a limit is answered from etcd while the cache loads), and one that selects nothing keeps the answer small.
     */
    static final String SELECTS_NOTHING = "access.govuk.digital/startup-check";
    /** Said again after this many tries, if the API server is still not ready. */
    private static final int SAY_EVERY = 30;

    private final KubernetesClient client;
    private final Duration pause;
    private final Duration cacheSync;

    public StartupWait(KubernetesClient client,
            @ConfigProperty(name = "engineer-access.startup.retry", defaultValue = "1s") Duration pause,
            @ConfigProperty(name = "quarkus.operator-sdk.cache-sync-timeout", defaultValue = "2M") Duration cacheSync) {
        this.client = client;
        this.pause = pause;
        this.cacheSync = cacheSync;
    }

    /** Runs before the Quarkus extension starts the operator (its observer's priority is LIBRARY_AFTER + 123). */
    void beforeTheOperatorStarts(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) StartupEvent event) {
        for (Class<? extends HasMetadata> type : OWN) {
            if (!awaitServed(type)) {
                LOG.infof("stopped while waiting for the API server to serve %s: the operator did not start", HasMetadata.getPlural(type));
                // 143, as the JVM ends on SIGTERM.
                Runtime.getRuntime().halt(143);
            }
        }
        // If the lists run out of time, JOSDK's words name Java classes: this says beforehand, plainly, what will happen.
        LOG.infof("filling the caches: every EngineerAccess, AccessPolicy, managed RoleBinding and namespace is listed;"
                + " if that takes more than %s the operator stops (\"Informer startup error\") and its pod starts again"
                + " (decision 66)", inWords(cacheSync));
    }

    /** 9 min, 570 s, 2.5 s: as a person would write it. */
    static String inWords(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + " min";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMillis() / 1e3 + " s";
    }

    /** Waits while the API server answers a list of {@code type} with 429; false if the process is stopped meanwhile. */
    boolean awaitServed(Class<? extends HasMetadata> type) {
        String plural = HasMetadata.getPlural(type);
        for (int tries = 0;; tries++) {
            try {
                client.resources(type).list(new ListOptionsBuilder().withResourceVersion("0").withLabelSelector(SELECTS_NOTHING)
                        .withLimit(1L).build());
                if (tries > 0) {
                    LOG.infof("the API server serves %s now", plural);
                }
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 429) {
                    return true;
                }
                if (tries % SAY_EVERY == 0) {
                    LOG.infof("waiting for the API server to serve %s before starting (it answers \"%s\", as it does while it"
                            + " loads them, for example just after their CRD was created); asking again every %d ms", plural,
                            ApiErrors.inWords(e), pause.toMillis());
                }
            }
            for (long waited = 0; waited < pause.toMillis(); waited += 50) {
                if (ApplicationLifecycleManager.isVmShuttingDown()) {
                    return false;
                }
                try {
                    Thread.sleep(Math.min(50, pause.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }
}
