package io.eunomia.libbpf;

import java.lang.foreign.MemorySegment;

/**
 * Receives one ring-buffer record. The segment is only valid during the call: copy what you keep.
 * Exceptions are caught at the native boundary and counted by {@link RingBuffer#handlerErrors()}.
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(MemorySegment record);
}
