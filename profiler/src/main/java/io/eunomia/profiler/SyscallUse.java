package io.eunomia.profiler;

import java.time.Instant;
import java.util.Objects;

/**
 * One syscall a container made, under one architecture.
 *
 * @param name      the syscall's name in that architecture's table, or {@code syscall_<nr>} for a
 *                  number the table does not know (a newer kernel's call)
 * @param firstSeen when learning first saw it (to the learner's poll interval: the kernel keeps a
 *                  bitmap, not times)
 * @param count     how many calls, or null when the source does not count (the kernel bitmap does not)
 */
public record SyscallUse(String name, Instant firstSeen, Long count) implements Comparable<SyscallUse> {
    public SyscallUse {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(firstSeen, "firstSeen");
        if (count != null && count < 0) {
            throw new IllegalArgumentException("negative count " + count + " for " + name);
        }
    }

    public SyscallUse(String name, Instant firstSeen) {
        this(name, firstSeen, null);
    }

    /** The union of two sightings of the same call: the earlier time, counts added (unknown stays unknown). */
    public SyscallUse union(SyscallUse other) {
        return new SyscallUse(name, Merging.earlier(firstSeen, other.firstSeen), Merging.sum(count, other.count));
    }

    @Override
    public int compareTo(SyscallUse o) {
        return name.compareTo(o.name);
    }
}
