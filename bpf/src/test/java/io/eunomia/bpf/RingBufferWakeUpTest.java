package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.RingBuffer;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link RingBuffer#wakeUp} ends a poll that waits for records that do not come (the sensor poller's
 * long idle wait, ended at stop), on a real ring buffer the kernel made.
 */
class RingBufferWakeUpTest {
    private static final int LONG_WAIT_MS = 120_000;

    @Test
    void aWakeUpEndsAWaitingPollAndLaterPollsDoNotWait() throws Exception {
        try (BpfObject obj = BpfObject.open("process.bpf.o", resource("/io/eunomia/bpf/process.bpf.o"))) {
            obj.load();   // loaded, never attached: nothing writes to its ring
            try (RingBuffer ring = RingBuffer.open(obj.map("events"), record -> { })) {
                CompletableFuture<Integer> poll = CompletableFuture.supplyAsync(() -> ring.poll(LONG_WAIT_MS));
                Thread.sleep(200);
                assertThat(poll).as("nothing to read: the poll waits").isNotDone();
                ring.wakeUp();
                // Well before the poll's own timeout: it was the wake-up that ended it.
                assertThat(poll.get(30, TimeUnit.SECONDS)).isZero();
                long t0 = System.nanoTime();
                assertThat(ring.poll(LONG_WAIT_MS)).isZero();
                assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(30));
            }
        }
    }

    @Test
    void aWakeUpAfterCloseIsIgnored() throws Exception {
        try (BpfObject obj = BpfObject.open("process.bpf.o", resource("/io/eunomia/bpf/process.bpf.o"))) {
            obj.load();
            RingBuffer ring = RingBuffer.open(obj.map("events"), record -> { });
            ring.close();
            ring.wakeUp();
        }
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = RingBufferWakeUpTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
