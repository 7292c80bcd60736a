package digital.govuk.access.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaChaFirstTest {
    /** What the client (Netty's defaults) sets on each connection: AES only. */
    private static final String[] AES_ONLY = {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};

    @TempDir
    static Path dir;
    private static SSLContext server;
    private static SSLContext client;

    @Test
    void chaCha20ComesFirstAndNothingElseChanges() {
        String[] supported = {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"};
        assertThat(ChaChaFirst.ordered(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"}, supported))
                .containsExactly("TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256");
        // Already there, after AES: moved to the front, not repeated.
        assertThat(ChaChaFirst.ordered(new String[] {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}, supported))
                .containsExactly("TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256");
        // A JVM without ChaCha20: the list as asked.
        assertThat(ChaChaFirst.ordered(AES_ONLY, new String[] {"TLS_AES_128_GCM_SHA256"})).containsExactly(AES_ONLY);
    }

    @Test
    void anEngineGivenAesOnlyOffersChaCha20FirstAndTheServerTakesIt() throws Exception {
        SSLEngine engine = ChaChaFirst.wrap(client).createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        engine.setEnabledCipherSuites(AES_ONLY);
        assertThat(engine.getEnabledCipherSuites()[0]).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
        assertThat(handshake(engine, serverEngine(null))).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    }

    @Test
    void theSameThroughSslParameters() throws Exception {
        SSLEngine engine = ChaChaFirst.wrap(client).createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setCipherSuites(AES_ONLY);
        params.setEndpointIdentificationAlgorithm(null);
        engine.setSSLParameters(params);
        assertThat(handshake(engine, serverEngine(null))).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    }

    @Test
    void aServerWithoutChaCha20StillConnectsWithAes() throws Exception {
        SSLEngine engine = ChaChaFirst.wrap(client).createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        engine.setEnabledCipherSuites(AES_ONLY);
        assertThat(handshake(engine, serverEngine(new String[] {"TLS_AES_256_GCM_SHA384"}))).isEqualTo("TLS_AES_256_GCM_SHA384");
    }

    @Test
    void withoutTheWrapperTheSameClientUsesAes() throws Exception {
        SSLEngine engine = client.createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        engine.setEnabledCipherSuites(AES_ONLY);
        assertThat(handshake(engine, serverEngine(null))).startsWith("TLS_AES_");
    }

    /** A server that takes the client's first choice among {@code suites} (all it supports when null), as Go does. */
    private static SSLEngine serverEngine(String[] suites) {
        SSLEngine engine = server.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters params = engine.getSSLParameters();
        params.setUseCipherSuitesOrder(false);
        if (suites != null) {
            params.setCipherSuites(suites);
        }
        engine.setSSLParameters(params);
        return engine;
    }

    /** Shakes hands in memory; the suite agreed. */
    private static String handshake(SSLEngine client, SSLEngine server) throws Exception {
        int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(size * 4);
        ByteBuffer toClient = ByteBuffer.allocate(size * 4);
        ByteBuffer clientApp = ByteBuffer.allocate(size * 4);
        ByteBuffer serverApp = ByteBuffer.allocate(size * 4);
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int step = 0; step < 200 && !(done(client) && done(server)); step++) {
            shake(client, empty, toServer, toClient, clientApp);
            shake(server, empty, toClient, toServer, serverApp);
        }
        assertThat(done(client) && done(server)).as("handshake finished").isTrue();
        assertThat(client.getSession().getCipherSuite()).isEqualTo(server.getSession().getCipherSuite());
        return client.getSession().getCipherSuite();
    }

    private static void shake(SSLEngine engine, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws Exception {
        HandshakeStatus status = engine.getHandshakeStatus();
        if (status == HandshakeStatus.NEED_TASK) {
            for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                task.run();
            }
        } else if (status == HandshakeStatus.NEED_WRAP) {
            engine.wrap(empty, out);
        } else if (status == HandshakeStatus.NEED_UNWRAP || status == HandshakeStatus.NEED_UNWRAP_AGAIN) {
            in.flip();
            engine.unwrap(in, app);
            in.compact();
        }
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus s = engine.getHandshakeStatus();
        return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
    }

    @BeforeAll
    static void keys() throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-validity", "3650",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "secret", "-keypass", "secret")
                .redirectErrorStream(true).start();
        String said = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(said).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            keys.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "secret".toCharArray());
        server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        assertThat(Files.exists(store)).isTrue();
        assertThat(List.of(client.getSupportedSSLParameters().getCipherSuites())).contains("TLS_CHACHA20_POLY1305_SHA256");
    }
}
