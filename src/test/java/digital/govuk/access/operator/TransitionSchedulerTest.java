package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import digital.govuk.access.operator.runtime.ReconcileQueue;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * The scheduler wakes an engineer when the clock reaches its instant, not before, and keeps one instant each;
 * after a failed reconciliation it retries with a delay that doubles up to a ceiling, and never loses a due change.
 */
class TransitionSchedulerTest {
    final TestClock clock = new TestClock();
    final List<String> woken = new CopyOnWriteArrayList<>();
    TransitionScheduler scheduler;

    @BeforeEach
    void start() {
        scheduler = new TransitionScheduler(clock, new Retries(Duration.ofSeconds(1), Duration.ofSeconds(60)), new ReconcileQueue(() -> Optional.of(new LinkedBlockingQueue<>())));
        scheduler.setEventHandler(event -> woken.add(event.getRelatedCustomResourceID().getName()));
        scheduler.start();
    }

    @AfterEach
    void stop() {
        scheduler.shutdown();
    }

    @Test
    void reArmingLeavesNoCancelledTasksBehind() {
        // Every reconciliation re-arms the one timer; the earliest instant here stays an hour away.
        Instant first = clock.instant().plus(Duration.ofHours(1));
        scheduler.schedule(new ResourceID("first"), first);
        for (int i = 0; i < 1000; i++) {
            scheduler.schedule(new ResourceID("engineer-" + i), first.plus(Duration.ofMinutes(1 + i)));
        }
        assertThat(scheduler.queuedTimerTasks()).isEqualTo(1);
        assertThat(scheduler.scheduledFor(new ResourceID("engineer-999"))).contains(first.plus(Duration.ofMinutes(1000)));
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
    void aStepOfTheWallClockIsSeenWithinASecondNotAtTheEndOfTheSleep() {
        // The timer sleeps on the monotonic clock. A time correction that steps the node's clock six hours forward
        // (or a paused machine resumed) must not leave an expiry six hours late: nobody calls fireDue here.
        Instant expiry = clock.instant().plus(Duration.ofHours(6));
        scheduler.schedule(new ResourceID("jo"), expiry);
        clock.advance(Duration.ofHours(6));
        await().atMost(Duration.ofSeconds(3)).until(() -> woken.contains("jo"));
        assertThat(scheduler.scheduledFor(new ResourceID("jo"))).isEmpty();
    }

    @Test
    void aStepBackOfTheWallClockNeverWakesEarly() throws InterruptedException {
        Instant grant = clock.instant().plus(Duration.ofSeconds(2));
        scheduler.schedule(new ResourceID("sam"), grant);
        clock.advance(Duration.ofHours(-1));
        // The timer wakes at least twice meanwhile; by the wall clock the grant is still an hour away.
        Thread.sleep(2500);
        assertThat(woken).isEmpty();
        assertThat(scheduler.scheduledFor(new ResourceID("sam"))).contains(grant);
        clock.set(grant);
        await().atMost(Duration.ofSeconds(3)).until(() -> woken.contains("sam"));
    }

    @Test
    void farFutureInstantsAreSafe() {
        scheduler.schedule(new ResourceID("far"), Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(scheduler.scheduledFor(new ResourceID("far"))).contains(Instant.parse("9999-12-31T23:59:59Z"));
        scheduler.fireDue();
        assertThat(woken).isEmpty();
    }

    @Test
    void aFailedRunWithAChangeAlreadyDueIsRetriedAfterADelayNotAtOnce() {
        ResourceID id = new ResourceID("spin");
        Instant due = clock.instant().minus(Duration.ofMinutes(1));
        Instant now = clock.instant();
        assertThat(scheduler.after(id, due, true, false)).isEqualTo(now.plusSeconds(1));
        scheduler.fireDue();
        assertThat(woken).as("an overdue change whose run failed does not spin").isEmpty();
        clock.set(now.plusSeconds(1));
        scheduler.fireDue();
        assertThat(woken).containsExactly("spin");
    }

    @Test
    void delaysDoubleWithEachFailureInARowUpToTheCeilingAndASuccessStartsAgain() {
        ResourceID id = new ResourceID("flaky");
        List<Long> delays = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            Instant now = clock.instant();
            Instant at = scheduler.after(id, null, true, false);
            delays.add(Duration.between(now, at).toSeconds());
            clock.set(at);
        }
        assertThat(delays).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        Instant next = clock.instant().plus(Duration.ofDays(3));
        assertThat(scheduler.after(id, next, false, false)).isEqualTo(next);
        assertThat(Duration.between(clock.instant(), scheduler.after(id, null, true, false))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aTransitionDueBeforeTheRetryKeepsItsInstant() {
        ResourceID id = new ResourceID("soon");
        for (int i = 0; i < 5; i++) {
            scheduler.after(id, null, true, false);
        }
        Instant transition = clock.instant().plusSeconds(3);
        assertThat(scheduler.after(id, transition, true, false)).as("the 6th retry would wait 32 s").isEqualTo(transition);
    }

    @Test
    void onlyEngineersWaitingForTheApiServerAreWokenWhenItAnswers() {
        scheduler.after(new ResourceID("outage"), null, true, true);
        scheduler.after(new ResourceID("refused"), null, true, false);
        assertThat(scheduler.wakeWaitingForApiServer()).isEqualTo(1);
        scheduler.fireDue();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains("outage"));
        assertThat(woken).doesNotContain("refused");
        assertThat(scheduler.scheduledFor(new ResourceID("refused"))).contains(clock.instant().plusSeconds(1));
    }

    @Test
    void aFailureOfAnotherKindStartsAgainFromTheInitialDelay() {
        ResourceID id = new ResourceID("outage");
        for (int i = 0; i < 5; i++) {
            scheduler.after(id, null, true, true);
        }
        assertThat(scheduler.after(id, null, true, true)).as("the 6th failure in a row waits 32 s").isEqualTo(clock.instant().plusSeconds(32));
        // The API server is back, and refuses the first request while it warms up: a new problem, a short delay.
        assertThat(scheduler.after(id, null, true, false)).isEqualTo(clock.instant().plusSeconds(1));
        assertThat(scheduler.after(id, null, true, false)).isEqualTo(clock.instant().plusSeconds(2));
    }

    @Test
    void theRecordedInstantsOfEngineersNotYetReconciledAreArmedAndNoOthers() {
        Instant soon = clock.instant().plusSeconds(30);
        scheduler.after(new ResourceID("seen"), soon.plusSeconds(60), false, false);
        int armed = scheduler.seed(Map.of(new ResourceID("seen"), soon, new ResourceID("waiting"), soon,
                new ResourceID("overdue"), clock.instant().minusSeconds(600)));
        assertThat(armed).isEqualTo(2);
        assertThat(scheduler.scheduledFor(new ResourceID("seen"))).as("what this process decided stands")
                .contains(soon.plusSeconds(60));
        assertThat(scheduler.scheduledFor(new ResourceID("waiting"))).contains(soon);
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains("overdue"));
        assertThat(woken).containsExactly("overdue");
        clock.set(soon);
        scheduler.fireDue();
        assertThat(woken).containsExactly("overdue", "waiting");
    }
}
