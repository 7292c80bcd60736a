package digital.govuk.access.operator.runtime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Named background threads for the operator's timers, which never keep the process alive on their own. A
 * cancelled task leaves its queue at once: a timer that is re-armed at every reconciliation (the transitions) would
 * otherwise hold every cancelled task until its time, up to a day away (27,000 of them a few minutes after a cold
 * start of 2,000 engineers).
 */
public final class DaemonTimer {
    private DaemonTimer() {
    }

    /** One thread. */
    public static ScheduledExecutorService named(String name) {
        return named(name, 1);
    }

    /** {@code threads} threads, all named {@code name}. */
    public static ScheduledExecutorService named(String name, int threads) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
