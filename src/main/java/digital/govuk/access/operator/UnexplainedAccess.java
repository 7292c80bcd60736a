package digital.govuk.access.operator;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import digital.govuk.access.bindings.Unexplained;
import digital.govuk.access.operator.runtime.AccessMetrics;
import digital.govuk.access.rules.EffectivePolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Gauge;

/**
 * Production access that no EngineerAccess explains: every RoleBinding and ClusterRoleBinding in the cluster that
 * binds the policy's Deploy or Admin ClusterRole and that the operator did not make ({@link Unexplained}). Only
 * read and reported (AccessPolicy status, {@code engineer_access_unexplained_bindings}), never changed. The
 * operator watches only its own bindings, so these are listed afresh every few minutes ({@link #every}).
 */
@Singleton
public class UnexplainedAccess {
    private static final Logger LOG = Logger.getLogger(UnexplainedAccess.class);

    private final KubernetesClient client;
    private final AtomicInteger found = new AtomicInteger();
    /** How often the bindings are listed again (engineer-access.unexplained.every, default 5 minutes). */
    final Duration every;

    public UnexplainedAccess(KubernetesClient client, AccessMetrics metrics,
            @ConfigProperty(name = "engineer-access.unexplained.every", defaultValue = "5m") Duration every) {
        this.client = client;
        this.every = every;
        metrics.leaderOnly(Gauge.builder("engineer.access.unexplained.bindings", found, AtomicInteger::get)
                .description("RoleBindings and ClusterRoleBindings that grant the policy's Deploy or Admin ClusterRole and that the"
                        + " operator did not make"));
    }

    /** The unexplained grants of the policy's two roles; null when the bindings could not be read (said in the log). */
    List<Unexplained.Grant> find(EffectivePolicy policy) {
        try {
            List<RoleBinding> roleBindings = client.rbac().roleBindings().inAnyNamespace().list().getItems();
            List<ClusterRoleBinding> clusterRoleBindings = client.rbac().clusterRoleBindings().list().getItems();
            List<Unexplained.Grant> grants = Unexplained.find(roleBindings, clusterRoleBindings,
                    Set.of(policy.deployClusterRole(), policy.adminClusterRole()));
            found.set(grants.size());
            return grants;
        } catch (KubernetesClientException e) {
            LOG.warnf("could not look for access the operator did not grant: %s", ApiErrors.inWords(e));
            return null;
        }
    }
}
