package digital.govuk.access.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Decision 71 on a real kube-apiserver: the operator's connections to the API server go silent (no bytes either way,
 * and no close), as when the host of the API server it was connected to disappears. Its watches then see nothing:
 * without a limit on how long a connection may stay silent, an edit that withdraws access is not seen until the
 * client gives up on the watch, 5 to 10 minutes later. The API server sends every watch a bookmark each minute, so a
 * connection that has said nothing for longer than {@code engineer-access.api.silence} is closed and opened again.
 */
class SilentConnectionIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** The chart's setting, 75 s, then a watch opened again, a fresh read and the delete; the margin is for a busy CI. */
    static final Duration WITHIN = Duration.ofSeconds(120);

    static KubernetesClient admin;
    static SilentRelay relay;
    static OperatorProcess operator;

    @BeforeAll
    static void start() throws IOException {
        admin = InstalledCluster.get().admin;
        Path direct = InstalledCluster.get().operatorKubeconfig;
        String url = admin.getConfiguration().getMasterUrl().replaceAll("/+$", "");
        relay = SilentRelay.to(url);
        Path relayed = direct.resolveSibling("silent-relay.kubeconfig");
        String config = Files.readString(direct);
        assertThat(config).contains(url);
        Files.writeString(relayed, config.replace(url, relay.address(url)));
        operator = OperatorProcess.start("silent-connection", relayed, InstalledCluster.LOGS, Map.of("ENGINEER_ACCESS_LEADER_ELECTION", "false"));
        operator.awaitLog("'engineeraccess' controller started", WAIT);
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void anExceptionWithdrawnWhileTheOperatorsConnectionsAreSilentIsStillRemoved() {
        admin.resource(HostileClusterIT.exceptionEngineer("sid", Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(2)))).create();
        await().atMost(WAIT).until(() -> binding("apps", "sid-admin") != null && binding("platform", "sid-admin") != null);
        // Every connection the operator has open goes silent: its watches, and any it keeps for requests.
        HostileClusterIT.sleep(Duration.ofSeconds(2));
        int silenced = relay.silence();
        assertThat(silenced).as("the operator's connections, its watches among them").isGreaterThanOrEqualTo(4);

        // The exception is withdrawn: the Admin access must end, though nothing the operator watches tells it so.
        Instant withdrawn = Instant.now();
        HostileClusterIT.edit(admin.resources(EngineerAccess.class).withName("sid"), ea -> {
            ea.getSpec().exceptions = new ArrayList<>();
            return ea;
        });
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(250))
                .until(() -> binding("apps", "sid-admin") == null && binding("platform", "sid-admin") == null);
        Duration took = Duration.between(withdrawn, Instant.now());
        System.out.printf("silent connections: %d connections went silent; the withdrawn exception's bindings removed %d ms after the edit%n",
                silenced, took.toMillis());
        assertThat(binding("apps", "sid-deploy")).as("the Deploy access it still has stays").isNotNull();
        admin.resources(EngineerAccess.class).withName("sid").delete();
    }

    static RoleBinding binding(String namespace, String name) {
        return admin.rbac().roleBindings().inNamespace(namespace).withName(name).get();
    }
}
