package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.LibBpf;
import io.eunomia.libbpf.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A libbpf ring buffer consumer over a BPF_MAP_TYPE_RINGBUF map. Poll it from one thread.
 * The native callback never lets an exception reach C: a failing handler is counted and the
 * first failure kept for diagnosis.
 */
public final class RingBuffer implements AutoCloseable {
    private static final MethodHandle SAMPLE;
    private static final MethodHandle SAMPLE_WITH;
    /**
     * All of memory, made once: a record is a slice of it. reinterpret() per record checked the
     * caller's native access on every call (a top frame of the poller thread in JFR).
     */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final SymbolLookup LIBC = Native.LINKER.defaultLookup();
    private static final MethodHandle EVENTFD = Native.downcall(LIBC, "eventfd",
            FunctionDescriptor.of(Native.C_INT, Native.C_INT, Native.C_INT));
    private static final MethodHandle EPOLL_CTL = Native.downcall(LIBC, "epoll_ctl",
            FunctionDescriptor.of(Native.C_INT, Native.C_INT, Native.C_INT, Native.C_INT, Native.C_POINTER));
    private static final MethodHandle WRITE = Native.downcall(LIBC, "write",
            FunctionDescriptor.of(Native.C_LONG, Native.C_INT, Native.C_POINTER, Native.C_SIZE_T));
    private static final MethodHandle CLOSE = Native.plainDowncall(LIBC, "close", FunctionDescriptor.of(Native.C_INT, Native.C_INT));
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLLIN = 1;
    /**
     * What a sample upcall returns to end libbpf's call before the ring is empty (a limited
     * {@link #consume(long)}): libbpf stores the consumer position past that record, then returns
     * the code. -ECANCELED: no error libbpf's own calls return here.
     */
    private static final int STOP = -125;
    private static final long NO_LIMIT = Long.MAX_VALUE;

    static {
        try {
            SAMPLE = MethodHandles.lookup().findVirtual(RingBuffer.class, "sample",
                    MethodType.methodType(int.class, long.class, long.class, long.class));
            SAMPLE_WITH = MethodHandles.lookup().findVirtual(RingBuffer.class, "sampleWith",
                    MethodType.methodType(int.class, RecordHandler.class, long.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BpfMap map;
    private final RecordHandler handler;
    private final Arena arena = Arena.ofShared();
    private final AtomicLong handlerErrors = new AtomicLong();
    private volatile Throwable firstHandlerError;
    private MemorySegment handle;
    /** In the consumer's epoll set, so {@link #wakeUp} can end a poll that waits; -1 when there is none. */
    private int wakeFd = -1;
    // The limited call under way (the polling thread's): its limit, records taken, when its first was, whether it was ended early.
    private long limitNanos = NO_LIMIT;
    private int taken;
    private long firstTaken;
    private boolean stopped;

    private RingBuffer(BpfMap map, RecordHandler handler) {
        this.map = map;
        this.handler = handler;
    }

    /**
     * Creates a consumer for a loaded ring buffer map. It is closed with any object whose map it
     * reads (its mmap would otherwise keep the map alive in the kernel); the poller must have
     * stopped before that.
     */
    public static RingBuffer open(BpfMap map, RecordHandler handler) {
        if (map.type() != BpfMap.TYPE_RINGBUF) {
            throw new IllegalArgumentException(map + " is not a ring buffer (type " + map.type() + ")");
        }
        RingBuffer rb = new RingBuffer(map, handler);
        MemorySegment callback = Native.LINKER.upcallStub(SAMPLE.bindTo(rb), LibBpf.RING_BUFFER_SAMPLE_FN, rb.arena);
        MemorySegment h;
        try {
            h = (MemorySegment) LibBpf.RING_BUFFER_NEW.invokeExact(Native.callState(), map.fd(), callback,
                    MemorySegment.NULL, MemorySegment.NULL);
        } catch (Throwable t) {
            rb.arena.close();
            throw new IllegalStateException(t);
        }
        if (h.equals(MemorySegment.NULL)) {
            int errno = Native.lastErrno();
            rb.arena.close();
            throw new BpfException("ring_buffer__new", map.describe(), 0, errno);
        }
        rb.handle = h;
        map.object().own(rb);
        rb.wakeFd = rb.addWakeFd(h);
        return rb;
    }

    /**
     * An eventfd in libbpf's epoll set, its epoll data 0: libbpf takes that as the index of the
     * first ring, so a wake-up just makes the poll look at that ring once more. Without one (the
     * call failed) a poll ends at its timeout, as before.
     */
    private int addWakeFd(MemorySegment h) {
        try {
            int epfd = (int) LibBpf.RING_BUFFER_EPOLL_FD.invokeExact(Native.callState(), h);
            int efd = (int) EVENTFD.invokeExact(Native.callState(), 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (epfd < 0 || efd < 0) {
                return -1;
            }
            // struct epoll_event: u32 events, then u64 data (packed on x86_64): all zero but the events
            MemorySegment ev = arena.allocate(16, 8);
            ev.set(ValueLayout.JAVA_INT, 0, EPOLLIN);
            int rc = (int) EPOLL_CTL.invokeExact(Native.callState(), epfd, EPOLL_CTL_ADD, efd, ev);
            if (rc != 0) {
                int ignored = (int) CLOSE.invokeExact(efd);
                return -1;
            }
            return efd;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Ends a {@link #poll} that waits now, and makes every later one return at once (for stopping
     * the poller: a long idle timeout then costs nothing at shutdown). Any thread; no-op once closed.
     */
    public synchronized void wakeUp() {
        if (handle == null || wakeFd < 0) {
            return;
        }
        MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        try {
            long ignored = (long) WRITE.invokeExact(Native.callState(), wakeFd, one, 8L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Adds another ring buffer map (possibly of another object) to this consumer's epoll set. */
    public synchronized void add(BpfMap other, RecordHandler otherHandler) {
        MemorySegment h = checkOpen();
        if (other.type() != BpfMap.TYPE_RINGBUF) {
            throw new IllegalArgumentException(other + " is not a ring buffer (type " + other.type() + ")");
        }
        MethodHandle target = MethodHandles.insertArguments(SAMPLE_WITH, 0, this, otherHandler);
        MemorySegment callback = Native.LINKER.upcallStub(target, LibBpf.RING_BUFFER_SAMPLE_FN, arena);
        int rc;
        try {
            rc = (int) LibBpf.RING_BUFFER_ADD.invokeExact(Native.callState(), h, other.fd(), callback, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) {
            throw new BpfException("ring_buffer__add", other.describe(), rc, Native.lastErrno());
        }
        other.object().own(this);
    }

    /** The record of size bytes at address (a ring's, during its handler's call) as a segment. */
    static MemorySegment record(long address, long size) {
        return ALL.asSlice(address, size);
    }

    /** Copies the record of size bytes at address (a ring's, during its handler's call) into dst from index 0. */
    public static void copy(long address, byte[] dst, int size) {
        MemorySegment.copy(ALL, ValueLayout.JAVA_BYTE, address, dst, 0, size);
    }

    /** Upcall target: must not throw. ctx and data are C pointers (LibBpf.RING_BUFFER_SAMPLE_FN). */
    private int sample(long ctx, long data, long size) {
        return sampleWith(handler, ctx, data, size);
    }

    private int sampleWith(RecordHandler h, long ctx, long data, long size) {
        try {
            h.onRecord(data, size);
        } catch (Throwable t) {
            if (handlerErrors.getAndIncrement() == 0) {
                firstHandlerError = t;
            }
        }
        if (limitNanos == NO_LIMIT) {
            return 0;
        }
        long now = System.nanoTime();
        if (taken++ == 0) {
            firstTaken = now;
        }
        return now - firstTaken >= limitNanos ? stop() : 0;
    }

    private int stop() {
        stopped = true;
        return STOP;
    }

    /**
     * Waits up to timeoutMs for data and consumes what is there.
     *
     * @return records consumed (0 on timeout or EINTR)
     */
    public int poll(int timeoutMs) {
        return poll(timeoutMs, NO_LIMIT);
    }

    /**
     * Waits up to timeoutMs for data and consumes what is there, for at most {@code maxNanos} after
     * the first record ({@link #consume(long)}).
     *
     * @return records consumed (0 on timeout or EINTR)
     */
    public int poll(int timeoutMs, long maxNanos) {
        return take(true, timeoutMs, maxNanos);
    }

    /** Consumes whatever is available without waiting. */
    public int consume() {
        return consume(NO_LIMIT);
    }

    /**
     * Consumes what is available without waiting, and stops at the first record handled
     * {@code maxNanos} or more after the first (0: one record). libbpf's own call returns only once
     * it finds the ring empty: a producer as fast as the handler never lets it.
     *
     * @return records consumed
     */
    public int consume(long maxNanos) {
        return take(false, 0, maxNanos);
    }

    /** One libbpf call, a poll (waiting up to timeoutMs) or a consume, limited to maxNanos of records. */
    private int take(boolean poll, int timeoutMs, long maxNanos) {
        if (maxNanos < 0) {
            throw new IllegalArgumentException("a negative limit: " + maxNanos + " ns");
        }
        MemorySegment h = checkOpen();
        limitNanos = maxNanos;
        taken = 0;
        stopped = false;
        int rc;
        try {
            rc = poll ? (int) LibBpf.RING_BUFFER_POLL.invokeExact(Native.callState(), h, timeoutMs)
                    : (int) LibBpf.RING_BUFFER_CONSUME.invokeExact(Native.callState(), h);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (stopped) {
            return taken;   // ended by the limit, not an error
        }
        return check(poll ? "ring_buffer__poll" : "ring_buffer__consume", rc);
    }

    private int check(String op, int rc) {
        if (rc >= 0) {
            return rc;
        }
        int errno = Native.lastErrno();
        if (-rc == Errno.EINTR) {
            return 0;
        }
        throw new BpfException(op, map.describe(), rc, errno);
    }

    public long handlerErrors() {
        return handlerErrors.get();
    }

    /** The first exception a handler threw, or null. */
    public Throwable firstHandlerError() {
        return firstHandlerError;
    }

    private synchronized MemorySegment checkOpen() {
        if (handle == null) {
            throw new IllegalStateException("ring buffer on " + map.describe() + " is closed");
        }
        return handle;
    }

    @Override
    public synchronized void close() {
        if (handle == null) {
            return;
        }
        try {
            LibBpf.RING_BUFFER_FREE.invokeExact(Native.callState(), handle);
            if (wakeFd >= 0) {
                int ignored = (int) CLOSE.invokeExact(wakeFd);
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            handle = null;
            wakeFd = -1;
            arena.close();
        }
    }
}
