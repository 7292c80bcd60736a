package digital.govuk.access.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs requests on a number of threads and waits for all of them; the first failure ends it, saying what failed. */
final class Parallel {
    private Parallel() {
    }

    static void run(int threads, List<Runnable> tasks, String what) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Runnable task : tasks) {
                done.add(pool.submit(task));
            }
            await(done, what);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits for every task; the first failure ends it, saying what failed. */
    static void await(List<Future<?>> tasks, String what) {
        try {
            for (Future<?> f : tasks) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
