package digital.govuk.access.operator;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The audit trail: a Kubernetes Event on the EngineerAccess (in namespace default, as for every
 * cluster-scoped object) and one structured log line per change. The log line is written at once; the Event is
 * created in order on one thread of its own, so a reconciliation never waits for it and, at a burst of
 * transitions, Events do not compete with RoleBinding changes for the API server (docs/benchmarks.md). At most
 * {@link #QUEUE_LIMIT} wait; beyond that an Event is not written, and the log says how many were not.
 */
@ApplicationScoped
public class Audit {
    private static final Logger LOG = Logger.getLogger("digital.govuk.access.audit");
    static final String EVENT_NAMESPACE = "default";
    static final String COMPONENT = "engineer-access-operator";

    /**
     * Events waiting to be written, at most. A first start with 10,000 engineers records a change for
     * most of them within minutes, while the API server is busiest, and its Events wait: with a limit of 1,000 (what
     * client-go's event broadcaster keeps) 128 of 1,783 were not written at 2,000 engineers, so the limit is 10,000.
     * Beyond it an Event is not written; its log line always is, and that is the record never dropped.
     */
    static final int QUEUE_LIMIT = 10_000;

    private final KubernetesClient client;
    private final Clock clock;
    private final ThreadPoolExecutor writer;
    private final AtomicLong dropped = new AtomicLong();

    @Inject
    public Audit(KubernetesClient client, Clock clock) {
        this(client, clock, QUEUE_LIMIT);
    }

    /** With another limit than {@link #QUEUE_LIMIT} (tests). */
    Audit(KubernetesClient client, Clock clock, int queueLimit) {
        this.client = client;
        this.clock = clock;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(queueLimit), r -> {
            Thread t = new Thread(r, "access-events");
            t.setDaemon(true);
            return t;
        });
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
        write(EVENT_NAMESPACE, name, true, new ObjectReferenceBuilder().withApiVersion(ea.getApiVersion()).withKind(ea.getKind())
                .withName(name).withUid(ea.getMetadata().getUid()).withResourceVersion(ea.getMetadata().getResourceVersion()).build(),
                reason, warning, message);
    }

    /**
     * Records a change to a RoleBinding that no EngineerAccess explains (an orphan removed): the Event is in the
     * binding's namespace, about the binding, where {@code kubectl get events -n NAMESPACE} finds it.
     */
    public void record(RoleBinding rb, String engineer, String reason, String message) {
        String namespace = rb.getMetadata().getNamespace();
        LOG.infof("engineer=%s level=- namespaces=%s reason=%s message=\"%s\"", engineer == null ? "-" : engineer, namespace,
                reason, message);
        write(namespace, engineer == null ? rb.getMetadata().getName() : engineer, engineer != null, new ObjectReferenceBuilder()
                .withApiVersion("rbac.authorization.k8s.io/v1").withKind("RoleBinding").withNamespace(namespace)
                .withName(rb.getMetadata().getName()).withUid(rb.getMetadata().getUid()).build(), reason, true, message);
    }

    /** Records something about the operator as a whole (its clock): an Event on the AccessPolicy and a log line. */
    public void recordPolicy(String reason, boolean warning, String message) {
        LOG.infof("engineer=- level=- namespaces=- reason=%s message=\"%s\"", reason, message);
        write(EVENT_NAMESPACE, AccessPolicy.DEFAULT_NAME, false, new ObjectReferenceBuilder().withApiVersion(HasMetadata.getApiVersion(AccessPolicy.class))
                .withKind(HasMetadata.getKind(AccessPolicy.class)).withName(AccessPolicy.DEFAULT_NAME).build(), reason, warning, message);
    }

    private void write(String namespace, String name, boolean engineer, ObjectReference about, String reason, boolean warning, String message) {
        String now = StatusBuilder.shown(clock.instant());
        Event event = new EventBuilder()
                .withNewMetadata().withName(name + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
                .withNamespace(namespace).withLabels(engineer ? Map.of("access.govuk.digital/engineer", name) : Map.of()).endMetadata()
                .withInvolvedObject(about)
                .withReason(reason)
                .withMessage(message.length() > 1000 ? message.substring(0, 997) + "..." : message)
                .withType(warning ? "Warning" : "Normal")
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withReportingComponent(COMPONENT)
                .build();
        try {
            writer.execute(() -> create(event, reason, name));
        } catch (RejectedExecutionException e) {
            if (writer.isShutdown()) {
                LOG.warnf("could not write the %s Event for %s: the operator is stopping", reason, name);
            } else if (dropped.getAndIncrement() == 0) {
                LOG.warnf("Events are not being written: %d are waiting for the API server already; each change is still in"
                        + " this log (how many were not written follows when the queue has room again)", writer.getQueue().size());
            }
        }
    }

    private void create(Event event, String reason, String name) {
        try {
            client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
        } catch (RuntimeException e) {
            // An Event is a record, not the change itself: the log line above still holds it.
            LOG.warnf("could not write the %s Event for %s: %s", reason, name, e.getMessage());
        }
        long notWritten = dropped.getAndSet(0);
        if (notWritten > 0) {
            LOG.warnf("the Event queue has room again; %d Events were not written while it was full (their changes are in this log)", notWritten);
        }
    }

    /** Events not written since the queue was last full (tests). */
    long dropped() {
        return dropped.get();
    }

    /** Writes the Events still queued, for at most a few seconds, when the operator stops. */
    @PreDestroy
    void stop() {
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
