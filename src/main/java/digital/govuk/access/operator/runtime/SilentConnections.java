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

    /** The API server sends each watch a bookmark roughly every minute; a limit must leave room for one to arrive. */
    static final Duration BOOKMARKS = Duration.ofSeconds(60);

    /**
     * What to say about a {@code silence} that would cut healthy watches (shorter than the API server's bookmark period
     * plus a margin), or null when there is nothing to say.
     */
    static String advice(Duration silence) {
        if (silence.isZero() || silence.isNegative() || silence.compareTo(BOOKMARKS.plusSeconds(5)) >= 0) {
            return null;
        }
        return "engineer-access.api.silence is " + silence.toSeconds() + " s, shorter than the minute between the API server's"
                + " bookmarks: every quiet watch will be cut and started again, and one whose version grows older than etcd"
                + " keeps will list everything again; 75 s (the default) or more is safe";
    }

    /** Sets the read idle timeout of {@code options} to {@code seconds}, in the unit the options already use for idle timeouts. */
    static void limit(HttpClientOptions options, int seconds) {
        long inUnit = options.getIdleTimeoutUnit().convert(Duration.ofSeconds(seconds));
        options.setReadIdleTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, inUnit)));
    }
}
