package io.eunomia.bpf.internal;

import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.MappedArray;
import java.util.List;

/**
 * The maps every sensor object shares (common.bpf.h): the one ring buffer, so that records of all
 * sensors arrive in the order they were produced; the namespaces already described; the reader's
 * wake-up state. Made by shared.bpf.o, which has no programs (no verifier: milliseconds), before
 * any sensor loads: no sensor waits for another's load to reuse them, so the sensors load in
 * parallel. Not thread-safe to create or close; {@link #share} may run on several threads at once
 * (it only reads the fds).
 */
public final class SharedMaps implements AutoCloseable {
    private static final String RESOURCE = "/io/eunomia/bpf/shared.bpf.o";
    /** Every map of common.bpf.h whose one instance all sensors use; the others (settings, drops, scratch) are per sensor. */
    static final List<String> NAMES = List.of("events", "ns_known", "last_wakeup", "forced_wakeups", "reader_in_rounds");

    private final BpfObject object;
    /** Mapped once, with the maps: each mapping is an mmap(2) kept until the object closes. */
    private final MappedArray readerInRounds;

    private SharedMaps(BpfObject object, MappedArray readerInRounds) {
        this.object = object;
        this.readerInRounds = readerInRounds;
    }

    /** Creates the maps, the ring buffer {@code ringBytes} large (a power of two, a multiple of the page size). */
    public static SharedMaps create(int ringBytes) {
        BpfObject obj = BpfObject.open("shared.bpf.o", BpfResources.read(RESOURCE));
        try {
            obj.map("events").setMaxEntries(ringBytes);
            obj.load();
            return new SharedMaps(obj, MappedArray.map(obj.map("reader_in_rounds")));
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    /** Before a sensor object loads: its shared maps become these. */
    public void share(BpfObject sensor) {
        for (String name : NAMES) {
            sensor.map(name).reuseFd(object.map(name).fd());
        }
    }

    public BpfMap events() {
        return object.map("events");
    }

    public BpfMap nsKnown() {
        return object.map("ns_known");
    }

    /** The attribution stage forgot a namespace: its next event must describe it again. */
    public void forgetNamespace(long key) {
        nsKnown().delete(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putLong(key).array());
    }

    public BpfMap lastWakeup() {
        return object.map("last_wakeup");
    }

    public BpfMap forcedWakeups() {
        return object.map("forced_wakeups");
    }

    /** The reader's "in rounds" flag (a u32 at entry 0), mapped into memory: written without a system call; unmapped by {@link #close}. */
    public MappedArray readerInRounds() {
        return readerInRounds;
    }

    /** The object holding the maps (tests look at a map through bpf(2)). */
    BpfObject object() {
        return object;
    }

    /** Frees this process's references; a map lives on while a loaded sensor program uses it. */
    @Override
    public void close() {
        object.close();
    }
}
