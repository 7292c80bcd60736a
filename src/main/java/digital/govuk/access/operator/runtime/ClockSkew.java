package digital.govuk.access.operator.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import digital.govuk.access.operator.Audit;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The operator's clock measured against the API server's. The operator removes a binding when its own clock says
 * the expiry has come, so a clock behind the API server's (and the audit log's) by some seconds leaves every
 * binding that long past its expiry, and a clock ahead grants access that early. Exported as
 * {@code engineer_access_clock_skew_seconds} (the server's clock minus the operator's); a skew surely beyond
 * {@link #TOLERATED} is a Warning Event on the AccessPolicy and a line in the log, and its end a Normal one.
 * <p>
 * The API server's time is read from the {@code Date} header of a small request ({@code GET /version}) made every
 * {@link #every}: it is whole seconds, so one answer only says the skew lies in an interval
 * ({@link Window}); the intervals of the last few answers, taken at different fractions of a second, narrow it
 * to about the request's round trip. The operator measures and warns; it does not correct its clock (the time
 * synchronisation of its node is the fix, and a correction as uncertain as the measure could itself grant early).
 */
@Singleton
public class ClockSkew {
    private static final Logger LOG = Logger.getLogger(ClockSkew.class);
    static final Duration TOLERATED = Duration.ofSeconds(1);
    static final String SKEWED = "ClockSkew";
    static final String IN_STEP = "ClockInStep";

    private final KubernetesClient client;
    private final Clock clock;
    private final Audit audit;
    /** How often the API server's clock is read (engineer-access.clock.every, default 30 seconds). */
    private final Duration every;
    private final Window window = new Window(10);
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean warned;
    private volatile double skewSeconds = Double.NaN;
    private final ScheduledExecutorService timer = DaemonTimer.named("clock-skew");

    public ClockSkew(KubernetesClient client, Clock clock, Audit audit, MeterRegistry registry,
            @ConfigProperty(name = "engineer-access.clock.every", defaultValue = "30s") Duration every) {
        this.client = client;
        this.clock = clock;
        this.audit = audit;
        this.every = every;
        Gauge.builder("engineer.access.clock.skew", this, c -> c.skewSeconds).baseUnit("seconds")
                .description("The API server's clock minus the operator's, from the Date of its answers: bindings outlive their"
                        + " expiry by this much when positive")
                .register(registry);
    }

    /** Starts reading the API server's clock, once; called when the operator first reconciles (as the leader). */
    public void start() {
        if (started.compareAndSet(false, true)) {
            try {
                timer.scheduleWithFixedDelay(this::measure, 0, every.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** The last estimate, if any answer carried a Date. */
    Optional<Window.Skew> skew() {
        return window.estimate();
    }

    void measure() {
        try {
            HttpClient http = client.getHttpClient();
            String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/version";
            Instant sent = clock.instant();
            HttpResponse<String> response = http.sendAsync(http.newHttpRequestBuilder().uri(url).build(), String.class)
                    .get(10, TimeUnit.SECONDS);
            Instant received = clock.instant();
            Optional<Instant> server = serverTime(response.header("Date"));
            if (server.isEmpty()) {
                return;
            }
            window.add(sent, received, server.get());
            window.estimate().ifPresent(this::show);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debugf("could not read the API server's clock: %s", e.getMessage());
        }
    }

    private void show(Window.Skew skew) {
        skewSeconds = skew.best().toMillis() / 1000.0;
        boolean beyond = skew.surelyBeyond(TOLERATED);
        if (beyond && !warned) {
            warned = true;
            String message = String.format("this operator's clock is %s the API server's by about %.1f s: bindings %s by that"
                    + " much until the clocks agree (check the time synchronisation of the operator's node)",
                    skew.best().isNegative() ? "ahead of" : "behind", Math.abs(skewSeconds),
                    skew.best().isNegative() ? "start and end early" : "start late and outlive their expiry");
            LOG.warnf("clock skew: %s", message);
            audit.recordPolicy(SKEWED, true, message);
        } else if (warned && skew.surelyWithin(TOLERATED)) {
            warned = false;
            String message = String.format("this operator's clock is again within %d s of the API server's (%.1f s)",
                    TOLERATED.toSeconds(), skewSeconds);
            LOG.infof("clock skew: %s", message);
            audit.recordPolicy(IN_STEP, false, message);
        }
    }

    /** The instant an HTTP Date header names (whole seconds), if it names one. */
    static Optional<Instant> serverTime(String date) {
        if (date == null || date.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * What the last few answers say of the skew. An answer sent at {@code sent} and received at {@code received}
     * (the operator's clock) carries the server's time truncated to the second, {@code D}, read at some moment in
     * between: so the skew (server minus operator) lies in {@code [D - received, D + 1 s - sent]}. The estimate
     * is the intersection of the last {@code size} such intervals; when they do not meet (a clock was stepped),
     * only the newest counts.
     */
    static final class Window {
        private final int size;
        private final Deque<Skew> intervals = new ArrayDeque<>();

        Window(int size) {
            this.size = size;
        }

        /** The skew lies between {@code low} and {@code high}. */
        record Skew(Duration low, Duration high) {
            Duration best() {
                return low.plus(high).dividedBy(2);
            }

            boolean surelyBeyond(Duration limit) {
                return low.compareTo(limit) > 0 || high.compareTo(limit.negated()) < 0;
            }

            boolean surelyWithin(Duration limit) {
                return low.compareTo(limit.negated()) >= 0 && high.compareTo(limit) <= 0;
            }
        }

        synchronized void add(Instant sent, Instant received, Instant serverSecond) {
            intervals.addLast(new Skew(Duration.between(received, serverSecond), Duration.between(sent, serverSecond.plusSeconds(1))));
            while (intervals.size() > size) {
                intervals.removeFirst();
            }
            if (intersection().isEmpty()) {
                Skew newest = intervals.getLast();
                intervals.clear();
                intervals.addLast(newest);
            }
        }

        synchronized Optional<Skew> estimate() {
            return intersection();
        }

        private Optional<Skew> intersection() {
            if (intervals.isEmpty()) {
                return Optional.empty();
            }
            Duration low = null;
            Duration high = null;
            for (Skew s : intervals) {
                low = low == null || s.low().compareTo(low) > 0 ? s.low() : low;
                high = high == null || s.high().compareTo(high) < 0 ? s.high() : high;
            }
            return low.compareTo(high) <= 0 ? Optional.of(new Skew(low, high)) : Optional.empty();
        }
    }
}
