package digital.govuk.access.operator.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A single named background thread for the operator's timers, which never keeps the process alive on its own. */
public final class DaemonTimer {
    private DaemonTimer() {
    }

    public static ScheduledExecutorService named(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
