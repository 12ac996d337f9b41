package io.eunomia.event;

import java.util.Map;

/**
 * Counters of an event stream.
 *
 * @param delivered events decoded and delivered, by type
 * @param lost      records the kernel could not deliver (ring buffer full), by sensor name
 * @param decodeErrors records lost in user space: not decodable (a kernel/Java layout mismatch), or an error
 *                     thrown while handling one (a bug either way)
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
