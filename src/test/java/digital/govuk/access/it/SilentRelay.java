package digital.govuk.access.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay on 127.0.0.1 in front of the API server, whose open connections can be made to go silent: bytes
 * stop passing either way and neither end is told (no close, no reset), as when a path through the network dies or
 * an API server's host disappears. A connection opened afterwards is relayed as usual, as one to a live API server
 * would be. TLS passes through untouched, so the client still checks the API server's certificate.
 */
final class SilentRelay implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Pipe> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "silent-relay");
        t.setDaemon(true);
        return t;
    });

    private SilentRelay(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    /** A relay to the host and port of {@code url} (an https address). */
    static SilentRelay to(String url) {
        URI uri = URI.create(url);
        try {
            return new SilentRelay(new InetSocketAddress(uri.getHost(), uri.getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** {@code url} with its port replaced by the relay's. */
    String address(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + ":" + port();
    }

    /** Silences every connection open now; returns how many. Their bytes are read and dropped from then on. */
    int silence() {
        int n = 0;
        for (Pipe p : open) {
            p.silent = true;
            n++;
        }
        return n;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5_000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                Pipe p = new Pipe(client, upstream);
                open.add(p);
                threads.submit(() -> p.pump(client, upstream));
                threads.submit(() -> p.pump(upstream, client));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("silent relay: " + e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(Pipe::close);
        threads.shutdownNow();
    }

    /** One relayed connection: the client's socket and the one to the API server. */
    private final class Pipe {
        final Socket a;
        final Socket b;
        volatile boolean silent;

        Pipe(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!silent) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side closed: close the other
            } finally {
                if (!silent) {
                    close();
                }
            }
        }

        void close() {
            open.remove(this);
            try {
                a.close();
            } catch (IOException e) {
                // already closed
            }
            try {
                b.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
