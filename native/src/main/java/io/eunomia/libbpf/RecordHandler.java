package io.eunomia.libbpf;

import java.lang.foreign.MemorySegment;

/**
 * Receives one ring-buffer record. The segment is only valid during the call: copy what you keep.
 * Exceptions are caught at the native boundary and counted by {@link RingBuffer#handlerErrors()}.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record);

    /**
     * The record as the ring hands it: size bytes at address, valid during the call only. A handler
     * that copies each record at once ({@link RingBuffer#copy}) overrides this to take it without a
     * segment object made per record; by default the record is passed on as a segment.
     */
    default void onRecord(long address, long size) {
        onRecord(RingBuffer.record(address, size));
    }
}
