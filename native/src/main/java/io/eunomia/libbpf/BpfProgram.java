package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.LibBpf;
import io.eunomia.libbpf.internal.Native;
import java.lang.foreign.MemorySegment;

/** One program of a {@link BpfObject}; attached by its section name (tp_btf/..., tracepoint/..., raw_tp/...). */
public final class BpfProgram {
    private final BpfObject object;
    private final MemorySegment handle;
    private final String name;
    private final String sectionName;

    BpfProgram(BpfObject object, MemorySegment handle) {
        this.object = object;
        this.handle = handle;
        try {
            this.name = Native.string((MemorySegment) LibBpf.PROGRAM_NAME.invokeExact(Native.callState(), handle));
            this.sectionName = Native.string((MemorySegment) LibBpf.PROGRAM_SECTION_NAME.invokeExact(Native.callState(), handle));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public String name() {
        return name;
    }

    /** e.g. "tracepoint/syscalls/sys_enter_openat". */
    public String sectionName() {
        return sectionName;
    }

    public boolean autoload() {
        object.ensureOpen();
        try {
            return (boolean) LibBpf.PROGRAM_AUTOLOAD.invokeExact(Native.callState(), handle);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Before load: leave this program out (e.g. its hook does not exist on this kernel). */
    public void setAutoload(boolean autoload) {
        object.ensureOpen();
        int rc;
        try {
            rc = (int) LibBpf.PROGRAM_SET_AUTOLOAD.invokeExact(Native.callState(), handle, autoload);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) {
            throw new BpfException("set_autoload", describe(), rc, Native.lastErrno());
        }
    }

    /** Kernel fd of the loaded program, for bpftool cross-checks. */
    public int fd() {
        object.ensureOpen();
        try {
            return (int) LibBpf.PROGRAM_FD.invokeExact(Native.callState(), handle);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Attaches by section name. The link is owned by the object and destroyed with it. */
    public BpfLink attach() {
        object.ensureOpen();
        if (!object.isLoaded()) {
            throw new IllegalStateException("load " + object.name() + " before attaching " + name);
        }
        MemorySegment link;
        try {
            link = (MemorySegment) LibBpf.PROGRAM_ATTACH.invokeExact(Native.callState(), handle);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (link.equals(MemorySegment.NULL)) {
            int errno = Native.lastErrno();
            throw new BpfException("attach", describe(), 0, errno);
        }
        BpfLink l = new BpfLink(this, link);
        object.own(l);
        return l;
    }

    String describe() {
        return "program '" + name + "' (" + sectionName + ") in " + object.name();
    }

    @Override
    public String toString() {
        return describe();
    }
}
