package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.Native;

import static io.eunomia.libbpf.internal.Native.C_INT;
import static io.eunomia.libbpf.internal.Native.C_LONG;
import static io.eunomia.libbpf.internal.Native.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** The few libc calls the tool needs and the JDK does not offer. */
public final class Libc {
    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();
    private static final MethodHandle GETEUID =
            Native.plainDowncall(LIBC, "geteuid", FunctionDescriptor.of(C_INT));
    private static final MethodHandle STRERROR =
            Native.plainDowncall(LIBC, "strerror", FunctionDescriptor.of(C_POINTER, C_INT));
    private static final MethodHandle CLOCK_GETTIME =
            Native.plainDowncall(LIBC, "clock_gettime", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle MOUNT = Native.downcall(LIBC, "mount",
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_POINTER));

    private static final MethodHandle KILL = Native.downcall(LIBC, "kill", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    private static final MethodHandle OPEN = Native.variadicDowncall(LIBC, "open",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT), 2);
    private static final MethodHandle IOCTL = Native.variadicDowncall(LIBC, "ioctl",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG, C_POINTER), 2);
    private static final MethodHandle CLOSE = Native.plainDowncall(LIBC, "close", FunctionDescriptor.of(C_INT, C_INT));

    private static final int O_RDONLY_CLOEXEC = 0x80000;
    /** _IOR(NSIO 0xb7, 5, __u64) of linux/nsfs.h (Linux 6.8+): the 64-bit id of a mount namespace. */
    private static final long NS_GET_MNTNS_ID = 0x8008b705L;

    public static final int SIGKILL = 9;
    public static final int SIGCONT = 18;

    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;

    private Libc() {}

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static synchronized String strerror(int errno) {
        try {
            return Native.string((MemorySegment) STRERROR.invokeExact(errno));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** clock_gettime in nanoseconds. */
    public static long clockNanos(int clock) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16, 8);
            int rc = (int) CLOCK_GETTIME.invokeExact(clock, ts);
            if (rc != 0) {
                throw new IllegalStateException("clock_gettime(" + clock + ") failed");
            }
            return ts.get(C_LONG, 0) * 1_000_000_000L + ts.get(C_LONG, 8);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** mount(2) with fixed, program-chosen arguments; returns 0 or the errno. */
    public static int mount(String source, String target, String fstype) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) MOUNT.invokeExact(Native.callState(), arena.allocateFrom(source),
                    arena.allocateFrom(target), arena.allocateFrom(fstype), 0L, MemorySegment.NULL);
            return rc == 0 ? 0 : Native.lastErrno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** kill(2); returns 0 or the errno (ESRCH when the process is gone). */
    public static int kill(int pid, int signal) {
        if (pid <= 0) {
            throw new IllegalArgumentException("kill needs one process, not pid " + pid);
        }
        try {
            int rc = (int) KILL.invokeExact(Native.callState(), pid, signal);
            return rc == 0 ? 0 : Native.lastErrno();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * The id of the mount namespace process pid is in (ioctl NS_GET_MNTNS_ID on /proc/PID/ns/mnt):
     * unique while the host runs, unlike the namespace's number. Empty when the process is gone or
     * the kernel is older than 6.8.
     */
    public static java.util.OptionalLong mountNamespaceId(long pid) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(Native.callState(), arena.allocateFrom("/proc/" + pid + "/ns/mnt"), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                return java.util.OptionalLong.empty();
            }
            try {
                MemorySegment id = arena.allocate(8, 8);
                int rc = (int) IOCTL.invokeExact(Native.callState(), fd, NS_GET_MNTNS_ID, id);
                return rc == 0 ? java.util.OptionalLong.of(id.get(C_LONG, 0)) : java.util.OptionalLong.empty();
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
