package io.eunomia.libbpf;

import io.eunomia.libbpf.internal.LibBpf;
import io.eunomia.libbpf.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

    static {
        try {
            SAMPLE = MethodHandles.lookup().findVirtual(RingBuffer.class, "sample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class));
            SAMPLE_WITH = MethodHandles.lookup().findVirtual(RingBuffer.class, "sampleWith",
                    MethodType.methodType(int.class, RecordHandler.class, MemorySegment.class, MemorySegment.class, long.class));
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
        return rb;
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

    /** Upcall target: must not throw. */
    private int sample(MemorySegment ctx, MemorySegment data, long size) {
        return sampleWith(handler, ctx, data, size);
    }

    private int sampleWith(RecordHandler h, MemorySegment ctx, MemorySegment data, long size) {
        try {
            h.onRecord(ALL.asSlice(data.address(), size));
        } catch (Throwable t) {
            if (handlerErrors.getAndIncrement() == 0) {
                firstHandlerError = t;
            }
        }
        return 0;
    }

    /**
     * Waits up to timeoutMs for data and consumes what is there.
     *
     * @return records consumed (0 on timeout or EINTR)
     */
    public int poll(int timeoutMs) {
        MemorySegment h = checkOpen();
        int rc;
        try {
            rc = (int) LibBpf.RING_BUFFER_POLL.invokeExact(Native.callState(), h, timeoutMs);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return check("ring_buffer__poll", rc);
    }

    /** Consumes whatever is available without waiting. */
    public int consume() {
        MemorySegment h = checkOpen();
        int rc;
        try {
            rc = (int) LibBpf.RING_BUFFER_CONSUME.invokeExact(Native.callState(), h);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return check("ring_buffer__consume", rc);
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
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            handle = null;
            arena.close();
        }
    }
}
