package io.eunomia.event;

/** A process created a new process (not a thread). {@code process} is the parent. */
public record ForkEvent(long epochNanos, ProcessInfo process, int childPid) implements Event {
    @Override
    public ForkEvent withProcess(ProcessInfo newProcess) {
        return new ForkEvent(epochNanos, newProcess, childPid);
    }

    @Override
    public EventType type() {
        return EventType.FORK;
    }
}
