package digital.govuk.access.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Decision 67: a reconciliation that has fallen due goes ahead of those waiting, which keep their order, including
 * one that JOSDK queues again after it was running when it fell due. The queue is found behind a wrapper, as behind
 * JOSDK's, and JOSDK's own task still names its engineer in one field.
 */
class ReconcileQueueTest {
    final ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    final ExecutorService wrapped = new Wrapper(pool);
    final ReconcileQueue queue = new ReconcileQueue(() -> Optional.ofNullable(ReconcileQueue.queueOf(wrapped)));
    final List<String> ran = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        pool.shutdownNow();
        queue.shutdown();
    }

    @Test
    void dueEngineersGoAheadOfThoseWaitingAndTheRestKeepTheirOrder() throws InterruptedException {
        busy();
        for (String name : List.of("ann", "bob", "cat", "dan", "eve")) {
            wrapped.execute(new Task(name, ran));
        }
        assertThat(queue.toFront(List.of(new ResourceID("dan"), new ResourceID("bob")))).isEqualTo(2);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 5);
        assertThat(ran).containsExactly("bob", "dan", "ann", "cat", "eve");
        assertThat(queue.moved()).isEqualTo(2);
    }

    @Test
    void oneRunningWhenItFellDueIsMovedWhenItIsQueuedAgain() {
        busy();
        wrapped.execute(new Task("ann", ran));
        // "zed" is running, not waiting: nothing to move yet.
        assertThat(queue.toFront(List.of(new ResourceID("zed")))).isZero();
        wrapped.execute(new Task("bob", ran));
        wrapped.execute(new Task("zed", ran)); // JOSDK queues it again, at the back, when its run ends
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
                .until(() -> queue.engineerOf(pool.getQueue().peek()).getName().equals("zed"));
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 3);
        assertThat(ran).containsExactly("zed", "ann", "bob");
    }

    @Test
    void anEngineerNotWaitingIsLookedForOnlyForALittleWhile() throws InterruptedException {
        busy();
        assertThat(queue.toFront(List.of(new ResourceID("zed")))).isZero();
        Thread.sleep(ReconcileQueue.PATIENCE.plusMillis(300).toMillis());
        wrapped.execute(new Task("ann", ran));
        wrapped.execute(new Task("zed", ran));
        Thread.sleep(ReconcileQueue.LOOK_AGAIN.multipliedBy(4).toMillis());
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 2);
        assertThat(ran).as("a later, ordinary reconciliation waits its turn").containsExactly("ann", "zed");
    }

    @Test
    void urgentEngineersAreKeptAheadOfTheOthersWhileTheyWait() {
        busy();
        for (String name : List.of("ann", "bob", "cat", "dan", "eve")) {
            wrapped.execute(new Task(name, ran));
        }
        Set<String> edited = Set.of("cat", "eve");
        queue.preferring(id -> edited.contains(id.getName()));
        await().atMost(Duration.ofSeconds(2)).until(() -> queue.moved() == 2);
        assertThat(queue.sweep()).as("nothing left to move").isZero();
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 5);
        assertThat(ran).containsExactly("cat", "eve", "ann", "bob", "dan");
    }

    @Test
    void urgentEngineersAlreadyInFrontAreLeftAsTheyAre() {
        busy();
        for (String name : List.of("ann", "bob", "cat")) {
            wrapped.execute(new Task(name, ran));
        }
        Set<String> edited = Set.of("ann", "bob");
        queue.preferring(id -> edited.contains(id.getName()));
        assertThat(queue.sweep()).isZero();
        assertThat(queue.moved()).isZero();
    }

    @Test
    void withoutAQueueNothingMoves() {
        ReconcileQueue none = new ReconcileQueue(Optional::empty);
        ReconcileQueue notYet = new ReconcileQueue(() -> null);
        try {
            assertThat(none.reachable()).isFalse();
            assertThat(none.toFront(List.of(new ResourceID("ann")))).isZero();
            assertThat(notYet.reachable()).as("before the operator starts").isFalse();
        } finally {
            none.shutdown();
            notYet.shutdown();
        }
    }

    @Test
    void josdksTaskNamesItsEngineerInOneField() throws ClassNotFoundException {
        Class<?> task = Class.forName("io.javaoperatorsdk.operator.processing.event.EventProcessor$ReconcilerExecutor");
        assertThat(task.getDeclaredFields()).filteredOn(f -> f.getType() == ResourceID.class).hasSize(1);
    }

    /** Keeps the pool's one thread busy until released, so what follows waits in the queue. */
    void busy() {
        CountDownLatch started = new CountDownLatch(1);
        pool.execute(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            started.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Like JOSDK's task: the engineer in a private field. */
    static final class Task implements Runnable {
        private final ResourceID engineer;
        private final List<String> ran;

        Task(String name, List<String> ran) {
            this.engineer = new ResourceID(name);
            this.ran = ran;
        }

        @Override
        public void run() {
            ran.add(engineer.getName());
        }
    }

    /** Like JOSDK's instrumentation: the pool in a private field. */
    static final class Wrapper extends AbstractExecutorService {
        private final ExecutorService executor;

        Wrapper(ExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public void execute(Runnable command) {
            executor.execute(command);
        }

        @Override
        public void shutdown() {
            executor.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return executor.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return executor.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return executor.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return executor.awaitTermination(timeout, unit);
        }
    }
}
