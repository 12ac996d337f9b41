package io.eunomia.bpf;

import io.eunomia.bpf.container.CgroupControllers;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.ContainerResolver;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.bpf.internal.Header;
import io.eunomia.bpf.internal.MonotonicClock;
import io.eunomia.bpf.internal.RecordReader;
import io.eunomia.bpf.internal.RecordType;
import io.eunomia.bpf.internal.SettingsCodec;
import io.eunomia.event.ProcessInfo;
import io.eunomia.libbpf.BpfObject;
import java.lang.foreign.MemorySegment;

/**
 * What a BPF object that is not a sensor but is built on the sensors' common.bpf.h (the bench
 * module's ring-buffer benchmark) shares with them: the settings map that turns it on, and the
 * header its records start with, decoded by the sensors' own code, with the container known for
 * its process ({@link ContainerAttribution#current}: what an event of a known namespace pays;
 * these records are not events and never wait). The part after the header is the caller's.
 * Sensors go through {@link KernelSensors}.
 */
public final class CommonRecords implements AutoCloseable {
    /** Bytes of the header every record starts with (struct event_header); the body follows. */
    public static final int HEADER_BYTES = Header.SIZE;
    /** The record type of the benchmark's records (EVT_BENCH of events.h). */
    public static final int BENCH_TYPE = RecordType.BENCH.code();

    /** Decodes what follows the header; record is the whole record, its body from {@link #HEADER_BYTES}. */
    @FunctionalInterface
    public interface BodyDecoder<T> {
        T decode(long epochNanos, ProcessInfo process, MemorySegment record);
    }

    private final MonotonicClock clock = MonotonicClock.calibrate();
    private final ContainerAttribution containers;

    /** Attributes records of this host's processes as the sensors' are. */
    public CommonRecords() {
        String controller = CgroupControllers.watchedV1().map(CgroupControllers.Controller::name).orElse("");
        long host = Namespaces.hostMountNamespace();
        this.containers = new ContainerAttribution(new ContainerResolver(ContainerSources.defaults(), controller), host,
                e -> { }, key -> { });
    }

    /**
     * Turns the object's programs on as a sensor's are (after load, before attach): every process
     * but this one, reader wake-ups at most once per wakeupIntervalNanos per CPU.
     */
    public static void enable(BpfObject object, long wakeupIntervalNanos) {
        object.map("settings").update(SettingsCodec.key0(), new SettingsCodec(true, (int) ProcessHandle.current().pid(), 0, 0,
                wakeupIntervalNanos, 0, Math.max(Namespaces.hostMountNamespace(), 0), -1).encode());
    }

    /**
     * Decodes a record of the given type: the header here, the rest by body.
     *
     * @throws IllegalArgumentException if the record is of another type
     * @throws IndexOutOfBoundsException if it is shorter than its header
     */
    public <T> T decode(MemorySegment record, int type, BodyDecoder<T> body) {
        Header h = Header.read(new RecordReader(record), clock);
        if (h.type() != type) {
            throw new IllegalArgumentException("record of type " + h.type() + ", expected " + type);
        }
        ProcessInfo p = h.process();
        return body.decode(h.epochNanos(), p.withContainer(containers.current(p)), record);
    }

    @Override
    public void close() {
        containers.close();
    }
}
