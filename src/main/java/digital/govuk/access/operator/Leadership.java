package digital.govuk.access.operator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;

/**
 * Leader election on a {@code coordination.k8s.io} Lease: of several operator processes, only the one holding
 * the Lease reconciles and writes; the others wait, ready to take over when it stops renewing. Configured by
 * {@code engineer-access.leader-election} (environment ENGINEER_ACCESS_LEADER_ELECTION, default true) and
 * the Lease's name and namespace (ENGINEER_ACCESS_LEASE_NAME, default engineer-access-operator;
 * ENGINEER_ACCESS_LEASE_NAMESPACE, default the client's namespace). Only the
 * {@code prod} profile (the packaged operator) elects; tests run a single operator.
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

    private final boolean enabled;
    private final String leaseName;
    private final Optional<String> leaseNamespace;
    private final Duration leaseDuration;
    private final Duration renewDeadline;
    private final Duration retryPeriod;
    private final String identity;
    private volatile boolean leading;

    public Leadership(@ConfigProperty(name = "engineer-access.leader-election", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "engineer-access.lease-name", defaultValue = "engineer-access-operator") String leaseName,
            @ConfigProperty(name = "engineer-access.lease-namespace") Optional<String> leaseNamespace,
            @ConfigProperty(name = "engineer-access.lease-duration", defaultValue = "15s") Duration leaseDuration,
            @ConfigProperty(name = "engineer-access.lease-renew-deadline", defaultValue = "10s") Duration renewDeadline,
            @ConfigProperty(name = "engineer-access.lease-retry-period", defaultValue = "2s") Duration retryPeriod,
            KubernetesClient client) {
        this.enabled = enabled;
        this.leaseName = leaseName;
        // Unset: the client's namespace (in a pod, the operator's own; else the kubeconfig context's, or default).
        this.leaseNamespace = leaseNamespace.filter(s -> !s.isBlank()).or(() -> Optional.ofNullable(client.getNamespace()));
        this.leaseDuration = leaseDuration;
        this.renewDeadline = renewDeadline;
        this.retryPeriod = retryPeriod;
        // The pod name when in a cluster; a random part keeps two processes on one host apart.
        this.identity = hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The configuration JOSDK elects with, or none (null) when leader election is off. Looked up by the
     * Quarkus extension when the operator starts.
     */
    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration configuration() {
        if (!enabled) {
            LOG.info("leader election is off: this operator reconciles on its own (run only one)");
            return null;
        }
        LOG.infof("leader election on Lease %s/%s as %s: this operator reconciles only while it holds the Lease",
                leaseNamespace.orElse("(this pod's namespace)"), leaseName, identity);
        return new LeaderElectionConfiguration(leaseName, leaseNamespace.orElse(null), leaseDuration, renewDeadline, retryPeriod,
                identity, new LeaderCallbacks(this::started, this::stopped, this::newLeader), true);
    }

    /** Whether this process may reconcile now: it holds the Lease, or there is no election. */
    public boolean leading() {
        return !enabled || leading;
    }

    public boolean electing() {
        return enabled;
    }

    public String identity() {
        return identity;
    }

    private void started() {
        leading = true;
        LOG.infof("this operator (%s) now holds the Lease %s and reconciles", identity, leaseName);
    }

    private void stopped() {
        leading = false;
        LOG.warnf("this operator (%s) lost the Lease %s and stops", identity, leaseName);
    }

    private void newLeader(String who) {
        if (!identity.equals(who)) {
            LOG.infof("the operator %s holds the Lease %s; this one (%s) waits to take over", who, leaseName, identity);
        }
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
