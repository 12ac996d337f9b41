package io.eunomia.bpf.internal;

import io.eunomia.event.Event;

/** Turns one kind of kernel record (after its header) into an event record. */
@FunctionalInterface
public interface RecordDecoder {
    Event decode(Header header, RecordReader record);
}
