package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.status.PolicyState;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Whether the operator may bind the ClusterRoles a policy names. The API server refuses a RoleBinding to a
 * role the operator may not bind (RBAC escalation prevention); asking first turns a refusal at every write
 * into one clear policy problem. The answer comes from a SelfSubjectAccessReview for the verb {@code bind},
 * remembered for a while. When the API server gives no answer, nothing is assumed: the writes then say why.
 */
@Singleton
public class BindRights {
    private static final Logger LOG = Logger.getLogger(BindRights.class);
    /** How long a yes is remembered; a no is asked again sooner, so a fixed installation is noticed quickly. */
    static final Duration YES_FOR = Duration.ofMinutes(10);
    static final Duration NO_FOR = Duration.ofSeconds(30);

    private record Answer(boolean allowed, Instant at) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    public BindRights(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * The policy state, with the ClusterRoles of the policy in force that the operator may not bind: no new binding
     * to them is made (the API server would refuse it), and none is removed for that reason.
     */
    public PolicyState check(PolicyState state) {
        if (!state.usable()) {
            return state;
        }
        EffectivePolicy p = state.policy();
        Map<String, Problem> unbindable = new LinkedHashMap<>();
        if (!mayBind(p.deployClusterRole())) {
            unbindable.put(p.deployClusterRole(), problem("spec.deploy.clusterRole", p.deployClusterRole()));
        }
        if (!p.adminClusterRole().equals(p.deployClusterRole()) && !mayBind(p.adminClusterRole())) {
            unbindable.put(p.adminClusterRole(), problem("spec.admin.clusterRole", p.adminClusterRole()));
        }
        return unbindable.isEmpty() ? state : state.withUnbindable(unbindable);
    }

    /** Whether some answer was a no (the policy reconciler then asks again after {@link #NO_FOR}). */
    public static boolean refused(PolicyState state) {
        return !state.unbindable().isEmpty();
    }

    private static final String REFUSED = "the operator may not bind the ClusterRole";

    private static Problem problem(String field, String role) {
        return new Problem(field, REFUSED + " '" + role + "' (its own ClusterRole has no 'bind' right on it), so it can"
                + " grant nothing new with it: name a role the operator may bind, or allow this one where the operator is installed");
    }

    private synchronized boolean mayBind(String role) {
        Instant now = clock.instant();
        Answer known = answers.get(role);
        if (known != null && now.isBefore(known.at().plus(known.allowed() ? YES_FOR : NO_FOR))) {
            return known.allowed();
        }
        // No answer (an API server that does not review access) counts as a yes: the writes themselves say
        // why when they are refused.
        Boolean asked = ask(role);
        boolean allowed = asked == null || asked;
        answers.put(role, new Answer(allowed, now));
        return allowed;
    }

    private Boolean ask(String role) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
                .withGroup("rbac.authorization.k8s.io").withResource("clusterroles").withVerb("bind").withName(role)
                .endResourceAttributes().endSpec().build();
        try {
            SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(review);
            return answer == null || answer.getStatus() == null ? null : answer.getStatus().getAllowed();
        } catch (KubernetesClientException e) {
            LOG.debugf("could not ask whether the operator may bind %s: %s", role, e.getMessage());
            return null;
        }
    }
}
