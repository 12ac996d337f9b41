package io.eunomia.event;

/**
 * What a successful exec left its process with, read by the kernel sensor at the exec (so the
 * process table need not read /proc/PID/status for every exec, and cannot race its end).
 *
 * @param capEffective  effective capability set (bit N = capability N)
 * @param capPermitted  permitted capability set
 * @param seccompMode   0 off, 1 strict, 2 filter
 * @param vpid          the process's pid in its own pid namespace
 * @param capsFromFile  the exec raised the permitted set from the file's capabilities (setcap), not
 *                      by a setuid or setgid bit: the kernel found it privilege-raising, the ids stayed
 */
public record ExecCredentials(long capEffective, long capPermitted, int seccompMode, int vpid, boolean capsFromFile) {
    /** Credentials of an exec that gained nothing from file capabilities. */
    public ExecCredentials(long capEffective, long capPermitted, int seccompMode, int vpid) {
        this(capEffective, capPermitted, seccompMode, vpid, false);
    }
}
