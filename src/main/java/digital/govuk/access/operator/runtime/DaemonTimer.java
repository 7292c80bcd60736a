package digital.govuk.access.operator.runtime;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A single named background thread for the operator's timers, which never keeps the process alive on its own. A
 * cancelled task leaves its queue at once: a timer that is re-armed at every reconciliation (the transitions) would
 * otherwise hold every cancelled task until its time, up to a day away (27,000 of them a few minutes after a cold
 * start of 2,000 engineers).
 */
public final class DaemonTimer {
    private DaemonTimer() {
    }

    public static ScheduledExecutorService named(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
