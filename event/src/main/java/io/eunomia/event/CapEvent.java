package io.eunomia.event;

/**
 * A capability check in the kernel (tp_btf/cap_capable), by the task that made it.
 * Deduplicated in the kernel: the first check of a capability with a given outcome by a process
 * image is always reported; identical checks within the sensor's report interval (default 1 s)
 * are counted in {@code suppressed} of the next record instead of being sent each.
 *
 * @param capability  capability number (CAP_CHOWN = 0 ...)
 * @param capName     its name, e.g. "CAP_SYS_ADMIN" ("CAP_<n>" for a number this build does not know)
 * @param granted     false when the check failed; note that many kernel checks are silent probes
 *                    (noaudit), so a denial does not always mean an operation failed
 * @param syscall     the system call the task was in (e.g. "chown"), empty outside one
 * @param userns      inode number of the user namespace the capability was checked against
 * @param usernsLevel its depth: 0 is the host's initial user namespace (real privilege), more is a
 *                    nested one (e.g. a rootless container's)
 * @param suppressed  identical checks by this process not reported since the previous record
 */
public record CapEvent(long epochNanos, ProcessInfo process, int capability, String capName, boolean granted,
                       String syscall, long userns, int usernsLevel, long suppressed) implements Event {
    @Override
    public CapEvent withProcess(ProcessInfo newProcess) {
        return new CapEvent(epochNanos, newProcess, capability, capName, granted, syscall, userns, usernsLevel, suppressed);
    }

    @Override
    public EventType type() {
        return EventType.CAP;
    }

    /** Whether the check was against the host's user namespace, i.e. for privilege over the host. */
    public boolean inHostUserNamespace() {
        return usernsLevel == 0;
    }
}
