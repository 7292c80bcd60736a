package digital.govuk.access.operator;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The audit trail: a Kubernetes Event on the EngineerAccess (in namespace default, as for every
 * cluster-scoped object) and one structured log line per change.
 */
@ApplicationScoped
public class Audit {
    private static final Logger LOG = Logger.getLogger("digital.govuk.access.audit");
    static final String EVENT_NAMESPACE = "default";
    static final String COMPONENT = "engineer-access-operator";

    private final KubernetesClient client;
    private final Clock clock;

    public Audit(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /**
     * Records one change.
     *
     * @param reason     CamelCase, for example AccessGranted
     * @param warning    Warning rather than Normal
     * @param level      the engineer's level after the change
     * @param namespaces the namespaces the change touched ("-" when none)
     */
    public void record(EngineerAccess ea, String reason, boolean warning, String level, String namespaces, String message) {
        String name = ea.getMetadata().getName();
        LOG.infof("engineer=%s level=%s namespaces=%s reason=%s message=\"%s\"", name, level, namespaces, reason, message);
        String now = clock.instant().toString();
        try {
            client.v1().events().inNamespace(EVENT_NAMESPACE).resource(new EventBuilder()
                    .withNewMetadata().withName(name + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
                    .withNamespace(EVENT_NAMESPACE).withLabels(Map.of("access.govuk.digital/engineer", name)).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(ea.getApiVersion()).withKind(ea.getKind())
                            .withName(name).withUid(ea.getMetadata().getUid())
                            .withResourceVersion(ea.getMetadata().getResourceVersion()).build())
                    .withReason(reason)
                    .withMessage(message.length() > 1000 ? message.substring(0, 997) + "..." : message)
                    .withType(warning ? "Warning" : "Normal")
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException e) {
            // An Event is a record, not the change itself: the log line above still holds it.
            LOG.warnf("could not write the %s Event for %s: %s", reason, name, e.getMessage());
        }
    }
}
