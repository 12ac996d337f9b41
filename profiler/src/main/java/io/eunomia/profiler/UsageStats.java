package io.eunomia.profiler;

/**
 * How full the learning maps are and what could not be recorded (all counts since the source
 * started). Nothing is lost silently: a learner reports non-zero losses in the profiles they touch.
 *
 * @param namespaces        namespaces with a syscall entry now
 * @param capacity          namespaces the syscall map can hold
 * @param syscallsNotRecorded syscalls not recorded because the syscall map was full
 * @param outOfRange        syscalls whose number does not fit the bitmap (x32 calls, bogus numbers)
 * @param capNamespaces     namespaces with a capability entry now
 * @param capCapacity       namespaces the capability map can hold (it drops the least recently active when full)
 * @param capEvicted        namespaces the full capability map dropped (their checks since the last read are lost)
 * @param argumentEntries   argument values stored now
 * @param argumentCapacity  argument values the map can hold
 * @param argumentsNotRecorded argument values not recorded because the value map was full
 */
public record UsageStats(int namespaces, int capacity, long syscallsNotRecorded, long outOfRange,
                         int capNamespaces, int capCapacity, long capEvicted, int argumentEntries, int argumentCapacity,
                         long argumentsNotRecorded) {
    /** The fullest map's fill level, 0..1. */
    public double maxFill() {
        return Math.max(fill(namespaces, capacity), Math.max(fill(capNamespaces, capCapacity),
                fill(argumentEntries, argumentCapacity)));
    }

    private static double fill(int used, int cap) {
        return cap <= 0 ? 0 : (double) used / cap;
    }
}
