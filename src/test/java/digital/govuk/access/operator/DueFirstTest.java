package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * What waits for what, not how fast: the limits are chosen so that a busy machine cannot change the outcome
 * (timing belongs in make bench).
 */
class DueFirstTest {
    @Test
    void aStatusWriteWaitsForTheDueBindingWritesInFlight() throws Exception {
        // A limit far beyond the test's own: only end() can release the waiter in time.
        DueFirst gate = new DueFirst(Duration.ofMinutes(5));
        gate.begin();
        CompletableFuture<Void> waited = CompletableFuture.runAsync(gate::awaitNoneWriting);
        Thread.sleep(200);
        assertThat(waited).as("still waiting while the due writes are in flight").isNotDone();
        gate.end();
        waited.get(30, TimeUnit.SECONDS);
    }

    @Test
    void itNeverWaitsWhenNothingIsDue() throws Exception {
        DueFirst gate = new DueFirst(Duration.ofMinutes(5));
        CompletableFuture.runAsync(gate::awaitNoneWriting).get(30, TimeUnit.SECONDS);
    }

    @Test
    void itNeverWaitsLongerThanItsLimit() {
        DueFirst gate = new DueFirst(Duration.ofMillis(300));
        gate.begin();
        long t0 = System.nanoTime();
        gate.awaitNoneWriting();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    }
}
