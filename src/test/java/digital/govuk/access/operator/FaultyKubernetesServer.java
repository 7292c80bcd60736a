package digital.govuk.access.operator;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The Fabric8 mock server in CRUD mode behind a {@link FaultInjector}, for the tests that make the world
 * hostile. The operator's client goes through the faults; {@link #client()}, the tests' own, never does.
 * A test class that needs a server of its own (a long run that leaves much behind) gives an init argument
 * {@code purpose}: Quarkus then starts a new server and operator for it.
 */
public class FaultyKubernetesServer implements QuarkusTestResourceLifecycleManager {
    /** How long the operator's client waits for an answer here (a SLOW fault waits longer). */
    static final java.time.Duration REQUEST_TIMEOUT = java.time.Duration.ofSeconds(2);

    private static KubernetesMockServer server;
    private static FaultInjector faults;
    private static KubernetesClient client;
    private final Map<String, String> properties = new HashMap<>();

    @Override
    public Map<String, String> start() {
        faults = new FaultInjector(new KubernetesCrudDispatcher(List.of()));
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(), faults, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        String url = server.createClient().getConfiguration().getMasterUrl();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withTrustCerts(true).withNamespace("test")
                .withCustomHeaders(Map.of(FaultInjector.FAULT_FREE, "yes"))
                // Patient: on a busy machine the mock server can take seconds to answer, and these requests are the test's own.
                .withRequestTimeout(60_000).build();
        client = new KubernetesClientBuilder().withConfig(config).build();

        properties.clear();
        properties.put("kubernetes.master", url);
        properties.put("kubernetes.trust.certificates", "true");
        properties.put("kubernetes.auth.tryKubeConfig", "false");
        properties.put("kubernetes.auth.tryServiceAccount", "false");
        properties.put("kubernetes.namespace", "test");
        properties.put("kubernetes.request.timeout", String.valueOf(REQUEST_TIMEOUT.toMillis()));
        properties.put("http2.disable", "true");
        // As system properties, as Quarkus' own mock-server resource does: the client reads them when it is
        // built, and stop() takes them away again, so the next test resource's server is used after this one.
        properties.forEach(System::setProperty);
        return Map.copyOf(properties);
    }

    @Override
    public void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.destroy();
        }
        // Another test resource may have started already and set these for its own server: leave those alone.
        properties.forEach((key, value) -> {
            if (value.equals(System.getProperty(key))) {
                System.clearProperty(key);
            }
        });
    }

    static FaultInjector faults() {
        return faults;
    }

    /** The tests' own client: its requests are never failed, delayed or held. */
    public static KubernetesClient client() {
        return client;
    }

    static KubernetesMockServer server() {
        return server;
    }
}
