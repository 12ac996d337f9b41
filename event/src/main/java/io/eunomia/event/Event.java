package io.eunomia.event;

/**
 * Something a process did, as a sensor saw it in the kernel. Immutable; safe to share between
 * threads. Plain data: reading events needs no native code.
 */
public sealed interface Event permits ExecEvent, ExitEvent, ForkEvent, FileEvent, NetEvent, CapEvent, SyscallEvent,
        ViolationEvent {
    /** Wall-clock time of the event in nanoseconds since the epoch. */
    long epochNanos();

    /** The process that did it. */
    ProcessInfo process();

    EventType type();

    /** The same event with other process information (e.g. once its container is known). */
    Event withProcess(ProcessInfo process);
}
