package digital.govuk.access.operator.runtime;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntConsumer;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import digital.govuk.access.operator.ApiErrors;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Leader election on a {@code coordination.k8s.io} Lease: of several operator processes, only the one holding
 * the Lease reconciles and writes; the others wait, ready to take over when it stops renewing. Configured by
 * {@code engineer-access.leader-election} (environment ENGINEER_ACCESS_LEADER_ELECTION, default true) and
 * the Lease's name and namespace (ENGINEER_ACCESS_LEASE_NAME, default engineer-access-operator;
 * ENGINEER_ACCESS_LEASE_NAMESPACE, default the client's namespace). Only the
 * {@code prod} profile (the packaged operator) elects; tests run a single operator.
 * <p>
 * How leadership ends:
 * <ul>
 * <li>The operator is stopped (SIGTERM, as in a rollout): JOSDK stops handing out reconciliations and ends the
 * election; once the reconciliations it was running have ended, this gives the Lease up (no holder, 1 s long, as
 * client-go's ReleaseOnCancel does), so another process takes it at its next try rather than when the Lease
 * expires, and the JVM exits.</li>
 * <li>The Lease is lost while running (another process holds it, or it could not be renewed in time): another
 * process may be writing already, so this one stops at once, mid-reconciliation if need be, as if killed
 * (every write the operator makes is safe to cut short: the next leader reconciles everyone on start).</li>
 * </ul>
 * JOSDK is told not to exit by itself: it would call System.exit from inside the shutdown that is stopping it,
 * which waits for that shutdown to end and so never returns.
 */
@Singleton
public class Leadership {
    /**
     * What the operator does with its Lease, by the Lease's name: Fabric8's lock reads it (get) and renews or
     * takes it over (patch), and JOSDK checks at start that it may also update it. The chart's Role grants these
     * on the one Lease, in the release namespace, and nothing more (RbacRulesTest).
     */
    public static final java.util.List<String> LEASE_VERBS = java.util.List.of("get", "update", "patch");
    /** Creating the Lease when there is none: a create cannot be limited to a name, so the Role grants it apart. */
    public static final java.util.List<String> LEASE_CREATE = java.util.List.of("create");

    private static final Logger LOG = Logger.getLogger(Leadership.class);
    /** The length a given-up Lease is left with, as client-go's ReleaseOnCancel leaves it. */
    static final Duration RELEASED = Duration.ofSeconds(1);
    /** How long a stopping leader waits for the reconciliations it was running to end before it gives the Lease up. */
    static final Duration DRAIN = Duration.ofSeconds(5);

    private final boolean enabled;
    private final String leaseName;
    private final Optional<String> leaseNamespace;
    private final Duration leaseDuration;
    private final Duration renewDeadline;
    private final Duration retryPeriod;
    private final String identity;
    private final KubernetesClient client;
    private final Clock clock;
    private final AccessMetrics metrics;
    private final ReconcileStats stats;
    private final Duration drain;
    private final IntConsumer exit;
    private volatile boolean electing;
    private volatile boolean leading;
    private volatile boolean stopping;

    @Inject
    public Leadership(@ConfigProperty(name = "engineer-access.leader-election", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "engineer-access.lease-name", defaultValue = "engineer-access-operator") String leaseName,
            @ConfigProperty(name = "engineer-access.lease-namespace") Optional<String> leaseNamespace,
            @ConfigProperty(name = "engineer-access.lease-duration", defaultValue = "15s") Duration leaseDuration,
            @ConfigProperty(name = "engineer-access.lease-renew-deadline", defaultValue = "10s") Duration renewDeadline,
            @ConfigProperty(name = "engineer-access.lease-retry-period", defaultValue = "1s") Duration retryPeriod,
            KubernetesClient client, Clock clock, AccessMetrics metrics, ReconcileStats stats) {
        // Halt, not exit: no shutdown step may run first, since any of them could still write.
        this(enabled, leaseName, leaseNamespace, leaseDuration, renewDeadline, retryPeriod, client, clock, metrics, stats, DRAIN,
                status -> Runtime.getRuntime().halt(status));
    }

    Leadership(boolean enabled, String leaseName, Optional<String> leaseNamespace, Duration leaseDuration, Duration renewDeadline,
            Duration retryPeriod, KubernetesClient client, Clock clock, AccessMetrics metrics, ReconcileStats stats, Duration drain,
            IntConsumer exit) {
        this.enabled = enabled;
        this.leaseName = leaseName;
        // Unset: the client's namespace (in a pod, the operator's own; else the kubeconfig context's, or default).
        this.leaseNamespace = leaseNamespace.filter(s -> !s.isBlank()).or(() -> Optional.ofNullable(client.getNamespace()));
        this.leaseDuration = leaseDuration;
        this.renewDeadline = renewDeadline;
        this.retryPeriod = retryPeriod;
        this.client = client;
        this.clock = clock;
        this.metrics = metrics;
        this.stats = stats;
        this.drain = drain;
        this.exit = exit;
        // The pod name when in a cluster; a random part keeps two processes on one host apart.
        this.identity = hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The configuration JOSDK elects with, or none (null) when leader election is off. Looked up by the
     * Quarkus extension when the operator starts, and only in the profiles that elect.
     */
    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration configuration() {
        if (!enabled) {
            LOG.info("leader election is off: this operator reconciles on its own (run only one)");
            return null;
        }
        electing = true;
        metrics.leading(false);
        LOG.infof("leader election on Lease %s/%s as %s: this operator reconciles only while it holds the Lease",
                leaseNamespace.orElse("(this pod's namespace)"), leaseName, identity);
        return new LeaderElectionConfiguration(leaseName, leaseNamespace.orElse(null), leaseDuration, renewDeadline, retryPeriod,
                identity, new LeaderCallbacks(this::started, this::stopped, this::newLeader), false);
    }

    /**
     * The operator is stopping (SIGTERM, or the end of a test): the end of the election that follows is the end of a
     * run, not a lost Lease. Observed before the Quarkus extension stops the operator.
     */
    void stopping(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        stopping = true;
    }

    /** Whether this process may reconcile now: it holds the Lease, or there is no election. */
    public boolean leading() {
        return !electing || leading;
    }

    public boolean electing() {
        return electing;
    }

    public String identity() {
        return identity;
    }

    void started() {
        leading = true;
        metrics.leading(true);
        LOG.infof("this operator (%s) now holds the Lease %s and reconciles", identity, leaseName);
    }

    void stopped() {
        leading = false;
        metrics.leading(false);
        if (stopping) {
            release();
            return;
        }
        LOG.errorf("this operator (%s) lost the Lease %s: another may be reconciling already, so this one stops at once and"
                + " exits (it is restarted, and waits to take over)", identity, leaseName);
        exit.accept(1);
    }

    void newLeader(String who) {
        // While this process leads, a new holder means it lost the Lease: stopped() says so next.
        if (!leading && who != null && !who.isBlank() && !identity.equals(who)) {
            LOG.infof("the operator %s holds the Lease %s; this one (%s) waits to take over", who, leaseName, identity);
        }
    }

    /**
     * Gives the Lease up, if this process still holds it: no holder, and a length of 1 s, so the next try of any other
     * process takes it. Runs once the election has ended, so nothing renews it again, and once JOSDK has stopped
     * handing out reconciliations; the ones it was running are waited for (they were interrupted, and end in moments),
     * so that the next leader never writes beside this one. One still running after {@link #DRAIN} keeps the Lease:
     * it expires by itself. Written with the Lease's resourceVersion: a Lease another process has taken meanwhile is
     * left alone.
     */
    private void release() {
        String namespace = leaseNamespace.orElse(null);
        if (namespace == null) {
            return;
        }
        if (!reconciliationsEnded()) {
            LOG.warnf("stopping: a reconciliation is still running after %d s, so this operator keeps the Lease %s; another"
                    + " takes over when it expires, within %d s", drain.toSeconds(), leaseName, leaseDuration.toSeconds());
            return;
        }
        try {
            LeaseLock lock = new LeaseLock(namespace, leaseName, identity);
            LeaderElectionRecord held = lock.get(client);
            if (held == null || !identity.equals(held.getHolderIdentity())) {
                LOG.infof("stopping: the Lease %s is no longer this operator's, so there is nothing to give up", leaseName);
                return;
            }
            ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            lock.update(client, new LeaderElectionRecord("", RELEASED, now, now, held.getLeaderTransitions()));
            LOG.infof("stopping: this operator (%s) has stopped reconciling and gave up the Lease %s, so another takes over at once",
                    identity, leaseName);
        } catch (KubernetesClientException e) {
            LOG.warnf("stopping: could not give up the Lease %s (%s); another operator takes over when it expires, within %d s",
                    leaseName, ApiErrors.inWords(e), leaseDuration.toSeconds());
        }
    }

    /** Waits, at most {@link #drain}, until no reconciliation runs; whether none does. */
    private boolean reconciliationsEnded() {
        long until = System.nanoTime() + drain.toNanos();
        while (stats.anyRunning()) {
            if (System.nanoTime() > until) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static String hostname() {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "engineer-access-operator";
        }
    }
}
