package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.Header;
import io.eunomia.bpf.internal.RecordReader;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.MappedArray;
import io.eunomia.libbpf.RingBuffer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When the sensors' programs wake the ring buffer's reader (common.bpf.h: wakeup_flags), on the
 * real process sensor's fork and exit programs and real processes: a forced wake-up costs the
 * traced task ~10 µs here, so records that find others waiting in the ring send none, and the
 * first record into an empty ring still wakes a reader asleep in a long poll, unless the reader
 * said it takes records in rounds.
 */
class ReaderWakeupTest {
    private static final long INTERVAL_NANOS = 1_000_000;

    @Test
    void recordsBehindUnreadOnesWakeNobodyTheFirstIntoAnEmptyRingDoes() throws Exception {
        try (BpfObject obj = loaded(Set.of("handle_fork", "handle_exit"))) {
            AtomicLong records = new AtomicLong();
            RingBuffer ring = RingBuffer.open(obj.map("events"), r -> records.incrementAndGet());
            obj.attachAll();

            // Nobody reads: 20 processes, each more than the interval after the last. Each used to
            // force a wake-up (the interval passed); only the first into the empty ring
            // may now (another CPU's record racing it for the empty ring: a second). The host's other
            // processes are watched too: one of theirs may have filled the ring (and woken) between
            // the consume and the count, then the 20 force none; never 20.
            ring.consume();
            long before = forced(obj);
            for (int i = 0; i < 20; i++) {
                runTrue();
                Thread.sleep(3);
            }
            long whileUnread = forced(obj) - before;
            ring.consume();
            // (their forks are this JVM's, which the sensors leave out: their exits are the records)
            assertThat(records.get()).as("exit records of 20 processes").isGreaterThanOrEqualTo(20);
            assertThat(whileUnread).as("forced wake-ups while records waited unread").isBetween(0L, 2L);

            // The ring is empty again: a reader asleep in a long poll is woken by the next record.
            Thread.sleep(5);
            ring.consume();
            long emptyBefore = forced(obj);
            CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                ring.poll(30_000);
                return System.nanoTime() - start;
            });
            Thread.sleep(200);  // the reader sits in epoll_wait
            runTrue();
            long waitedNanos = woke.get(20, TimeUnit.SECONDS);
            assertThat(waitedNanos).as("the reader was woken, not timed out").isLessThan(TimeUnit.SECONDS.toNanos(20));
            assertThat(forced(obj)).as("a forced wake-up for the record into the empty ring").isGreaterThan(emptyBefore);
        }
    }

    @Test
    void aReaderInRoundsIsNeverWokenOneAboutToSleepIs() throws Exception {
        try (BpfObject obj = loaded(Set.of("handle_exit"))) {
            AtomicLong records = new AtomicLong();
            RingBuffer ring = RingBuffer.open(obj.map("events"), r -> records.incrementAndGet());
            obj.attachAll();

            // The reader says it is in rounds: every exit goes into an empty ring, more than the
            // interval after the last, and none forces a wake-up.
            setInRounds(obj, true);
            long before = forced(obj);
            for (int i = 0; i < 20; i++) {
                runTrue();
                Thread.sleep(3);
                ring.consume();
            }
            assertThat(records.get()).as("exit records of 20 processes").isGreaterThanOrEqualTo(20);
            assertThat(forced(obj) - before).as("forced wake-ups of a reader in rounds").isZero();

            // About to sleep in a poll: the same exits force them again.
            setInRounds(obj, false);
            before = forced(obj);
            for (int i = 0; i < 20; i++) {
                runTrue();
                Thread.sleep(3);
                ring.consume();
            }
            assertThat(forced(obj) - before).as("forced wake-ups of a reader about to sleep").isGreaterThanOrEqualTo(10);
        }
    }

    /**
     * libbpf's consume takes records until it finds the ring empty, which a producer as fast as the
     * reader never lets happen (the poller's round then never ended: KernelSensors); a limited one
     * ends early, and the next goes on at the record after its last: none lost, none twice.
     */
    @Test
    void aLimitedConsumeEndsBeforeTheRingIsEmptyAndTheNextGoesOnFromThere() throws Exception {
        try (BpfObject obj = loaded(Set.of("handle_exit"))) {
            List<Integer> pids = new ArrayList<>();
            RingBuffer ring = RingBuffer.open(obj.map("events"), r -> pids.add(Header.pid(new RecordReader(r))));
            obj.attachAll();
            ring.consume();
            pids.clear();
            List<Integer> ours = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ours.add(runTrue());
            }
            int calls = 0;
            for (int n = ring.consume(0); n > 0; n = ring.consume(0)) {
                assertThat(n).as("records a consume limited to 0 ns took").isEqualTo(1);
                calls++;
            }
            assertThat(pids).as("a record per call").hasSize(calls);
            for (int pid : ours) {
                assertThat(Collections.frequency(pids, pid)).as("exit records of pid " + pid).isEqualTo(1);
            }
        }
    }

    /** The real process sensor with only these programs, loaded and enabled for every process but this one. */
    private static BpfObject loaded(Set<String> programs) throws Exception {
        byte[] elf;
        try (InputStream in = Sensor.class.getResourceAsStream(Sensor.PROCESS.resource())) {
            elf = in.readAllBytes();
        }
        BpfObject obj = BpfObject.open("process.bpf.o", elf);
        try {
            obj.programs().values().forEach(p -> p.setAutoload(programs.contains(p.name())));
            obj.load();
            CommonRecords.enable(obj, INTERVAL_NANOS);
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** As the poller does: a store through the map's memory (MappedArray), no bpf(2) update. */
    private static void setInRounds(BpfObject obj, boolean rounds) {
        MappedArray.map(obj.map("reader_in_rounds")).setIntVolatile(0, 0, rounds ? 1 : 0);
    }

    private static long forced(BpfObject obj) {
        return obj.map("forced_wakeups").sumPerCpuU64(0);
    }

    private static int runTrue() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        assertThat(p.waitFor()).isZero();
        return (int) p.pid();
    }
}
