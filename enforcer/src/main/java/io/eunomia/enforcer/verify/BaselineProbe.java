package io.eunomia.enforcer.verify;

import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.SeccompObservations;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.enforcer.seccomp.Decision;
import io.eunomia.enforcer.seccomp.SeccompProfile;
import io.eunomia.enforcer.seccomp.SyscallRule;
import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Measures a runtime's baseline: the calls it makes between applying the seccomp filter and
 * exec'ing the workload. The container runs under a filter that allows everything (one rule
 * refuses a call nothing makes, so every runtime installs it); the seccomp sensor records each
 * call made under the filter before the first exec under it. Runs are repeated and united: a Go
 * runtime's threads (runc) make some calls only now and then.
 */
public final class BaselineProbe {
    /** A filter that changes nothing the workload does, but is a filter. */
    static final SeccompProfile ALLOW_ALL = SeccompProfile.of(Decision.ALLOW, List.of(),
            List.of(SyscallRule.errno(List.of("kexec_load"), 1)));

    /**
     * One runtime's baseline.
     *
     * @param syscalls names in the host architecture's table
     * @param runs     how many runs were united
     */
    public record Measurement(ContainerRuntime runtime, boolean noNewPrivileges, Set<String> syscalls, int runs) {
        public Measurement {
            syscalls = Set.copyOf(new TreeSet<>(syscalls));
        }
    }

    private BaselineProbe() {
    }

    /**
     * Runs {@code workload} {@code runs} times in the launcher's runtime with Docker's default
     * capabilities and the given no_new_privs, and unites what the runtime did under the filter
     * before the exec.
     *
     * @throws IllegalStateException when a run did not reach the workload's exec under the filter
     */
    public static Measurement measure(ContainerLauncher launcher, Workload workload, boolean noNewPrivileges, int runs,
                                      Set<Capability> caps, Duration timeout) throws IOException {
        TreeSet<String> all = new TreeSet<>();
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.SECCOMP)))) {
            SeccompObservations seen = SeccompObservations.of(sensors);
            SyscallTable table = SyscallTable.of(seen.arch());
            for (int i = 0; i < runs; i++) {
                Launch l = launcher.run(workload, new Confinement(ALLOW_ALL, caps, noNewPrivileges), timeout);
                Optional<SeccompObservations.Namespace> ns = Verifier.find(seen, l.containerId());
                if (ns.isEmpty() || ns.get().filteredExec().isEmpty()) {
                    throw new IllegalStateException(launcher.runtime().cliName() + " run " + (i + 1) + " of container "
                            + l.containerId() + " never exec'd the workload under a filter (exit " + l.outcome().exitCode()
                            + "): " + l.outcome().tail() + "; namespaces seen: " + seen.namespaces().values().stream()
                            .map(n -> n.mntns() + " " + n.origin().comm() + " " + n.origin().cgroupLeaf() + "/"
                                    + n.origin().cgroupV2Leaf() + " exec=" + n.filteredExec().map(e -> e.comm() + " "
                                    + e.cgroupLeaf()).orElse("-")).toList());
                }
                BitSet setup = ns.get().setup();
                setup.stream().mapToObj(table::nameOrNumber).forEach(all::add);
                seen.forget(ns.get());
            }
            sensors.stop();
        }
        return new Measurement(launcher.runtime(), noNewPrivileges, all, runs);
    }
}
