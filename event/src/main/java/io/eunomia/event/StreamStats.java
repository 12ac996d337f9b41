package io.eunomia.event;

import java.util.Map;

/**
 * Counters of an event stream.
 *
 * @param delivered events decoded and delivered, by type
 * @param lost      records the kernel could not deliver (ring buffer full), by sensor name
 * @param decodeErrors records that could not be decoded (a kernel/Java layout mismatch: a bug)
 */
public record StreamStats(Map<EventType, Long> delivered, Map<String, Long> lost, long decodeErrors) {
    public StreamStats {
        delivered = Map.copyOf(delivered);
        lost = Map.copyOf(lost);
    }

    public long totalDelivered() {
        return delivered.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalLost() {
        return lost.values().stream().mapToLong(Long::longValue).sum();
    }
}
