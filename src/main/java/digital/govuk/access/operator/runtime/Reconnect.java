package digital.govuk.access.operator.runtime;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.operator.TransitionScheduler;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Notices when the API server comes back. After a reconciliation failed because the API server was out
 * of reach, this asks it for one EngineerAccess every {@code period}. Once it has seen it fail to answer, the
 * first answer ends the outage: every engineer that was waiting is reconciled at once, so a change that
 * fell due during the outage is applied as soon as the API server can take it, not at the end of a retry
 * delay. If the API server answers the very first question, it was not down (the failure was something
 * else), and the engineers keep their ordinary retry delays: nothing is woken, so nothing spins.
 */
@Singleton
public class Reconnect {
    private static final Logger LOG = Logger.getLogger(Reconnect.class);

    private final KubernetesClient client;
    private final TransitionScheduler transitions;
    private final Duration period;
    private final ScheduledExecutorService probe = DaemonTimer.named("api-server-probe");
    private ScheduledFuture<?> probing;
    private boolean sawItDown;

    public Reconnect(KubernetesClient client, TransitionScheduler transitions,
            @ConfigProperty(name = "engineer-access.reconnect.probe-period", defaultValue = "250ms") Duration period) {
        this.client = client;
        this.transitions = transitions;
        this.period = period;
    }

    /** A reconciliation failed because the API server was out of reach: start asking until it answers. */
    public synchronized void lost() {
        if (probing == null && !probe.isShutdown()) {
            sawItDown = false;
            probing = probe.scheduleWithFixedDelay(this::ask, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Whether it is waiting for the API server now. */
    public synchronized boolean waiting() {
        return probing != null;
    }

    private void ask() {
        boolean answered = ready();
        synchronized (this) {
            if (!answered) {
                if (!sawItDown) {
                    LOG.warn("the API server is out of reach; asking it every " + period.toMillis() + " ms until it answers");
                }
                sawItDown = true;
                return;
            }
            if (probing != null) {
                probing.cancel(false);
                probing = null;
            }
            if (!sawItDown) {
                return;
            }
        }
        int woken = transitions.wakeWaitingForApiServer();
        LOG.infof("the API server answers again; reconciling the %d engineers that were waiting for it", woken);
    }

    /**
     * Whether the API server serves the operator's requests again: it lists one EngineerAccess. An API server
     * that is starting answers {@code /version} seconds before it can serve a request, and says {@code /readyz}
     * seconds after it can; a request of the kind reconciliations make is the question that matters.
     */
    private boolean ready() {
        try {
            client.resources(EngineerAccess.class).list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @PreDestroy
    void shutdown() {
        probe.shutdownNow();
    }
}
