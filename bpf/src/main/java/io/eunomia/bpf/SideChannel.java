package io.eunomia.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Records of a sensor's own ring buffer ({@link Sensor#sideRings}), copied out by the poller
 * for one consumer; what does not fit is counted.
 */
record SideChannel(BlockingQueue<byte[]> queue, Consumer<MemorySegment> overflow, AtomicLong droppedCount) {
    void offer(MemorySegment record) {
        if (!queue.offer(record.toArray(ValueLayout.JAVA_BYTE))) {
            droppedCount.incrementAndGet();
            overflow.accept(record);
        }
    }

    long dropped() {
        return droppedCount.get();
    }
}
