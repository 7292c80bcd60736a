package digital.govuk.access.operator.runtime;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

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
 * failure means the start cannot work (decision 72): no API server answers, its certificate is not trusted, it refuses
 * the operator's credentials or rights, or it does not serve the operator's resources. JOSDK would then stop the
 * process in words that name Java classes, with stack traces; instead the operator says in one sentence what is
 * wrong and what to check, and exits with status 1 at once, so its pod starts again as before. The management port
 * (health, metrics) is served only once the start is over. Stopped meanwhile (SIGTERM), the process ends at once:
 * nothing has started, and the JVM's shutdown would otherwise wait for the start to end.
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
            Check check = awaitServed(type);
            if (check.stopped()) {
                LOG.infof("stopped while waiting for the API server to serve %s: the operator did not start", HasMetadata.getPlural(type));
                // 143, as the JVM ends on SIGTERM.
                Runtime.getRuntime().halt(143);
            }
            if (check.problem() != null) {
                LOG.errorf("cannot start: %s. The operator stops (exit status 1), and its pod starts again.", check.problem());
                // Nothing has started; the JVM's shutdown would wait for this start to end.
                Runtime.getRuntime().halt(1);
            }
        }
        // If the lists run out of time, JOSDK's words name Java classes: this says beforehand, plainly, what will happen.
        LOG.infof("filling the caches: every EngineerAccess, AccessPolicy, managed RoleBinding and namespace is listed;"
                + " if that takes more than %s the operator stops (\"Informer startup error\") and its pod starts again"
                + " (decision 66)", inWords(cacheSync));
    }

    /** 9 min, 570 s, 2.5 s: as a person would write it. */
    public static String inWords(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + " min";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMillis() / 1e3 + " s";
    }

    /** What the check found: served, the process stopped while it waited, or why the start cannot work. */
    record Check(boolean stopped, String problem) {
        static final Check SERVED = new Check(false, null);
        static final Check STOPPED = new Check(true, null);
    }

    /** Waits while the API server answers a list of {@code type} with 429. */
    Check awaitServed(Class<? extends HasMetadata> type) {
        String plural = HasMetadata.getPlural(type);
        for (int tries = 0;; tries++) {
            try {
                client.resources(type).list(new ListOptionsBuilder().withResourceVersion("0").withLabelSelector(SELECTS_NOTHING)
                        .withLimit(1L).build());
                if (tries > 0) {
                    LOG.infof("the API server serves %s now", plural);
                }
                return Check.SERVED;
            } catch (RuntimeException e) {
                if (!(e instanceof KubernetesClientException k) || k.getCode() != 429) {
                    return new Check(false, problem(HasMetadata.getFullResourceName(type), client.getConfiguration().getMasterUrl(), e));
                }
                if (tries % SAY_EVERY == 0) {
                    LOG.infof("waiting for the API server to serve %s before starting (it answers \"%s\", as it does while it"
                            + " loads them, for example just after their CRD was created); asking again every %d ms", plural,
                            ApiErrors.inWords(k), pause.toMillis());
                }
            }
            for (long waited = 0; waited < pause.toMillis(); waited += 50) {
                if (ApplicationLifecycleManager.isVmShuttingDown()) {
                    return Check.STOPPED;
                }
                try {
                    Thread.sleep(Math.min(50, pause.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Check.STOPPED;
                }
            }
        }
    }

    /**
     * Why a list of {@code resource} from the API server at {@code server} failed, in words, with what to check:
     * no Java class names, since an operator that cannot start says only this.
     */
    static String problem(String resource, String server, RuntimeException e) {
        String at = "the API server at " + server;
        if (e instanceof KubernetesClientException k && k.getCode() > 0 && !ApiErrors.unreachable(k)) {
            return switch (k.getCode()) {
                case 401 -> at + " does not accept the operator's credentials (401 Unauthorized): check the token it was given"
                        + " (in a pod, its ServiceAccount's)";
                case 403 -> at + " does not let the operator list " + resource + " (" + ApiErrors.inWords(k) + "): the chart's"
                        + " ClusterRole grants that right; check that it is installed and bound to the operator's ServiceAccount";
                case 404 -> at + " does not serve " + resource + ": the operator's CRDs are not installed (the chart installs"
                        + " them unless crds.enabled is false)";
                default -> at + " answered " + k.getCode() + " to a list of " + resource + ": " + ApiErrors.inWords(k);
            };
        }
        URI uri = URI.create(server);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return at + " cannot be reached: the host name " + uri.getHost() + " is not known (the cluster's DNS, or the"
                        + " server named in the kubeconfig)";
            }
            if (t instanceof ConnectException) {
                return at + " cannot be reached: nothing answers at " + uri.getHost() + ":" + port(uri) + " (connection refused)";
            }
            if (t instanceof SSLException) {
                return at + " cannot be used: the TLS handshake failed, " + (untrusted(t)
                        ? "since its certificate is not signed by the certificate authority the operator trusts (the kubeconfig's"
                                + " certificate-authority, or in a pod the ServiceAccount's ca.crt)"
                        : "with no certificate problem named; check that the address is the API server's");
            }
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException
                    || String.valueOf(t.getMessage()).contains("timeout period")) {
                return at + " cannot be reached: no answer within the request timeout (the network between the pod and the"
                        + " API server, or a firewall)";
            }
        }
        return at + " cannot be reached";
    }

    /** Whether a failed handshake, or what caused it, says the certificate could not be checked against the trusted authorities. */
    private static boolean untrusted(Throwable handshake) {
        for (Throwable c = handshake; c != null; c = c.getCause()) {
            String message = String.valueOf(c.getMessage());
            if (c instanceof CertificateException || message.contains("PKIX") || message.contains("certification path")) {
                return true;
            }
        }
        return false;
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
    }
}
