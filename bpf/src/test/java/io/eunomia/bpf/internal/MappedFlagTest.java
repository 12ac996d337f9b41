package io.eunomia.bpf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eunomia.libbpf.MappedArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The reader's "in rounds" flag of the real shared maps (shared.bpf.o), written through memory as
 * the poller writes it: the kernel's map holds what the store put there (a lookup through bpf(2)
 * reads it back), and what an update through bpf(2) put there reads back from memory. The program
 * side (a reader in rounds is never woken) is ReaderWakeupTest's.
 */
class MappedFlagTest {
    @Test
    void storesThroughMemoryAreTheMapsValue() {
        try (SharedMaps shared = SharedMaps.create(1 << 16)) {
            MappedArray flag = shared.readerInRounds();
            var map = shared.object().map("reader_in_rounds");
            flag.setIntVolatile(0, 0, 1);
            assertThat(valueOf(map.lookup(new byte[4]).orElseThrow())).as("after a store of 1").isEqualTo(1);
            flag.setIntVolatile(0, 0, 0);
            assertThat(valueOf(map.lookup(new byte[4]).orElseThrow())).as("after a store of 0").isZero();
            map.update(new byte[4], new byte[] {7, 0, 0, 0});
            assertThat(flag.getIntVolatile(0, 0)).as("after an update through bpf(2)").isEqualTo(7);
        }
    }

    @Test
    void aMapNotMadeMappableIsRefusedByName() {
        try (SharedMaps shared = SharedMaps.create(1 << 16)) {
            assertThatThrownBy(() -> MappedArray.map(shared.object().map("last_wakeup")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("last_wakeup")
                    .hasMessageContaining("BPF_F_MMAPABLE");
            MappedArray flag = shared.readerInRounds();
            assertThatThrownBy(() -> flag.setIntVolatile(0, 4, 1))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("reader_in_rounds");
        }
    }

    @Test
    void theMappingIsMadeOnceAndAStoreAfterCloseIsAnError() {
        SharedMaps shared = SharedMaps.create(1 << 16);
        MappedArray flag = shared.readerInRounds();
        assertThat(shared.readerInRounds()).as("a second call").isSameAs(flag);
        shared.close();
        assertThatThrownBy(() -> flag.setIntVolatile(0, 0, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reader_in_rounds")
                .hasMessageContaining("closed");
    }

    /** The poller may still store while another thread closes: that store must throw, not write into unmapped memory. */
    @Test
    void aThreadStoringWhileTheMapsCloseGetsAnError() throws Exception {
        SharedMaps shared = SharedMaps.create(1 << 16);
        MappedArray flag = shared.readerInRounds();
        CountDownLatch storing = new CountDownLatch(1);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; ; i++) {
                    flag.setIntVolatile(0, 0, i & 1);
                    storing.countDown();
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        storing.await();
        shared.close();
        writer.join();
        assertThat(ended.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("reader_in_rounds");
    }

    private static int valueOf(byte[] v) {
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }
}
