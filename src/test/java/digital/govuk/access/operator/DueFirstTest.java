package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class DueFirstTest {
    @Test
    void aStatusWriteWaitsForTheDueBindingWritesInFlight() throws Exception {
        DueFirst gate = new DueFirst();
        gate.begin();
        long start = System.nanoTime();
        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            gate.awaitNoneWriting();
            return (System.nanoTime() - start) / 1_000_000;
        });
        Thread.sleep(200);
        assertThat(waited).isNotDone();
        gate.end();
        assertThat(waited.get(5, TimeUnit.SECONDS)).isBetween(200L, 900L);
    }

    @Test
    void itNeverWaitsLongerThanItsLimitNorWhenNothingIsDue() {
        DueFirst gate = new DueFirst();
        long t0 = System.nanoTime();
        gate.awaitNoneWriting();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(50));
        gate.begin();
        long t1 = System.nanoTime();
        gate.awaitNoneWriting();
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isBetween(DueFirst.LONGEST_WAIT.minusMillis(50), DueFirst.LONGEST_WAIT.plusSeconds(2));
    }
}
