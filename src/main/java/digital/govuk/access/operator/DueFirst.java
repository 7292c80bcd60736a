package digital.govuk.access.operator;

import java.time.Duration;

import jakarta.inject.Singleton;

/**
 * At a burst of transitions (fifty exceptions ending at 17:30), the RoleBinding changes that have fallen due go to the
 * API server before the status writes that describe them: a reconciliation applying a due change holds this while it
 * reads the EngineerAccess fresh and writes its bindings, and waits before writing its status until no due change is
 * being written, or {@link #LONGEST_WAIT} has passed. Other reconciliations (a cold start, an edit) never wait. The
 * status is still written in the same reconciliation, only a little later (docs/benchmarks.md has the figures).
 */
@Singleton
public class DueFirst {
    static final Duration LONGEST_WAIT = Duration.ofSeconds(1);

    private final Duration longestWait;
    private int writing;

    public DueFirst() {
        this(LONGEST_WAIT);
    }

    /** With another limit than {@link #LONGEST_WAIT} (tests). */
    DueFirst(Duration longestWait) {
        this.longestWait = longestWait;
    }

    /** A due change starts: its fresh read and binding writes follow. */
    public synchronized void begin() {
        writing++;
    }

    /** The due change's binding writes are done (or failed). */
    public synchronized void end() {
        writing--;
        if (writing <= 0) {
            writing = 0;
            notifyAll();
        }
    }

    /** Waits until no due change is being written, at most {@link #LONGEST_WAIT}. */
    public synchronized void awaitNoneWriting() {
        long deadline = System.nanoTime() + longestWait.toNanos();
        try {
            for (long left = longestWait.toNanos(); writing > 0 && left > 0; left = deadline - System.nanoTime()) {
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
