package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.testkit.Cleanup;
import io.eunomia.testkit.StallingMount;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Looks below a real FUSE mount whose daemon never answers (stallfs.c): the caller goes on after
 * the timeout, that key's next looks are not tried while the late one is stuck, other keys are
 * answered, and once the daemon ends the stuck look returns and the key is tried again.
 */
class BoundedLooksTest {
    @Test
    void aLookStuckInTheKernelCostsTheCallerTheTimeoutOnceAndOthersNothing() throws Exception {
        Path dir = Cleanup.newTempDir("stall");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (BoundedLooks looks = new BoundedLooks("test-look-", 200_000_000L, 2);
             BoundedLooks single = new BoundedLooks("test-single-", 200_000_000L, 0)) {
            StallingMount stalled = StallingMount.at(mnt);
            try {
                long t0 = System.nanoTime();
                Optional<Boolean> late = looks.run(1, () -> Files.exists(mnt.resolve("x"), LinkOption.NOFOLLOW_LINKS));
                assertThat(late).isEmpty();
                assertThat(System.nanoTime() - t0).as("waited about the timeout").isGreaterThanOrEqualTo(200_000_000L);
                assertThat(looks.timeouts()).isEqualTo(1);
                assertThat(looks.run(1, () -> true)).as("key 1 stalled").isEmpty();
                assertThat(looks.skipped()).isEqualTo(1);
                assertThat(looks.run(2, () -> Files.isDirectory(dir))).contains(true);
                // No thread may be stuck beyond the cap (here none): every look is skipped, whatever its key.
                assertThat(single.run(3, () -> Files.exists(mnt.resolve("y"), LinkOption.NOFOLLOW_LINKS))).isEmpty();
                assertThat(single.timeouts()).isEqualTo(1);
                assertThat(single.run(4, () -> true)).as("its one thread stuck").isEmpty();
                assertThat(single.skipped()).isEqualTo(1);
            } finally {
                stalled.close();
            }
            // The daemon is gone: the stuck lookup fails and frees key 1 (the kernel's time, under load: minutes at most).
            long deadline = System.nanoTime() + 180_000_000_000L;
            assertThat(answeredBefore(looks, 1, deadline)).as("key 1 tried again once its stuck look returned").contains(true);
            assertThat(answeredBefore(single, 4, deadline)).as("a thread again once the stuck one returned").contains(true);
        } finally {
            Cleanup.unmountAndDelete(dir);
        }
    }

    /**
     * The hand-off between the caller and the answering thread, both ways spun for and parked for
     * (looks of no time, of a busy while longer than the spins, of a sleep; gaps likewise): every
     * look runs on a worker, never the caller's thread (the bound needs that), and every answer
     * reaches its caller; a lost wake-up would show as a timeout (an empty answer).
     */
    @Test
    void everyLookRunsOnAWorkerAndItsAnswerReachesItsCaller() throws Exception {
        Thread caller = Thread.currentThread();
        try (BoundedLooks looks = new BoundedLooks("test-handoff-", 10_000_000_000L, 2)) {
            for (int i = 0; i < 600; i++) {
                int n = i;
                Optional<String> answer = looks.run(1, () -> {
                    busy(n % 3 == 1 ? 200_000L : 0);
                    sleep(n % 3 == 2 ? 1 : 0);
                    return Thread.currentThread() == caller ? "on the caller" : Thread.currentThread().getName() + "/" + n;
                });
                assertThat(answer).hasValueSatisfying(a -> assertThat(a).startsWith("test-handoff-").endsWith("/" + n));
                switch (n % 4) {
                    case 1 -> busy(60_000L);   // past the worker's spin: it parks
                    case 2 -> sleep(2);
                    default -> { }             // at once: it still spins
                }
            }
            assertThat(looks.timeouts()).isZero();
            assertThat(looks.skipped()).isZero();
            assertThatThrownBy(() -> looks.run(1, () -> {
                throw new IllegalArgumentException("from the look");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("from the look");
            assertThat(looks.run(1, () -> "after a failure")).contains("after a failure");
        }
    }

    /**
     * A reload's look hangs on one thread: the poller's looks on another thread still answer while
     * it hangs (before: they waited behind it, up to its timeout, one caller at a time).
     */
    @Test
    void aCallersHungLookNeverDelaysAnotherCallersLooks() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (BoundedLooks looks = new BoundedLooks("test-callers-", 60_000_000_000L, 2)) {
            AtomicReference<Optional<String>> hungAnswer = new AtomicReference<>();
            Thread reload = Thread.ofPlatform().start(() -> hungAnswer.set(looks.run(1, () -> {
                started.countDown();
                awaitUninterruptibly(release);
                return "hung";
            })));
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 20; i++) {
                assertThat(looks.run(2, () -> "answered")).contains("answered");
            }
            assertThat(hungAnswer.get()).as("the other caller's look still running").isNull();
            assertThat(reload.isAlive()).isTrue();
            release.countDown();
            reload.join();
            assertThat(hungAnswer.get()).contains("hung");
            assertThat(looks.timeouts()).isZero();
        }
    }

    /**
     * close() while a look hangs in a way no interrupt reaches (as in the kernel): its caller goes on
     * at once, without the answer (before: it waited out the timeout), and the worker ends once the
     * look returns.
     */
    @Test
    void closeLetsAWaitingCallerGoOnAndTheWorkerEnds() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> worker = new AtomicReference<>();
        AtomicReference<Optional<String>> answer = new AtomicReference<>();
        BoundedLooks looks = new BoundedLooks("test-close-", 600_000_000_000L, 2);
        Thread caller = Thread.ofPlatform().start(() -> answer.set(looks.run(1, () -> {
            worker.set(Thread.currentThread());
            started.countDown();
            awaitUninterruptibly(release);
            return "late";
        })));
        try {
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            looks.close();
            caller.join(60_000);
            assertThat(caller.isAlive()).as("the caller went on at close").isFalse();
            assertThat(answer.get()).isEmpty();
        } finally {
            release.countDown();
        }
        worker.get().join(60_000);
        assertThat(worker.get().isAlive()).as("the worker ended once its look returned").isFalse();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** looks' answer to a look of key, tried every 50 ms until it answers or deadline passes. */
    private static Optional<Boolean> answeredBefore(BoundedLooks looks, long key, long deadline) throws InterruptedException {
        Optional<Boolean> answer = Optional.empty();
        while (answer.isEmpty() && System.nanoTime() < deadline) {
            answer = looks.run(key, () -> true);
            if (answer.isEmpty()) {
                Thread.sleep(50);
            }
        }
        return answer;
    }

    private static void busy(long nanos) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            Thread.onSpinWait();
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
