package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InParallelTest {

    @Test
    void resultsComeInTheTasksOrderEachFromAThreadOfItsOwn() {
        List<InParallel.Task<String>> tasks = List.of(
                new InParallel.Task<>("a", () -> "a:" + Thread.currentThread().getName()),
                new InParallel.Task<>("b", () -> "b:" + Thread.currentThread().getName()),
                new InParallel.Task<>("c", () -> "c:" + Thread.currentThread().getName()));
        assertThat(InParallel.run(tasks, r -> { }))
                .containsExactly("a:eunomia-start-a", "b:eunomia-start-b", "c:eunomia-start-c");
    }

    @Test
    void aSingleTaskRunsOnTheCallersThread() {
        String caller = Thread.currentThread().getName();
        assertThat(InParallel.run(List.of(new InParallel.Task<>("one", () -> Thread.currentThread().getName())), r -> { }))
                .containsExactly(caller);
    }

    /**
     * The last task fails first, the first one later: the first in the tasks' order is thrown as it
     * was, the other suppressed; the task that succeeded was awaited and its result discarded.
     */
    @Test
    void theFirstFailureInTheTasksOrderIsThrownAfterEveryTaskEndedAndSuccessesAreDiscarded() {
        CountDownLatch lastFailed = new CountDownLatch(1);
        AtomicBoolean slowDone = new AtomicBoolean();
        List<String> discarded = new ArrayList<>();
        IllegalStateException firstFailure = new IllegalStateException("first in order");
        List<InParallel.Task<String>> tasks = List.of(
                new InParallel.Task<>("first", () -> {
                    await(lastFailed);
                    throw firstFailure;
                }),
                new InParallel.Task<>("slow", () -> {
                    await(lastFailed);
                    slowDone.set(true);
                    return "slow's result";
                }),
                new InParallel.Task<>("last", () -> {
                    try {
                        throw new IllegalArgumentException("last in order, failed first");
                    } finally {
                        lastFailed.countDown();
                    }
                }));
        assertThatThrownBy(() -> InParallel.run(tasks, discarded::add))
                .isSameAs(firstFailure)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).isInstanceOf(IllegalArgumentException.class)
                                .hasMessage("last in order, failed first")));
        assertThat(slowDone).isTrue();
        assertThat(discarded).containsExactly("slow's result");
    }

    @Test
    void anErrorIsThrownAsItWasNotWrapped() {
        AssertionError error = new AssertionError("an Error");
        assertThatThrownBy(() -> InParallel.run(List.of(
                new InParallel.Task<String>("fails", () -> {
                    throw error;
                }),
                new InParallel.Task<>("succeeds", () -> "ok")), r -> { })).isSameAs(error);
    }

    @Test
    void startedWorkHandsBackItsResultOrItsFailure() {
        assertThat(InParallel.start("value", () -> 42).get()).isEqualTo(42);
        IllegalStateException failure = new IllegalStateException("failed on its thread");
        var failing = InParallel.<Integer>start("failure", () -> {
            throw failure;
        });
        assertThatThrownBy(failing::get).isSameAs(failure);
    }

    private static void await(CountDownLatch latch) {
        try {
            // Minutes: the other task's thread may wait long for a CPU on a loaded machine.
            assertThat(latch.await(5, TimeUnit.MINUTES)).as("the other task ran").isTrue();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
