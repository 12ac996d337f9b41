package io.eunomia.profiler.kernel;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.bpf.CapabilityUsage;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SyscallUsage;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.NamespaceUsage;
import io.eunomia.profiler.UsageSource;
import io.eunomia.profiler.UsageStats;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Learning from the kernel: the syscount sensor's per-namespace bitmaps and argument values
 * ({@link SyscallUsage}) and the capability sensor's usage ({@link CapabilityUsage}). Every read
 * goes to the kernel maps; nothing is cached here.
 */
public final class KernelUsageSource implements UsageSource {
    /** What one watched-argument slot of the kernel records. */
    private record Slot(Arch arch, ArgumentSpec spec) {}

    private final SyscallUsage syscalls;
    private final CapabilityUsage caps;
    private final Arch nativeArch;
    private final Optional<Arch> compatArch;
    private final List<Slot> slots;

    private KernelUsageSource(SyscallUsage syscalls, CapabilityUsage caps, Arch nativeArch) {
        this.syscalls = syscalls;
        this.caps = caps;
        this.nativeArch = nativeArch;
        this.compatArch = nativeArch.compat();
        List<Slot> s = new ArrayList<>();
        List<SyscallUsage.ArgumentWatch> watches = new ArrayList<>();
        for (Arch arch : arches()) {
            for (ArgumentSpec spec : ArgumentSpec.LEARNED) {
                var nr = spec.number(arch);
                if (nr.isPresent() && s.size() < SyscallUsage.ARGUMENT_SLOTS) {
                    s.add(new Slot(arch, spec));
                    watches.add(new SyscallUsage.ArgumentWatch(nr.getAsInt(), arch != nativeArch, spec.index(),
                            spec.mask(), spec.inMemory()));
                }
            }
        }
        this.slots = List.copyOf(s);
        syscalls.watchArguments(watches);
    }

    /**
     * Learning from running sensors, which must include {@link Sensor#SYSCOUNT} and {@link Sensor#CAP}.
     * Sets the kernel up to record the arguments of {@link ArgumentSpec#LEARNED}.
     */
    public static KernelUsageSource of(KernelSensors sensors) {
        return new KernelUsageSource(SyscallUsage.of(sensors), CapabilityUsage.of(sensors), Arch.current());
    }

    /** The sensors learning needs. */
    public static Set<Sensor> sensors() {
        return Set.of(Sensor.SYSCOUNT, Sensor.CAP);
    }

    /** The ABIs of this host: native, then its 32-bit compat ABI if any. */
    private List<Arch> arches() {
        List<Arch> out = new ArrayList<>();
        out.add(nativeArch);
        compatArch.ifPresent(out::add);
        return out;
    }

    @Override
    public Arch nativeArch() {
        return nativeArch;
    }

    @Override
    public Map<Long, Long> namespaces() {
        Map<Long, Long> out = new LinkedHashMap<>();
        syscalls.byNamespaceId().forEach((id, l) -> out.put(id, l.mntns()));
        return out;
    }

    @Override
    public Optional<NamespaceUsage> read(long namespaceId) {
        return syscalls.learnedById(namespaceId).map(l -> {
            Map<Arch, NamespaceUsage.SyscallNumbers> calls = new EnumMap<>(Arch.class);
            calls.put(nativeArch, new NamespaceUsage.SyscallNumbers(l.workloadNative(), l.setupNative()));
            compatArch.ifPresent(c -> {
                if (!l.workloadCompat().isEmpty() || !l.setupCompat().isEmpty()) {
                    calls.put(c, new NamespaceUsage.SyscallNumbers(l.workloadCompat(), l.setupCompat()));
                }
            });
            Set<Capability> granted = Set.of();
            Set<Capability> denied = Set.of();
            Optional<CapabilityUsage.Usage> u = caps.ofNamespaceId(namespaceId);
            if (u.isPresent()) {
                granted = u.get().granted();
                denied = u.get().denied();
            }
            Map<Arch, Map<ArgumentSpec, NamespaceUsage.ObservedValues>> args = new EnumMap<>(Arch.class);
            syscalls.argumentValues(namespaceId).forEach((slot, v) -> {
                if (slot < slots.size()) {
                    Slot s = slots.get(slot);
                    args.computeIfAbsent(s.arch(), a -> new LinkedHashMap<>())
                            .put(s.spec(), new NamespaceUsage.ObservedValues(v.values().keySet(), v.overflow()));
                }
            });
            return new NamespaceUsage(l.mntns(), namespaceId, calls, granted, denied, args);
        });
    }

    @Override
    public void forget(long namespaceId) {
        syscalls.resetNamespaceId(namespaceId);
        caps.forgetNamespaceId(namespaceId);
        syscalls.forgetArguments(namespaceId);
    }

    @Override
    public UsageStats stats() {
        SyscallUsage.Stats s = syscalls.stats();
        return new UsageStats(s.namespaces(), s.capacity(), s.mapFull(), s.outOfRange(),
                caps.namespaceCount(), caps.capacity(), caps.evicted(), s.argumentEntries(), s.argumentCapacity(),
                s.argumentsNotRecorded());
    }

    /** Learning only containers: the host's own namespace is not recorded. */
    public void containersOnly() {
        syscalls.containersOnly();
    }

}
