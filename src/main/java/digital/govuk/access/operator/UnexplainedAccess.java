package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import digital.govuk.access.bindings.Unexplained;
import digital.govuk.access.operator.runtime.AccessMetrics;
import digital.govuk.access.rules.EffectivePolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
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
    private final Clock clock;
    /** What the last look found, and when it ended; null before the first look that could read the bindings. */
    private volatile Look last;
    /** Bindings read per request while looking: a page is about 1.3 MiB of objects, whatever the cluster holds. */
    static final long PAGE = 500;
    /** How often the bindings are listed again (engineer-access.unexplained.every, default 5 minutes). */
    final Duration every;

    private record Look(int found, Instant at) {
    }

    /** What one look found: the grants, or null with why the bindings could not be read, in words. */
    record Found(List<Unexplained.Grant> grants, String problem) {
        boolean read() {
            return grants != null;
        }
    }

    public UnexplainedAccess(KubernetesClient client, AccessMetrics metrics, Clock clock,
            @ConfigProperty(name = "engineer-access.unexplained.every", defaultValue = "5m") Duration every) {
        this.client = client;
        this.clock = clock;
        this.every = every;
        metrics.leaderOnly(Gauge.builder("engineer.access.unexplained.bindings", this, UnexplainedAccess::known)
                .description("RoleBindings and ClusterRoleBindings that grant the policy's Deploy or Admin ClusterRole and that the"
                        + " operator did not make; NaN while no look has read them within twice the look's period"));
    }

    /**
     * What the last look found, while it is recent: within two periods, so that one look late or failed does not
     * count. Otherwise NaN, not known: before the first look, while there is no usable AccessPolicy to look with (no
     * look runs then), or while the bindings cannot be read. A number kept from an old look would say that nothing
     * changed since, which nobody checked.
     */
    double known() {
        Look look = last;
        return look == null || look.at().plus(every.multipliedBy(2)).isBefore(clock.instant()) ? Double.NaN : look.found();
    }

    /** The unexplained grants of the policy's two roles, or why the bindings could not be read (also said in the log). */
    Found find(EffectivePolicy policy) {
        Set<String> roles = Set.of(policy.deployClusterRole(), policy.adminClusterRole());
        try {
            // Page by page, keeping only candidates: with thousands of engineers nearly every RoleBinding is the
            // operator's own, and the whole list at once (about 2.6 KiB a binding, and its text) does not fit the
            // heap the chart gives: a restart with 2,000 engineers ran out of memory here.
            List<RoleBinding> roleBindings = new ArrayList<>();
            inPages(options -> client.rbac().roleBindings().inAnyNamespace().list(options), rb -> {
                if (Unexplained.candidate(rb, roles)) {
                    roleBindings.add(rb);
                }
            });
            List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>();
            inPages(options -> client.rbac().clusterRoleBindings().list(options), clusterRoleBindings::add);
            List<Unexplained.Grant> grants = Unexplained.find(roleBindings, clusterRoleBindings, roles);
            last = new Look(grants.size(), clock.instant());
            return new Found(grants, null);
        } catch (KubernetesClientException e) {
            String problem = ApiErrors.inWords(e);
            LOG.warnf("could not look for access the operator did not grant: %s", problem);
            return new Found(null, problem);
        }
    }

    /** Lists {@link #PAGE} objects a request, following the continue token, and hands each one to {@code each}. */
    private static <T extends HasMetadata> void inPages(Function<ListOptions, ? extends KubernetesResourceList<T>> list, Consumer<T> each) {
        String next = null;
        do {
            KubernetesResourceList<T> page = list.apply(new ListOptionsBuilder().withLimit(PAGE).withContinue(next).build());
            page.getItems().forEach(each);
            next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
    }
}
