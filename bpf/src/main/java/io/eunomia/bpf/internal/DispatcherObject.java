package io.eunomia.bpf.internal;

import io.eunomia.libbpf.BpfLink;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A dispatcher's BPF object (compat32.bpf.o, uring_dispatch.bpf.o): packaged in the jar, loaded
 * once, its programs attached together while at least one sensor is plugged into its program
 * arrays and detached with the last. What CompatDispatch and UringDispatch share.
 * Not thread-safe: the caller serialises.
 */
final class DispatcherObject implements AutoCloseable {
    private final BpfObject object;
    private List<BpfLink> links = List.of();

    private DispatcherObject(BpfObject object) {
        this.object = object;
    }

    /** Loads io/eunomia/bpf/FILE from the jar (not attached yet). */
    static DispatcherObject load(String file) {
        BpfObject obj = BpfObject.open(file, BpfResources.read("/io/eunomia/bpf/" + file));
        try {
            obj.load();
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
        return new DispatcherObject(obj);
    }

    BpfObject object() {
        return object;
    }

    /** Attaches every program, unless they are attached already; all or none. */
    void attach() {
        if (!links.isEmpty()) {
            return;
        }
        List<BpfLink> attached = new ArrayList<>();
        try {
            for (BpfProgram p : object.programs().values()) {
                attached.add(p.attach());
            }
        } catch (RuntimeException e) {
            attached.forEach(BpfLink::close);
            throw e;
        }
        links = attached;
    }

    void detach() {
        links.forEach(BpfLink::close);
        links = List.of();
    }

    boolean attached() {
        return !links.isEmpty();
    }

    @Override
    public void close() {
        object.close();
    }

    /** A u32 key or value in native order (program array slots and program fds). */
    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
