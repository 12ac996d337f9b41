package io.eunomia.event;

/**
 * A process ended.
 *
 * @param status wait(2)-style status: exit code in bits 8-15, terminating signal in bits 0-6
 */
public record ExitEvent(long epochNanos, ProcessInfo process, int status) implements Event {
    @Override
    public ExitEvent withProcess(ProcessInfo newProcess) {
        return new ExitEvent(epochNanos, newProcess, status);
    }

    @Override
    public EventType type() {
        return EventType.EXIT;
    }

    public int exitCode() {
        return (status >> 8) & 0xff;
    }

    /** The signal that killed the process, 0 if it exited. */
    public int signal() {
        return status & 0x7f;
    }
}
