package io.eunomia.libbpf.internal;

import static io.eunomia.libbpf.internal.Native.C_INT;
import static io.eunomia.libbpf.internal.Native.C_LONG;
import static io.eunomia.libbpf.internal.Native.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * Has the kernel drop the last references to some file descriptors from one of its own worker
 * threads instead of from the thread (or the exiting process) that closes them.
 *
 * <p>Why: releasing a perf-event tracepoint link waits for RCU grace periods in the releasing
 * thread (about 40 ms each, and the kernel serialises them), so closing a hundred of them holds a
 * command, or its process exit, for seconds.
 *
 * <p>How: the descriptors are sent (SCM_RIGHTS) into a unix socket pair, followed by the receiving
 * socket itself. After the caller has closed its own copies, {@link #close} closes the pair: the
 * in-flight messages then form an unreachable cycle that only the kernel's unix-socket garbage
 * collector can free, and on current kernels (6.18 here) it runs from a workqueue, so the links
 * go away within seconds without anyone waiting. On a kernel whose collector runs in the closing
 * thread this costs what a plain close costs, never more. Nothing outlives the collection.
 *
 * <p>The kernel starts a collection only when a unix socket is released (the last reference to
 * its file goes). Closing the receiver releases nothing (its own queue still references it);
 * closing the sender does. So the receiver is closed first: the sender's release then starts a
 * collection that finds the cycle already unreachable. In the other order that collection could
 * run between the two closes (23 closes in 200 at load 20 here: KernelReleaseTest), find the
 * receiver still open, and the cycle waited for the next release of any unix socket on the host,
 * the links attached all that time: StopTest saw over 180 s and 544 s on a quiet VM (2026-12-07).
 */
public final class KernelRelease implements AutoCloseable {
    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();
    private static final MethodHandle SOCKETPAIR = Native.downcall(LIBC, "socketpair",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER));
    private static final MethodHandle SENDMSG = Native.downcall(LIBC, "sendmsg",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT));
    private static final MethodHandle CLOSE = Native.plainDowncall(LIBC, "close", FunctionDescriptor.of(C_INT, C_INT));

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    /** The kernel's limit of descriptors per message (SCM_MAX_FD). */
    private static final int MAX_FDS_PER_MESSAGE = 253;

    private static final StructLayout IOVEC = MemoryLayout.structLayout(C_POINTER.withName("base"), C_LONG.withName("len"));
    private static final StructLayout MSGHDR = MemoryLayout.structLayout(
            C_POINTER.withName("name"), C_INT.withName("namelen"), MemoryLayout.paddingLayout(4),
            C_POINTER.withName("iov"), C_LONG.withName("iovlen"),
            C_POINTER.withName("control"), C_LONG.withName("controllen"),
            C_INT.withName("flags"), MemoryLayout.paddingLayout(4));
    /** struct cmsghdr: size_t len; int level; int type; then the data. */
    private static final long CMSG_HEADER = 16;

    private final int sender;
    private final int receiver;
    private boolean closed;

    private KernelRelease(int sender, int receiver) {
        this.sender = sender;
        this.receiver = receiver;
    }

    /**
     * Takes an extra kernel reference to each descriptor. Close the descriptors as usual, then
     * this: the last references then go from a kernel worker.
     *
     * @throws IllegalStateException with the errno when the kernel refuses (the caller closes
     *                               normally then; nothing was taken)
     */
    public static KernelRelease hold(int[] fds) {
        int[] pair = socketPair();
        KernelRelease r = new KernelRelease(pair[0], pair[1]);
        try {
            for (int from = 0; from < fds.length; from += MAX_FDS_PER_MESSAGE) {
                r.send(Arrays.copyOfRange(fds, from, Math.min(fds.length, from + MAX_FDS_PER_MESSAGE)));
            }
            // The receiver in its own queue: once closed here, only the collector can reach it.
            r.send(new int[] {r.receiver});
            return r;
        } catch (RuntimeException e) {
            // Closing the pair drops whatever was sent: as if nothing had been taken.
            r.close();
            throw e;
        }
    }

    private static int[] socketPair() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sv = arena.allocate(C_INT, 2);
            int rc = (int) SOCKETPAIR.invokeExact(Native.callState(), AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
            if (rc != 0) {
                throw new IllegalStateException("socketpair: errno " + Native.lastErrno());
            }
            return new int[] {sv.getAtIndex(C_INT, 0), sv.getAtIndex(C_INT, 1)};
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private void send(int[] fds) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment payload = arena.allocate(1);
            MemorySegment iov = arena.allocate(IOVEC);
            iov.set(C_POINTER, 0, payload);
            iov.set(C_LONG, 8, 1L);
            long cmsgLen = CMSG_HEADER + 4L * fds.length;
            long space = (cmsgLen + 7) & ~7L;
            MemorySegment control = arena.allocate(space, 8);
            control.set(C_LONG, 0, cmsgLen);
            control.set(C_INT, 8, SOL_SOCKET);
            control.set(C_INT, 12, SCM_RIGHTS);
            MemorySegment.copy(fds, 0, control, C_INT, CMSG_HEADER, fds.length);
            MemorySegment msg = arena.allocate(MSGHDR);
            msg.set(C_POINTER, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("iov")), iov);
            msg.set(C_LONG, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("iovlen")), 1L);
            msg.set(C_POINTER, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("control")), control);
            msg.set(C_LONG, MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("controllen")), space);
            long sent = (long) SENDMSG.invokeExact(Native.callState(), sender, msg, 0);
            if (sent != 1) {
                throw new IllegalStateException("sendmsg(SCM_RIGHTS, " + fds.length + " fds): errno " + Native.lastErrno());
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Closes the socket pair, the receiver first (see the class comment): the held references now
     * belong to the kernel's collector alone, which the sender's release has just started.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int r = (int) CLOSE.invokeExact(receiver);
            int s = (int) CLOSE.invokeExact(sender);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
