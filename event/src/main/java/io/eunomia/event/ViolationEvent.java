package io.eunomia.event;

/**
 * A process of a watched container stepped outside the container's learned profile: a syscall,
 * a capability check or an exec the profile does not hold, caught in the kernel (enforce.bpf.c).
 * In enforce mode the process was also sent SIGKILL ({@code killed}); the call that triggered it
 * still ran. Reports are rate-limited per container and kind in the kernel: {@code suppressed}
 * counts the violations of this kind in this container held back since the previous report.
 *
 * <p>A container that started after enforcement began is judged when it is classified (its
 * container resolved and matched to a profile, milliseconds after its start): what its workload
 * did before is reported then, late ({@code lateMillis} after the act), and in enforce mode its
 * processes are killed then.
 *
 * @param kind          what kind of step
 * @param syscall       syscall kind: the call's name ("mknod", or "syscall_<n>" for a number without
 *                      a name); capability kind: the call the check was made in (empty outside one);
 *                      empty for exec
 * @param syscallNumber the call's number in its ABI ({@code abi}); -1 when none
 * @param abi           the syscall's ABI, e.g. "x86_64", or "x86" for a 32-bit call on x86_64
 * @param capName       capability kind: e.g. "CAP_NET_RAW"; empty otherwise
 * @param capGranted    capability kind: whether the check passed
 * @param exe           exec kind: the executed file, resolved (as the container sees it); empty otherwise
 * @param killed        SIGKILL was sent to the process (enforce mode)
 * @param suppressed    violations of this kind in this container not reported since the previous report
 * @param total         violations of this kind in this container since its profile was applied, this one included
 * @param profile       the profile applied to the container (its name or file); empty when not known
 * @param lateMillis    -1: caught in the kernel at the act; else found when the container was
 *                      classified, this many milliseconds after the act (killed: its processes were killed then)
 */
public record ViolationEvent(long epochNanos, ProcessInfo process, ViolationKind kind, String syscall, int syscallNumber,
                             String abi, String capName, boolean capGranted, String exe, boolean killed, long suppressed,
                             long total, String profile, long lateMillis) implements Event {
    /** A violation caught in the kernel at the act. */
    public ViolationEvent(long epochNanos, ProcessInfo process, ViolationKind kind, String syscall, int syscallNumber,
                          String abi, String capName, boolean capGranted, String exe, boolean killed, long suppressed,
                          long total, String profile) {
        this(epochNanos, process, kind, syscall, syscallNumber, abi, capName, capGranted, exe, killed, suppressed, total,
                profile, -1);
    }

    @Override
    public ViolationEvent withProcess(ProcessInfo newProcess) {
        return new ViolationEvent(epochNanos, newProcess, kind, syscall, syscallNumber, abi, capName, capGranted, exe,
                killed, suppressed, total, profile, lateMillis);
    }

    /** The same violation, attributed to a profile. */
    public ViolationEvent withProfile(String newProfile) {
        return new ViolationEvent(epochNanos, process, kind, syscall, syscallNumber, abi, capName, capGranted, exe,
                killed, suppressed, total, newProfile, lateMillis);
    }

    /** Found when the container was classified, after the act (not caught in the kernel at the act). */
    public boolean late() {
        return lateMillis >= 0;
    }

    @Override
    public EventType type() {
        return EventType.VIOLATION;
    }

    /**
     * What enforcement did: "killed" or "reported" at the act; for a late one, e.g. "killed late
     * (at classification, 42 ms after the act)".
     */
    public String action() {
        String done = killed ? "killed" : "reported";
        return late() ? done + " late (at classification, " + lateMillis + " ms after the act)" : done;
    }

    /** What was outside the profile: the syscall, the capability or the executable. */
    public String subject() {
        return switch (kind) {
            case SYSCALL -> syscall;
            case CAPABILITY -> capName;
            case EXEC -> exe;
        };
    }
}
