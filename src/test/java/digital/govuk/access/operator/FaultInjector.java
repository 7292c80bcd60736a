package digital.govuk.access.operator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;

/**
 * Wraps the mock server's CRUD dispatcher and makes it hostile:
 * <ul>
 * <li>random faults, from a seed, on a share of the requests: 500, 409 conflict, 429 with Retry-After, a
 * response slower than the client's timeout (after the change was made, so the client cannot know whether
 * it was); and watch connections dropped ({@link #dropWatches}), whose events are delivered when the client
 * watches again;</li>
 * <li>scripted faults: requests matching a rule get the rule's answer;</li>
 * <li>mutations: the body of requests matching one is rewritten before it is stored, as a mutating admission
 * webhook or policy would;</li>
 * <li>held watches: events for one resource type are held back, and released later in order, as a slow
 * watch would deliver them.</li>
 * </ul>
 * Requests that carry the header {@link #FAULT_FREE} (the tests' own client) are never touched.
 */
public class FaultInjector extends Dispatcher {
    public static final String FAULT_FREE = "X-Fault-Free";

    public enum Fault {
        SERVER_ERROR, CONFLICT, TOO_MANY_REQUESTS, SLOW, WATCH_DROPPED
    }

    /** A scripted answer: when {@code matches}, reply with {@code code} instead of doing the request. */
    public record Rule(String name, Predicate<RecordedRequest> matches, int code) {
    }

    /** A rewrite: when {@code matches}, the request's body is {@code body} of it before the request is done. */
    public record Mutation(String name, Predicate<RecordedRequest> matches, UnaryOperator<String> body) {
    }

    private final Dispatcher crud;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Mutation> mutations = new CopyOnWriteArrayList<>();
    private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
    private final AtomicLong requests = new AtomicLong();
    /** The operator's requests, as "METHOD path", in the order they came. */
    private final List<String> log = new ArrayList<>();
    private final List<HeldSocket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> heldResources = new CopyOnWriteArrayList<>();
    private volatile boolean discardEvents;
    private volatile double rate;
    private volatile Random random = new Random(0);
    private volatile Duration slowBy = Duration.ofSeconds(4);

    public FaultInjector(Dispatcher crud) {
        this.crud = crud;
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicLong());
        }
    }

    /** Fails {@code rate} (0 to 1) of the operator's requests at random, from {@code seed}. */
    public synchronized void random(double rate, long seed) {
        this.random = new Random(seed);
        this.rate = rate;
    }

    /**
     * Accepts the operator's Events without keeping them. The mock server looks through every object it holds
     * for every request, so thousands of Events would slow a long run down to a crawl.
     */
    public void discardEvents(boolean discard) {
        discardEvents = discard;
    }

    public void slowBy(Duration d) {
        slowBy = d;
    }

    public Rule rule(String name, Predicate<RecordedRequest> matches, int code) {
        Rule r = new Rule(name, matches, code);
        rules.add(r);
        return r;
    }

    public void remove(Rule r) {
        rules.remove(r);
    }

    public Mutation mutate(String name, Predicate<RecordedRequest> matches, UnaryOperator<String> body) {
        Mutation m = new Mutation(name, matches, body);
        mutations.add(m);
        return m;
    }

    public void remove(Mutation m) {
        mutations.remove(m);
    }

    /** Holds back watch events for resources whose path contains {@code resource} (for example "engineeraccesses"). */
    public void holdWatch(String resource) {
        heldResources.add(resource);
    }

    /** Delivers the held events, in order, and stops holding. */
    public void releaseWatch(String resource) {
        heldResources.remove(resource);
        for (HeldSocket s : sockets) {
            s.flush();
        }
    }

    /**
     * Closes every open watch connection of the operator, as a restarted API server or a load balancer would.
     * The events that follow are delivered when the operator watches again.
     */
    public int dropWatches() {
        int n = 0;
        for (HeldSocket s : sockets) {
            if (!s.dropped) {
                s.drop();
                n++;
            }
        }
        injected.get(Fault.WATCH_DROPPED).addAndGet(n);
        return n;
    }

    /** Everything off: no random faults, no rules, nothing held. */
    public void reset() {
        rate = 0;
        discardEvents = false;
        rules.clear();
        List<String> held = new ArrayList<>(heldResources);
        held.forEach(this::releaseWatch);
    }

    public long injected(Fault f) {
        return injected.get(f).get();
    }

    public long requests() {
        return requests.get();
    }

    /** A place in the log of the operator's requests, for {@link #since}. */
    public int mark() {
        synchronized (log) {
            return log.size();
        }
    }

    /** The operator's requests since {@code mark}, as "METHOD path". */
    public List<String> since(int mark) {
        synchronized (log) {
            return new ArrayList<>(log.subList(mark, log.size()));
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (request.getHeader(FAULT_FREE) != null) {
            return watched(request, crud.dispatch(request));
        }
        requests.incrementAndGet();
        synchronized (log) {
            log.add(request.getMethod() + " " + request.getPath());
        }
        for (Rule r : rules) {
            if (r.matches().test(request)) {
                return status(r.code(), "refused by the test rule " + r.name());
            }
        }
        for (Mutation m : mutations) {
            if (m.matches().test(request)) {
                request = new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(),
                        new Buffer(m.body().apply(body(request)).getBytes(StandardCharsets.UTF_8)));
            }
        }
        boolean watch = isWatch(request);
        Fault fault = pick(watch);
        if (fault == null && discardEvents && request.getMethod().equals("POST") && request.getPath().matches("/api/v1/namespaces/[^/]+/events")) {
            return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json").setBody(body(request));
        }
        if (fault == null) {
            return watched(request, crud.dispatch(request));
        }
        injected.get(fault).incrementAndGet();
        return switch (fault) {
            case SERVER_ERROR -> status(500, "injected: internal error");
            case CONFLICT -> status(409, "injected: the object has been modified; please apply your changes to the latest version");
            case TOO_MANY_REQUESTS -> status(429, "injected: too many requests").setHeader("Retry-After", "1");
            case SLOW -> crud.dispatch(request).setBodyDelay(slowBy);
            case WATCH_DROPPED -> throw new IllegalStateException("watch faults are dropped connections, not refusals");
        };
    }

    @Override
    public void shutdown() {
        crud.shutdown();
    }

    private synchronized Fault pick(boolean watch) {
        if (rate <= 0 || random.nextDouble() >= rate) {
            return null;
        }
        if (watch) {
            // A refused watch makes the informer list again, and the mock server cannot replay the events between
            // that list and the next watch; dropped connections (dropWatches) are the watch faults here.
            return null;
        }
        Fault[] kinds = {Fault.SERVER_ERROR, Fault.CONFLICT, Fault.TOO_MANY_REQUESTS, Fault.SLOW};
        return kinds[random.nextInt(kinds.length)];
    }

    /** The request's body as text, read without consuming it (the CRUD dispatcher reads it afterwards). */
    public static String body(RecordedRequest r) {
        return r.getBody() == null ? "" : new String(r.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    static boolean isWatch(RecordedRequest r) {
        return r.getPath() != null && r.getPath().contains("watch=true");
    }

    static MockResponse status(int code, String message) {
        String reason = switch (code) {
            case 409 -> "Conflict";
            case 429 -> "TooManyRequests";
            case 403 -> "Forbidden";
            case 410 -> "Expired";
            default -> "InternalError";
        };
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"" + message
                        + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}");
    }

    /**
     * A watch response whose events pass through a {@link HeldSocket}: held back on request, and kept when the
     * connection is dropped, to be delivered on the client's next watch of the same thing, as a real API
     * server delivers the events after the resourceVersion a re-established watch asks from.
     */
    private MockResponse watched(RecordedRequest request, MockResponse response) {
        WebSocketListener inner = response.getWebSocketListener();
        if (inner == null) {
            return response;
        }
        String path = request.getPath();
        String key = watchKey(path);
        boolean operator = request.getHeader(FAULT_FREE) == null;
        return response.withWebSocketUpgrade(new WebSocketListener() {
            HeldSocket held;

            @Override
            public void onOpen(WebSocket ws, Response r) {
                held = new HeldSocket(ws, path, key, inner);
                if (!operator) {
                    inner.onOpen(held, r);
                    return;
                }
                held.waiting = true;
                inner.onOpen(held, r);
                List<HeldSocket> dropped = sockets.stream().filter(s -> s.dropped && s.key.equals(key)).toList();
                sockets.removeAll(dropped);
                sockets.add(held);
                for (HeldSocket old : dropped) {
                    for (String text : old.detach()) {
                        ws.send(text);
                    }
                }
                held.startSending();
            }

            @Override
            public void onClosing(WebSocket ws, int code, String reason) {
                if (held == null || !held.dropped) {
                    inner.onClosing(ws, code, reason);
                }
            }

            @Override
            public void onClosed(WebSocket ws, int code, String reason) {
                if (held == null || !held.dropped) {
                    sockets.remove(held);
                    inner.onClosed(ws, code, reason);
                }
            }

            @Override
            public void onFailure(WebSocket ws, Throwable t, Response r) {
                if (held == null || !held.dropped) {
                    sockets.remove(held);
                    inner.onFailure(ws, t, r);
                }
            }

            @Override
            public void onMessage(WebSocket ws, String text) {
                inner.onMessage(ws, text);
            }
        });
    }

    /** What a watch watches: its path without the parameters that change from one connection to the next. */
    static String watchKey(String path) {
        return path.replaceAll("([?&])(resourceVersion|timeoutSeconds|allowWatchBookmarks)=[^&]*", "$1");
    }

    /**
     * A watch socket. While its resource is held, or while it is {@code waiting} for the events of a dropped
     * connection to be delivered first, events are queued. Once {@code dropped}, the client is gone: events are
     * kept for its next watch, which takes them ({@link #detach}).
     */
    private final class HeldSocket implements WebSocket {
        final WebSocket socket;
        final String path;
        final String key;
        final WebSocketListener inner;
        final List<String> queue = new ArrayList<>();
        volatile boolean waiting;
        volatile boolean dropped;
        boolean detached;

        HeldSocket(WebSocket socket, String path, String key, WebSocketListener inner) {
            this.socket = socket;
            this.path = path;
            this.key = key;
            this.inner = inner;
        }

        boolean held() {
            return waiting || dropped || heldResources.stream().anyMatch(path::contains);
        }

        @Override
        public RecordedRequest request() {
            return socket.request();
        }

        @Override
        public synchronized boolean send(String text) {
            if (detached) {
                return true;
            }
            if (held()) {
                queue.add(text);
                return true;
            }
            return socket.send(text);
        }

        @Override
        public boolean send(byte[] bytes) {
            return socket.send(bytes);
        }

        @Override
        public boolean close(int code, String reason) {
            return socket.close(code, reason);
        }

        /** Closes the client's connection and keeps the events that follow for its next watch. */
        synchronized void drop() {
            dropped = true;
            socket.close(1001, "injected: connection dropped");
        }

        /** The events kept since the drop; this socket then stops for good. */
        synchronized List<String> detach() {
            detached = true;
            List<String> kept = new ArrayList<>(queue);
            queue.clear();
            inner.onClosed(this, 1001, "replaced by a new watch");
            return kept;
        }

        synchronized void startSending() {
            waiting = false;
            flush();
        }

        synchronized void flush() {
            if (held()) {
                return;
            }
            queue.forEach(socket::send);
            queue.clear();
        }
    }
}
