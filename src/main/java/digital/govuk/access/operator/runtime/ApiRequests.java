package digital.govuk.access.operator.runtime;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * Counts the operator's requests to the API server by verb, resource and answer, as
 * {@code engineer_access_api_requests_total{verb,resource,code}} (the Fabric8 client has no metrics of its
 * own). The operator's client is Quarkus' own, with this counter added to it.
 */
@Singleton
public class ApiRequests implements Interceptor {
    private static final Logger LOG = Logger.getLogger(ApiRequests.class);
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public ApiRequests(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The Kubernetes client every part of the operator uses: Quarkus' configuration and Vert.x, plus this counter,
     * with ChaCha20 offered first ({@link ChaChaFirst}) and a connection that says nothing for {@code silence} closed
     * ({@link SilentConnections}).
     */
    @Produces
    @Singleton
    KubernetesClient client(Config config, KubernetesSerialization serialization, Vertx vertx,
            @ConfigProperty(name = "engineer-access.api.silence", defaultValue = "75s") Duration silence) {
        String advice = SilentConnections.advice(silence);
        if (advice != null) {
            LOG.warn(advice);
        }
        return new KubernetesClientBuilder().withKubernetesSerialization(serialization).withConfig(config)
                .withHttpClientFactory(new ChaChaFirst(SilentConnections.closedAfter(vertx, silence)))
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("engineer-access-api-requests", this)).build();
    }

    void close(@Disposes KubernetesClient client) {
        client.close();
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        count(request, String.valueOf(response.code()));
    }

    @Override
    public void afterConnectionFailure(HttpRequest request, Throwable failure) {
        count(request, "unreachable");
    }

    private void count(HttpRequest request, String code) {
        URI uri = request.uri();
        String verb = verb(request.method(), uri);
        String resource = resource(uri.getPath());
        // Counted on the client's I/O threads, for every request: the counter is looked up once per verb, resource and code.
        counters.computeIfAbsent(verb + " " + resource + " " + code, k -> Counter.builder("engineer.access.api.requests")
                .description("Requests to the API server, by verb, resource and answer")
                .tag("verb", verb).tag("resource", resource).tag("code", code).register(registry)).increment();
    }

    /** The Kubernetes verb: get, list, watch, create, update, patch or delete. */
    static String verb(String method, URI uri) {
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        return switch (method) {
            case "GET" -> query.contains("watch=true") ? "watch" : isCollection(uri.getPath()) ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * The resource a path names, with its subresource: {@code rolebindings}, {@code engineeraccesses/status},
     * or the path itself for other endpoints ({@code /version}, {@code /readyz}).
     */
    static String resource(String path) {
        String[] p = resourcePath(path);
        if (p == null) {
            return path;
        }
        // p: resource [name [subresource]]
        return p.length >= 3 ? p[0] + "/" + p[2] : p[0];
    }

    private static boolean isCollection(String path) {
        String[] p = resourcePath(path);
        return p != null && p.length == 1;
    }

    /** The path after /api/VERSION or /apis/GROUP/VERSION, and after namespaces/NS when namespaced; null if none. */
    private static String[] resourcePath(String path) {
        String[] parts = path.replaceAll("^/+", "").split("/");
        int i;
        if (parts.length >= 3 && parts[0].equals("api")) {
            i = 2;
        } else if (parts.length >= 4 && parts[0].equals("apis")) {
            i = 3;
        } else {
            return null;
        }
        if (parts.length > i + 2 && parts[i].equals("namespaces")) {
            i += 2;
        }
        return java.util.Arrays.copyOfRange(parts, i, parts.length);
    }
}
