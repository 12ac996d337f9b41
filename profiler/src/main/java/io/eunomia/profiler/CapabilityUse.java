package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One capability checked in the container with one outcome (granted or denied are kept apart:
 * a workload that tried and was refused does not need it).
 *
 * @param capability which
 * @param firstSeen  the first check with this outcome
 * @param count      checks seen, or null when the source does not count them (the kernel's usage
 *                   bitmap does not; the event stream counts the checks it reports)
 * @param syscalls   the syscalls the checks happened in, by architecture, where known (checks
 *                   outside a syscall, e.g. in a page fault, have none)
 */
public record CapabilityUse(Capability capability, Instant firstSeen, Long count, SortedMap<Arch, SortedSet<String>> syscalls)
        implements Comparable<CapabilityUse> {
    public CapabilityUse {
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(firstSeen, "firstSeen");
        TreeMap<Arch, SortedSet<String>> copy = new TreeMap<>();
        syscalls.forEach((arch, names) -> {
            if (!names.isEmpty()) {
                copy.put(arch, Collections.unmodifiableSortedSet(new TreeSet<>(names)));
            }
        });
        syscalls = Collections.unmodifiableSortedMap(copy);
    }

    public CapabilityUse(Capability capability, Instant firstSeen) {
        this(capability, firstSeen, null, new TreeMap<>());
    }

    public CapabilityUse union(CapabilityUse other) {
        if (capability != other.capability) {
            throw new IllegalArgumentException("different capabilities: " + capability + " and " + other.capability);
        }
        Map<Arch, SortedSet<String>> all = new EnumMap<>(Arch.class);
        for (var m : java.util.List.of(syscalls, other.syscalls)) {
            m.forEach((arch, names) -> all.computeIfAbsent(arch, a -> new TreeSet<>()).addAll(names));
        }
        return new CapabilityUse(capability, Merging.earlier(firstSeen, other.firstSeen), Merging.sum(count, other.count),
                new TreeMap<>(all));
    }

    @Override
    public int compareTo(CapabilityUse o) {
        return capability.compareTo(o.capability);
    }
}
