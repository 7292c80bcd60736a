package digital.govuk.access.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;

class SilentConnectionsTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void everyHttpClientItCreatesClosesAConnectionThatSaysNothing() {
        HttpClientOptions options = new HttpClientOptions().setIdleTimeoutUnit(TimeUnit.SECONDS);
        SilentConnections.closedAfter(vertx, Duration.ofSeconds(75)).createHttpClient(options);
        assertThat(options.getReadIdleTimeout()).isEqualTo(75);
        // In whatever unit the client chose for its idle timeouts.
        HttpClientOptions inMillis = new HttpClientOptions().setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        SilentConnections.closedAfter(vertx, Duration.ofSeconds(75)).createHttpClient(inMillis);
        assertThat(inMillis.getReadIdleTimeout()).isEqualTo(75_000);
        // Everything else is the Vert.x instance it wraps.
        assertThat(SilentConnections.closedAfter(vertx, Duration.ofSeconds(75)).isClustered()).isEqualTo(vertx.isClustered());
    }

    @Test
    void aLimitThatWouldCutHealthyWatchesIsSaid() {
        assertThat(SilentConnections.advice(Duration.ofSeconds(30))).startsWith("engineer-access.api.silence is 30 s, shorter than the"
                + " minute between the API server's bookmarks: every quiet watch will be cut");
        assertThat(SilentConnections.advice(Duration.ofSeconds(64))).isNotNull();
        assertThat(SilentConnections.advice(Duration.ofSeconds(65))).isNull();
        assertThat(SilentConnections.advice(Duration.ofSeconds(75))).isNull();
        assertThat(SilentConnections.advice(Duration.ZERO)).as("off").isNull();
    }

    @Test
    void zeroLeavesVertxAsItIs() {
        assertThat(SilentConnections.closedAfter(vertx, Duration.ZERO)).isSameAs(vertx);
    }

    /** A watch whose server goes quiet, as a dead connection does: the client closes it, and the watch's owner is told. */
    @Test
    void aResponseThatStopsComingIsClosedAfterTheSilence() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    // The start of an endless answer, as a watch's, then nothing, and the socket kept open.
                    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    while (in.read() >= 0) {
                        // wait for the client to close
                    }
                } catch (Exception e) {
                    // the client closed
                }
            });
            HttpClient client = SilentConnections.closedAfter(vertx, Duration.ofSeconds(1))
                    .createHttpClient(new HttpClientOptions().setIdleTimeoutUnit(TimeUnit.SECONDS));
            CompletableFuture<String> ended = new CompletableFuture<>();
            StringBuilder body = new StringBuilder();
            client.request(HttpMethod.GET, server.getLocalPort(), "127.0.0.1", "/watch").compose(r -> r.send()).onSuccess(response -> {
                response.handler(b -> body.append(b.toString()));
                response.exceptionHandler(e -> ended.complete("closed: " + e.getMessage()));
                response.endHandler(v -> ended.complete("ended"));
            }).onFailure(e -> ended.complete("failed: " + e.getMessage()));

            assertThat(ended.get(20, TimeUnit.SECONDS)).startsWith("closed");
            assertThat(body.toString()).isEqualTo("hello");
            served.get(20, TimeUnit.SECONDS);
        }
    }
}
