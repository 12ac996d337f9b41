package io.eunomia.libbpf.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Shared FFM plumbing: the linker, errno capture and symbol lookup helpers.
 * Every downcall made through {@link #downcall} captures errno, so a failure can always be
 * reported with the errno the C library saw at that very call.
 */
public final class Native {
    public static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Per-thread errno capture buffer; downcalls are made from several threads (pollers, CLI). */
    private static final ThreadLocal<MemorySegment> CALL_STATE_BUFFER =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CALL_STATE));

    private Native() {}

    /** A downcall handle whose first argument is the errno capture segment. */
    public static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol " + name + " not found"));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
    }

    /** {@link #downcall} for a C varargs function (ioctl): arguments from firstVariadic on are the variable ones. */
    public static MethodHandle variadicDowncall(SymbolLookup lookup, String name, FunctionDescriptor fd, int firstVariadic) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol " + name + " not found"));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** A downcall handle without errno capture, for calls that cannot fail. */
    public static MethodHandle plainDowncall(SymbolLookup lookup, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol " + name + " not found"));
        return LINKER.downcallHandle(symbol, fd);
    }

    /** The capture buffer to pass as first argument of a {@link #downcall} handle. */
    public static MemorySegment callState() {
        return CALL_STATE_BUFFER.get();
    }

    /** errno as captured by the last downcall made on this thread. */
    public static int lastErrno() {
        return (int) ERRNO.get(CALL_STATE_BUFFER.get(), 0L);
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final java.lang.foreign.AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /** Reads a NUL-terminated C string, or null for a NULL pointer. */
    public static String string(MemorySegment ptr) {
        if (ptr == null || ptr.equals(MemorySegment.NULL)) {
            return null;
        }
        return ptr.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
