package digital.govuk.access.operator.runtime;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;

/**
 * A connection to the API server that has received nothing for a while is closed, and the client opens a new one
 * (decision 71).
 * <p>
 * A connection can die without either end being told: the API server's host disappears, or a path through the
 * network drops it. A watch on such a connection receives nothing, and looks exactly like a watch on a quiet cluster,
 * so an edit that withdraws access is not seen. The Fabric8 client only gives up on a watch when its own timer says
 * the watch should have ended, 5 to 10 minutes after it began, and its requests wait for their own timeout on every
 * pooled connection that died. The API server sends every watch a bookmark each minute (Kubernetes 1.27 and later,
 * when the watch asks for bookmarks, as Fabric8's do), so a connection that has received nothing for longer than
 * that is dead, or its API server is in trouble: it is closed. A watch then starts again from the last version it
 * saw (no list, nothing missed), and a request goes on a new connection.
 * <p>
 * The client builds its Vert.x HTTP client itself and offers no setting for this, so the Vert.x instance it is given
 * sets a read idle timeout on the options of every HTTP client it creates, and does everything else as the instance
 * it wraps.
 */
public final class SilentConnections {
    private SilentConnections() {
    }

    /**
     * {@code vertx}, except that every HTTP client it creates closes a connection that has received nothing for
     * {@code silence} (whole seconds, at least 1). A zero {@code silence} leaves {@code vertx} as it is.
     */
    public static Vertx closedAfter(Vertx vertx, Duration silence) {
        if (silence.isZero() || silence.isNegative()) {
            return vertx;
        }
        int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, silence.toSeconds()));
        return (Vertx) Proxy.newProxyInstance(Vertx.class.getClassLoader(), new Class<?>[] {Vertx.class}, (proxy, method, args) -> {
            if (method.getName().equals("createHttpClient") && args != null) {
                for (Object arg : args) {
                    if (arg instanceof HttpClientOptions options) {
                        limit(options, seconds);
                    }
                }
            }
            try {
                return method.invoke(vertx, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** Sets the read idle timeout of {@code options} to {@code seconds}, in the unit the options already use for idle timeouts. */
    static void limit(HttpClientOptions options, int seconds) {
        long inUnit = options.getIdleTimeoutUnit().convert(Duration.ofSeconds(seconds));
        options.setReadIdleTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, inUnit)));
    }
}
