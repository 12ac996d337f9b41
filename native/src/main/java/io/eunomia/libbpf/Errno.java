package io.eunomia.libbpf;

import io.eunomia.libbpf.Libc;

/** The errno values libbpf calls return, and messages a person can act on (names from {@link io.eunomia.abi.Errno}). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOSYS = 38;
    public static final int ENOTSUP = 95;

    private Errno() {}

    /** "ENOENT" for 2, "E123" when the number has no name. */
    public static String name(int errno) {
        return io.eunomia.abi.Errno.name(errno);
    }

    /** "EPERM (Operation not permitted)". */
    public static String describe(int errno) {
        int e = Math.abs(errno);
        if (e == 524) {
            return "ENOTSUPP (operation not supported by this kernel)";
        }
        return name(e) + " (" + Libc.strerror(e) + ")";
    }
}
