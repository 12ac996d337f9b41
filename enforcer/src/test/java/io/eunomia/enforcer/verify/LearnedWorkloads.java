package io.eunomia.enforcer.verify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.SyscallUsage;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.NamespaceUsage;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.RuntimeInfo;
import io.eunomia.profiler.SyscallUse;
import io.eunomia.profiler.kernel.KernelUsageSource;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Learns a workload for real with the learning sensors (the kernel usage source {@code eunomia
 * learn} reads: the workload's syscalls apart from runc's set-up, argument values, capability
 * checks) around a busybox container in runc. The script ends by creating /learned and waits, so
 * the namespace is read while it lives, after everything it did.
 */
final class LearnedWorkloads {
    private LearnedWorkloads() {
    }

    /** Runs {@code script} in runc with these capabilities and returns what was learned. */
    static Profile learnInRunc(String script, List<String> caps) throws Exception {
        Instant from = Instant.now();
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.copyOf(KernelUsageSource.sensors())));
             Runc runc = new Runc()) {
            KernelUsageSource source = KernelUsageSource.of(sensors);
            ContainerSpec spec = ContainerSpec.of("sh", "-c", script + "; touch /learned; exec sleep 60")
                    .withConfigEdit(config -> {
                        ObjectNode c = (ObjectNode) config.get("process").get("capabilities");
                        for (String set : List.of("bounding", "effective", "permitted")) {
                            ArrayNode a = c.putArray(set);
                            caps.forEach(a::add);
                        }
                        c.remove("ambient");
                        ((ObjectNode) config.get("process")).put("noNewPrivileges", false);
                    });
            String id = OciRuntime.uniqueId("learn");
            try (RunningContainer c = runc.start(id, spec)) {
                Path done = c.bundle().rootfs().resolve("learned");
                for (int i = 0; i < 400 && !Files.exists(done); i++) {
                    Thread.sleep(25);
                }
                if (!Files.exists(done)) {
                    throw new AssertionError("the workload did not finish: " + c);
                }
                long mntns = Namespaces.mountNamespace(c.pid()).orElseThrow();
                long nsid = SyscallUsage.of(sensors).learned(mntns).orElseThrow().namespaceId();
                NamespaceUsage u = source.read(nsid).orElseThrow();
                source.forget(nsid);
                return profile(id, u, from);
            }
        }
    }

    private static Profile profile(String id, NamespaceUsage u, Instant from) {
        Instant now = Instant.now();
        TreeMap<Arch, ArchProfile> arches = new TreeMap<>();
        u.syscalls().forEach((arch, calls) -> {
            List<ArgumentValues> args = new ArrayList<>();
            u.arguments().getOrDefault(arch, Map.of()).forEach((spec, v) -> args.add(
                    new ArgumentValues(spec, new TreeSet<>(v.values()), v.overflow(), now)));
            arches.put(arch, new ArchProfile(arch, named(arch, calls.workload(), now), named(arch, calls.runtime(), now), args));
        });
        TreeMap<Capability, CapabilityUse> granted = new TreeMap<>();
        u.granted().forEach(cap -> granted.put(cap, new CapabilityUse(cap, now)));
        TreeMap<Capability, CapabilityUse> denied = new TreeMap<>();
        u.denied().forEach(cap -> denied.put(cap, new CapabilityUse(cap, now)));
        ProfileMetadata meta = new ProfileMetadata(id, "", new TreeSet<>(Set.of(new RuntimeInfo("runc", "1.1.5", ""))),
                List.of(id), new TreeSet<>(Set.of(0)), false, from, now, List.of());
        return new Profile(meta, arches, granted, denied, new TreeMap<>());
    }

    private static SortedMap<String, SyscallUse> named(Arch arch, BitSet numbers, Instant when) {
        SyscallTable table = SyscallTable.of(arch);
        TreeMap<String, SyscallUse> out = new TreeMap<>();
        numbers.stream().forEach(nr -> {
            String n = table.nameOrNumber(nr);
            out.put(n, new SyscallUse(n, when));
        });
        return out;
    }

    /** For messages. */
    static String describe(Profile p) {
        return p.arch(Arch.current()).workload().keySet() + " args " + p.arch(Arch.current()).arguments().stream()
                .map(a -> a.spec().syscall() + "#" + a.spec().index() + "=" + a.values()).toList()
                + " caps " + p.capsGranted().keySet();
    }

    static boolean learnedArgument(Profile p, ArgumentSpec spec) {
        return p.arch(Arch.current()).argument(spec).isPresent();
    }
}
