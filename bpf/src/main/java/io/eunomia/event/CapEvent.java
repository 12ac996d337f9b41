package io.eunomia.event;

/**
 * A capability check in the kernel (tp_btf/cap_capable).
 *
 * @param capability capability number (CAP_CHOWN = 0 ...)
 * @param capName    its name, e.g. "CAP_SYS_ADMIN"
 * @param granted    false when the check failed (the operation was denied)
 */
public record CapEvent(long epochNanos, ProcessInfo process, int capability, String capName, boolean granted)
        implements Event {
    @Override
    public EventType type() {
        return EventType.CAP;
    }
}
