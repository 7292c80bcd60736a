package digital.govuk.access.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import digital.govuk.access.operator.Audit;
import digital.govuk.access.operator.TestClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The operator's clock against the API server's: a binding outlives its expiry by the skew, so a skew beyond a
 * second must be seen (a gauge) and said (a Warning Event on the AccessPolicy), from the whole-second Date the
 * API server puts on its answers.
 */
class ClockSkewTest {
    /** A plain mock server: the Kubernetes one answers /version itself, without a Date. */
    DefaultMockServer server = new DefaultMockServer(false);
    KubernetesClient client;

    @BeforeEach
    void start() {
        server.start();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(server.url("/")).build()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdown();
    }

    final List<Event> posted = new java.util.ArrayList<>();

    static final Instant T = Instant.parse("2031-03-04T05:06:07Z");

    @Test
    void oneAnswerBoundsTheSkewByTheSecondAndTheRoundTrip() {
        ClockSkew.Window window = new ClockSkew.Window(10);
        // Sent at 07.200, answered at 07.300 (the operator's clock); the server said 09 (whole seconds).
        window.add(T.plusMillis(200), T.plusMillis(300), T.plusSeconds(2));

        ClockSkew.Window.Skew skew = window.estimate().orElseThrow();
        // The server read between 09.000 and 09.999 at some moment between 07.200 and 07.300.
        assertThat(skew.low()).isEqualTo(Duration.ofMillis(1700));
        assertThat(skew.high()).isEqualTo(Duration.ofMillis(2800));
        assertThat(skew.surelyBeyond(ClockSkew.TOLERATED)).isTrue();
    }

    @Test
    void answersAtDifferentFractionsOfASecondNarrowItToTheRoundTrip() {
        // The server's clock is exactly 1.250 s ahead; each answer takes 20 ms.
        ClockSkew.Window window = new ClockSkew.Window(10);
        for (int i = 0; i < 10; i++) {
            Instant sent = T.plusMillis(30_000L * i + 97L * i);
            Instant read = sent.plusMillis(10).plusMillis(1250);
            window.add(sent, sent.plusMillis(20), read.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
        ClockSkew.Window.Skew skew = window.estimate().orElseThrow();
        assertThat(skew.low()).isLessThanOrEqualTo(Duration.ofMillis(1250));
        assertThat(skew.high()).isGreaterThanOrEqualTo(Duration.ofMillis(1250));
        assertThat(skew.high().minus(skew.low())).isLessThan(Duration.ofMillis(200));
        assertThat(skew.surelyBeyond(ClockSkew.TOLERATED)).isTrue();
    }

    @Test
    void clocksInStepAreNotWarnedAbout() {
        ClockSkew.Window window = new ClockSkew.Window(10);
        window.add(T.plusMillis(400), T.plusMillis(410), T);
        ClockSkew.Window.Skew skew = window.estimate().orElseThrow();
        assertThat(skew.surelyBeyond(ClockSkew.TOLERATED)).isFalse();
        assertThat(skew.surelyWithin(ClockSkew.TOLERATED)).isTrue();
    }

    @Test
    void aSteppedClockStartsTheMeasureAgain() {
        ClockSkew.Window window = new ClockSkew.Window(10);
        window.add(T, T.plusMillis(10), T.plusSeconds(5));
        // The operator's node corrected its clock: the next answer cannot meet the first.
        window.add(T.plusSeconds(35), T.plusSeconds(35).plusMillis(10), T.plusSeconds(35));
        ClockSkew.Window.Skew skew = window.estimate().orElseThrow();
        assertThat(skew.low()).isEqualTo(Duration.ofMillis(-10));
        assertThat(skew.high()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theDateHeaderIsReadAsHttpWritesIt() {
        assertThat(ClockSkew.serverTime("Tue, 04 Mar 2031 05:06:07 GMT")).contains(T);
        assertThat(ClockSkew.serverTime(null)).isEmpty();
        assertThat(ClockSkew.serverTime("yesterday")).isEmpty();
    }

    @Test
    void aSkewBeyondASecondIsAGaugeAWarningOnThePolicyAndItsEndANormalEvent() throws InterruptedException {
        TestClock clock = new TestClock();
        clock.set(T);
        answerWithDate(T.plusSeconds(5));
        answerWithDate(T.plusSeconds(5));
        answerWithDate(T);
        server.expect().post().withPath("/api/v1/namespaces/default/events").andReturn(201, "{}").always();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClockSkew skew = new ClockSkew(client, clock, new Audit(client, clock), registry, Duration.ofSeconds(30));
        try {
            skew.measure();
            assertThat(registry.get("engineer.access.clock.skew").gauge().value()).isEqualTo(5.5);
            skew.measure();
            await().atMost(Duration.ofSeconds(10)).until(() -> events().size() == 1);

            skew.measure();
            assertThat(registry.get("engineer.access.clock.skew").gauge().value()).isEqualTo(0.5);
            await().atMost(Duration.ofSeconds(10)).until(() -> events().size() == 2);
            List<Event> events = events();
            assertThat(events).extracting(Event::getReason).containsExactlyInAnyOrder(ClockSkew.SKEWED, ClockSkew.IN_STEP);
            Event warning = events.stream().filter(e -> e.getReason().equals(ClockSkew.SKEWED)).findFirst().orElseThrow();
            assertThat(warning.getType()).isEqualTo("Warning");
            assertThat(warning.getInvolvedObject().getKind()).isEqualTo("AccessPolicy");
            assertThat(warning.getInvolvedObject().getName()).isEqualTo("default");
            assertThat(warning.getMessage()).startsWith("this operator's clock is behind the API server's by about 5.5 s")
                    .contains("outlive their expiry");
            // No engineer is named: report and history read Events by that label.
            assertThat(warning.getMetadata().getLabels()).doesNotContainKey("access.govuk.digital/engineer");
        } finally {
            skew.stop();
        }
    }

    private void answerWithDate(Instant date) {
        server.expect().get().withPath("/version").andReturn(200, "{\"major\":\"1\",\"minor\":\"34\"}")
                .withHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(date.atOffset(ZoneOffset.UTC))).once();
    }

    /** The Events the operator created, in the mock server's record of requests. */
    private List<Event> events() throws InterruptedException {
        RecordedRequest request;
        while ((request = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            if (request.getMethod().equals("POST")) {
                posted.add(client.getKubernetesSerialization().unmarshal(request.getBody().readUtf8(), Event.class));
            }
        }
        return posted;
    }
}
