package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

class AuditTest {

    @Test
    void eventsBeyondTheLimitAreNotQueuedAndWritingStartsAgainWhenTheApiServerAnswers() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // An API server that takes each connection and never answers: the first Event's write waits.
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(server.accept());
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + server.getLocalPort()).withRequestTimeout(60_000)
                    .withRequestRetryBackoffLimit(0).build()).build();
            try (client) {
                Audit audit = new Audit(client, Clock.systemUTC(), 2);
                audit.recordPolicy("First", false, "being written");
                await().atMost(Duration.ofSeconds(10)).until(() -> !held.isEmpty());
                for (int i = 0; i < 5; i++) {
                    audit.recordPolicy("Next" + i, false, "queued or not");
                }
                // One being written, two waiting, three not written.
                assertThat(audit.dropped()).isEqualTo(3);

                // The API server goes away: the waiting writes fail at once, and the count starts again.
                for (Socket s : held) {
                    s.close();
                }
                server.close();
                await().atMost(Duration.ofSeconds(30)).until(() -> audit.dropped() == 0);
                audit.stop();
            }
        }
    }
}
