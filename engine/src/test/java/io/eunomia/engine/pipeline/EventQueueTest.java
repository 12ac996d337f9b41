package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The hand-off to the pipeline thread: a wake-up ends a long wait and is never handed out or counted. */
class EventQueueTest {
    private static final long LONG_WAIT_MS = 120_000;

    @Test
    void aWakeUpEndsAWaitForEventsThatDoNotCome() throws Exception {
        EventQueue q = new EventQueue(16);
        List<Event> into = new ArrayList<>();
        CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return q.drain(into, 8, LONG_WAIT_MS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(drained).isNotDone();
        q.wakeUp();
        assertThat(drained.get(30, TimeUnit.SECONDS)).isZero();   // long before the wait's own end
        assertThat(into).isEmpty();
        assertThat(q.accepted()).isZero();
        assertThat(q.size()).isZero();
    }

    @Test
    void eventsQueuedAroundAWakeUpAreHandedOutInOrderWithoutIt() throws Exception {
        EventQueue q = new EventQueue(16);
        Event a = TestEvents.open(1, 10, "cat", "/etc/a");
        Event b = TestEvents.open(2, 10, "cat", "/etc/b");
        q.offer(a);
        q.wakeUp();
        q.offer(b);
        List<Event> into = new ArrayList<>();
        assertThat(q.drain(into, 8, 0)).isEqualTo(2);
        assertThat(into).containsExactly(a, b);
        assertThat(q.accepted()).isEqualTo(2);
    }
}
