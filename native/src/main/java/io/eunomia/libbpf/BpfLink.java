package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.LibBpf;
import io.eunomia.libbpf.internal.Native;
import java.lang.foreign.MemorySegment;

/** An attachment of a program to its hook. Closing it detaches the program. */
public final class BpfLink implements AutoCloseable {
    private final BpfProgram program;
    private MemorySegment handle;

    BpfLink(BpfProgram program, MemorySegment handle) {
        this.program = program;
        this.handle = handle;
    }

    public BpfProgram program() {
        return program;
    }

    /** Kernel fd of the link, for bpftool cross-checks; -1 once closed. */
    public synchronized int fd() {
        if (handle == null) {
            return -1;
        }
        try {
            return (int) LibBpf.LINK_FD.invokeExact(Native.callState(), handle);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Whether this is a perf-event link (tracepoint/, kprobe/, uprobe/ sections): releasing one
     * unregisters its perf event, which waits for RCU grace periods in the releasing thread.
     */
    public synchronized boolean isPerfEvent() {
        int fd = fd();
        if (fd < 0) {
            return false;
        }
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/fdinfo", Integer.toString(fd)))
                    .contains("link_type:\tperf");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (handle == null) {
            return;
        }
        MemorySegment h = handle;
        handle = null;
        try {
            int rc = (int) LibBpf.LINK_DESTROY.invokeExact(Native.callState(), h);
            if (rc != 0) {
                throw new BpfException("detach", program.describe(), rc, Native.lastErrno());
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
