package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The scheduler wakes an engineer when the clock reaches its instant, not before, and keeps one instant each. */
class TransitionSchedulerTest {
    final TestClock clock = new TestClock();
    final List<String> woken = new CopyOnWriteArrayList<>();
    TransitionScheduler scheduler;

    @BeforeEach
    void start() {
        scheduler = new TransitionScheduler(clock);
        scheduler.setEventHandler(event -> woken.add(event.getRelatedCustomResourceID().getName()));
        scheduler.start();
    }

    @AfterEach
    void stop() {
        scheduler.shutdown();
    }

    @Test
    void wakesAtTheInstantAndNotBefore() {
        Instant at = clock.instant().plus(Duration.ofHours(2));
        scheduler.schedule(new ResourceID("jo"), at);
        clock.set(at.minusNanos(1));
        scheduler.fireDue();
        assertThat(woken).isEmpty();
        clock.set(at);
        scheduler.fireDue();
        assertThat(woken).containsExactly("jo");
        assertThat(scheduler.scheduledFor(new ResourceID("jo"))).isEmpty();
    }

    @Test
    void anInstantAlreadyPastWakesAtOnceOnTheTimer() {
        scheduler.schedule(new ResourceID("late"), clock.instant().minus(Duration.ofDays(3)));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains("late"));
    }

    @Test
    void aNewScheduleReplacesTheOldAndNullCancels() {
        ResourceID id = new ResourceID("jo");
        scheduler.schedule(id, clock.instant().plus(Duration.ofHours(1)));
        scheduler.schedule(id, clock.instant().plus(Duration.ofHours(5)));
        assertThat(scheduler.scheduledFor(id)).contains(clock.instant().plus(Duration.ofHours(5)));
        clock.advance(Duration.ofHours(2));
        scheduler.fireDue();
        assertThat(woken).isEmpty();
        scheduler.schedule(id, null);
        clock.advance(Duration.ofHours(10));
        scheduler.fireDue();
        assertThat(woken).isEmpty();
    }

    @Test
    void farFutureInstantsAreSafe() {
        scheduler.schedule(new ResourceID("far"), Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(scheduler.scheduledFor(new ResourceID("far"))).contains(Instant.parse("9999-12-31T23:59:59Z"));
        scheduler.fireDue();
        assertThat(woken).isEmpty();
    }
}
