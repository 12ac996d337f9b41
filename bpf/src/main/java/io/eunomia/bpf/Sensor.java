package io.eunomia.bpf;

import io.eunomia.bpf.internal.CapRecords;
import io.eunomia.bpf.internal.FileRecords;
import io.eunomia.bpf.internal.NetRecords;
import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.bpf.internal.RecordDecoder;
import io.eunomia.bpf.internal.RecordType;
import io.eunomia.bpf.internal.SyscallRecords;
import io.eunomia.bpf.internal.ViolationRecords;
import io.eunomia.event.EventType;
import java.util.EnumSet;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Set;

/**
 * The kernel sensors: one BPF object ({@code <objectName>.bpf.o}, built from
 * {@code bpf/src/main/bpf/<objectName>.bpf.c}) each, with the record types it emits.
 */
public enum Sensor {
    PROCESS("process", EnumSet.of(EventType.EXEC, EventType.EXIT, EventType.FORK),
            Map.of(RecordType.EXEC.code(), ProcessRecords::exec,
                   RecordType.EXIT.code(), ProcessRecords::exit,
                   RecordType.FORK.code(), ProcessRecords::fork),
            SensorConfigurer.NONE),
    /**
     * connect, accept, bind, listen with addresses and results (net.bpf.c); also the socket calls
     * made through an io_uring, as the privilege sensor's socket records (its ring completion
     * program sees them at no extra cost per completion).
     */
    NET("net", EnumSet.of(EventType.NET),
            Map.of(RecordType.NET.code(), NetRecords::net, RecordType.SYSCALL.code(), SyscallRecords::syscall),
            (obj, options) -> NetFilterMap.apply(obj, options.netInterest())),
    /** Capability checks (tp_btf/cap_capable, kernel 6.14+), deduplicated in the kernel; see {@link CapabilityUsage}. */
    CAP("cap", EnumSet.of(EventType.CAP), Map.of(RecordType.CAP.code(), CapRecords::cap), CapabilityUsage::configure),
    /**
     * Privilege and kernel-surface syscalls with their results (priv.bpf.c): setuid family, ptrace,
     * process_vm_readv/writev, modules, mount, namespaces, bpf, memfd_create, setuid/setgid chmod, kill, unusual sockets.
     */
    SYSCALL("priv", EnumSet.of(EventType.SYSCALL), Map.of(RecordType.SYSCALL.code(), SyscallRecords::syscall),
            PrivSensorSetup.INSTANCE),
    /** File operations by path with results (file.bpf.c), path prefixes filtered in the kernel. */
    FILE("file", EnumSet.of(EventType.FILE),
            Map.of(RecordType.FILE.code(), FileRecords::file),
            new FileSensorConfigurer()),
    /**
     * Syscall learning: a per-mount-namespace syscall bitmap kept in the kernel, read with
     * {@link SyscallUsage}. Emits no records.
     */
    SYSCOUNT("syscount", EnumSet.noneOf(EventType.class), Map.of(), SyscallUsage::configure),
    /**
     * Enforcement of learned profiles (enforce.bpf.c): violations of the policies installed with
     * {@link KernelEnforcement}. Loaded only when asked for (it runs on every syscall), never for
     * its event type alone: see {@link #forTypes}.
     */
    ENFORCE("enforce", EnumSet.of(EventType.VIOLATION),
            Map.of(RecordType.VIOLATION.code(), ViolationRecords::violation), KernelEnforcement::configure),
    /**
     * What seccomp does to containers: calls a filter refused, calls made under a filter before and
     * after the workload's exec, that exec's capabilities; read with {@link SeccompObservations}.
     * Emits no records. Costs every container syscall while loaded: for verify runs, not monitoring.
     */
    SECCOMP("seccomp", EnumSet.noneOf(EventType.class), Map.of(), SeccompObservations::configure);

    private final String objectName;
    private final Set<EventType> eventTypes;
    private final Map<Integer, RecordDecoder> decoders;
    private final SensorConfigurer configurer;

    Sensor(String objectName, Set<EventType> eventTypes, Map<Integer, RecordDecoder> decoders,
           SensorConfigurer configurer) {
        this.objectName = objectName;
        this.eventTypes = Set.copyOf(eventTypes);
        this.decoders = Map.copyOf(decoders);
        this.configurer = configurer;
    }

    /** Sensor-specific set-up after load, before attach (e.g. the file sensor's path prefixes). */
    SensorConfigurer configurer() {
        return configurer;
    }

    /** Name of the BPF object, e.g. "process" for process.bpf.o. */
    public String objectName() {
        return objectName;
    }

    public Set<EventType> eventTypes() {
        return eventTypes;
    }

    /** Record decoders by the record type code of events.h. */
    public Map<Integer, RecordDecoder> decoders() {
        return decoders;
    }

    /** Resource path of the compiled object inside the jar. */
    public String resource() {
        return "/io/eunomia/bpf/" + objectName + ".bpf.o";
    }

    /**
     * Ring buffers of this sensor besides the shared event stream, read by the same poller and
     * handed to their consumer through {@link KernelSensors#sideChannel}, each with what to do
     * with a record the consumer has no room for.
     */
    Map<String, java.util.function.Consumer<MemorySegment>> sideRings() {
        return this == ENFORCE ? Map.of(KernelEnforcement.NOTE_RING, note -> {}) : Map.of(); // a dropped note is counted
    }

    /** Whether the sensor is loaded only when asked for by name, never because a rule reads its event type. */
    public boolean onRequestOnly() {
        return this == ENFORCE || this == SECCOMP;
    }

    /**
     * The sensors needed to observe the given event types, except those loaded only on request
     * ({@link #onRequestOnly}: profile violations exist only while profiles are enforced).
     */
    public static Set<Sensor> forTypes(Set<EventType> types) {
        EnumSet<Sensor> out = EnumSet.noneOf(Sensor.class);
        for (Sensor s : values()) {
            if (!s.onRequestOnly() && s.eventTypes.stream().anyMatch(types::contains)) {
                out.add(s);
            }
        }
        return out;
    }
}
