package io.eunomia.enforcer.verify;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.Errno;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.SeccompObservations;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.enforcer.seccomp.EffectiveProfile;
import io.eunomia.enforcer.seccomp.SeccompAction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs a workload in a real runtime under a confinement and reports what the kernel refused,
 * what it only logged, and what the workload ran with. The container is found by its id in the
 * cgroup names the sensor read at its exec, so a container that lived a millisecond counts.
 */
public final class Verifier {
    private static final int OUTPUT_LINES = 5;
    private static final System.Logger LOG = System.getLogger(Verifier.class.getName());

    private Verifier() {
    }

    public static VerifyReport run(ContainerLauncher launcher, Workload workload, Confinement confinement,
                                   Duration timeout) throws IOException {
        Launch launch;
        Optional<SeccompObservations.Namespace> ns;
        List<SeccompObservations.Denial> denials;
        List<KernelLog.AuditRecord> audit = new ArrayList<>();
        int suppressed;
        SeccompObservations.Stats stats;
        Map<Integer, Long> pidNamespaces = new LinkedHashMap<>();
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.SECCOMP)))) {
            SeccompObservations seen = SeccompObservations.of(sensors);
            try (KernelLog log = KernelLog.start()) {
                launch = launcher.run(workload, confinement, timeout);
                ns = find(seen, launch.containerId());
                if (ns.isEmpty() && LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "no namespace names container " + launch.containerId() + "; seen: "
                            + seen.namespaces().values().stream().map(n -> n.mntns() + "[" + n.origin().comm() + " "
                                    + n.origin().cgroupLeaf() + " " + n.origin().cgroupV2Leaf() + " exec "
                                    + n.filteredExec().map(e -> e.comm() + " " + e.cgroupLeaf()).orElse("-") + "]").toList());
                }
                log.close();
                for (KernelLog.AuditRecord r : log.records()) {
                    seen.namespaceOfPid(r.pid()).ifPresent(m -> pidNamespaces.put(r.pid(), m));
                    audit.add(r);
                }
                suppressed = log.suppressed();
            }
            denials = ns.map(seen::denials).orElse(List.of());
            stats = seen.stats();
            ns.ifPresent(seen::forget);
            sensors.stop();
        }
        return report(launch, confinement, ns, denials, audit, pidNamespaces, suppressed, stats);
    }

    /** The container's namespace: the newest one whose cgroups carry its id. */
    static Optional<SeccompObservations.Namespace> find(SeccompObservations seen, String containerId) {
        if (containerId.isEmpty()) {
            return Optional.empty();
        }
        return seen.namespaces().values().stream().filter(n -> n.belongsTo(containerId))
                .max(Comparator.comparingLong(n -> n.origin().monoNanos()));
    }

    private static VerifyReport report(Launch launch, Confinement c, Optional<SeccompObservations.Namespace> ns,
                                       List<SeccompObservations.Denial> denials, List<KernelLog.AuditRecord> audit,
                                       Map<Integer, Long> pidNamespaces, int suppressed, SeccompObservations.Stats stats) {
        EffectiveProfile profile = c.effective();
        List<String> notes = new ArrayList<>();
        Optional<SeccompObservations.Exec> exec = ns.flatMap(n -> n.filteredExec().or(n::firstExec));
        long workloadStart = ns.flatMap(SeccompObservations.Namespace::filteredExec)
                .map(SeccompObservations.Exec::monoNanos).orElse(Long.MAX_VALUE);

        List<VerifyReport.DeniedCall> denied = new ArrayList<>();
        for (SeccompObservations.Denial d : denials) {
            VerifyReport.Phase phase = d.monoNanos() >= workloadStart ? VerifyReport.Phase.WORKLOAD
                    : VerifyReport.Phase.RUNTIME_SETUP;
            String says = d.arch() == profile.arch() ? profile.outcome(d.name()).describe()
                    : "(a " + d.arch().id() + " call)";
            List<Long> args = new ArrayList<>();
            for (long a : d.args()) {
                args.add(a);
            }
            denied.add(new VerifyReport.DeniedCall(d.name(), d.arch().id(), Errno.name(d.errno()), d.count(), d.comm(),
                    d.pid(), phase, args, says));
        }

        List<VerifyReport.LoggedCall> logged = ns.isPresent() && logs(profile)
                ? logged(profile, ns.get(), audit, pidNamespaces, workloadStart) : List.of();

        if (ns.isEmpty()) {
            notes.add("no container " + (launch.containerId().isEmpty() ? "" : launch.containerId() + " ")
                    + "was seen running: " + launch.runtime().cliName() + " failed before it started (exit "
                    + launch.outcome().exitCode() + "): " + launch.outcome().tail());
        } else if (exec.isEmpty()) {
            notes.add("the workload never started: " + launch.runtime().cliName() + " failed while setting the container "
                    + "up (exit " + launch.outcome().exitCode() + "): " + launch.outcome().tail());
        } else if (exec.get().seccompMode() != 2) {
            notes.add("the workload ran WITHOUT a seccomp filter: " + launch.runtime().cliName()
                    + " did not apply the profile");
        }
        exec.ifPresent(e -> {
            Set<Capability> eff = e.effective();
            EnumSet<Capability> missing = EnumSet.noneOf(Capability.class);
            missing.addAll(c.capabilities());
            missing.removeAll(eff);
            EnumSet<Capability> extra = EnumSet.noneOf(Capability.class);
            extra.addAll(eff);
            extra.removeAll(c.capabilities());
            if (!missing.isEmpty()) {
                notes.add("asked for " + names(missing) + " but the workload's CapEff lacks them: "
                        + launch.runtime().cliName() + " did not grant them");
            }
            if (!extra.isEmpty() && e.uid() == 0) {
                notes.add("the workload's CapEff has " + names(extra) + " beyond what was asked");
            }
        });
        if (suppressed > 0 && !logged.isEmpty()) {
            notes.add("the kernel held back " + suppressed + " audit line(s) (printk rate limit): the kernel log's "
                    + "list is incomplete, the sensor's is not");
        }
        if (stats.deniedMapFull() > 0 || stats.namespaceMapFull() > 0) {
            notes.add("the sensor's maps were full: " + stats.deniedMapFull() + " refusals and "
                    + stats.namespaceMapFull() + " calls were not recorded (too many containers at once)");
        }
        if (launch.outcome().exitCode() != 0 && denied.isEmpty() && exec.isPresent()) {
            notes.add("the workload exited with " + launch.outcome().exitCode()
                    + " without a refused call: its own failure, not seccomp's");
        }
        Optional<VerifyReport.WorkloadExec> w = exec.map(e -> new VerifyReport.WorkloadExec(e.pid(), e.comm(),
                e.capEffective(), e.effective(), e.noNewPrivs(), e.seccompMode() == 2));
        return new VerifyReport(launch.runtime(), launch.containerId(), launch.outcome().exitCode(),
                launch.outcome().elapsed(), lastLines(launch), w, c.capabilities(), denied, logged, notes);
    }

    private static boolean logs(EffectiveProfile p) {
        return p.defaultDecision().action() == SeccompAction.LOG
                || p.rules().stream().anyMatch(r -> r.action() == SeccompAction.LOG);
    }

    /**
     * Calls the filter logged: the kernel's audit records of the container's processes, and the
     * calls the sensor saw under the filter whose decision is LOG whatever their arguments (the
     * kernel log alone misses what its rate limit holds back).
     */
    private static List<VerifyReport.LoggedCall> logged(EffectiveProfile profile, SeccompObservations.Namespace ns,
                                                        List<KernelLog.AuditRecord> audit, Map<Integer, Long> pidNs,
                                                        long workloadStart) {
        Map<String, VerifyReport.LoggedCall> out = new LinkedHashMap<>();
        Arch arch = profile.arch();
        for (KernelLog.AuditRecord r : audit) {
            Long m = pidNs.get(r.pid());
            if (m == null || m != ns.namespaceId() || r.arch().isEmpty()) {
                continue;
            }
            String name = SyscallTable.of(r.arch().get()).nameOrNumber(r.syscall());
            VerifyReport.Phase phase = r.comm().startsWith("runc:") || r.comm().equals("crun")
                    ? VerifyReport.Phase.RUNTIME_SETUP : VerifyReport.Phase.WORKLOAD;
            out.merge(r.arch().get().id() + ":" + name, new VerifyReport.LoggedCall(name, r.arch().get().id(),
                    Set.of(VerifyReport.LogSource.KERNEL_LOG), r.comm(), phase), Verifier::both);
        }
        sensorLogged(profile, ns.setup(), VerifyReport.Phase.RUNTIME_SETUP, ns.origin().comm(), out);
        sensorLogged(profile, ns.workload(), VerifyReport.Phase.WORKLOAD,
                ns.filteredExec().map(SeccompObservations.Exec::comm).orElse(""), out);
        return new ArrayList<>(out.values());
    }

    private static void sensorLogged(EffectiveProfile profile, BitSet calls, VerifyReport.Phase phase, String comm,
                                     Map<String, VerifyReport.LoggedCall> out) {
        SyscallTable table = SyscallTable.of(profile.arch());
        for (int nr = calls.nextSetBit(0); nr >= 0; nr = calls.nextSetBit(nr + 1)) {
            String name = table.nameOrNumber(nr);
            EffectiveProfile.Outcome o = profile.outcome(name);
            boolean alwaysLogged = o.always() != null ? o.always().action() == SeccompAction.LOG
                    : o.conditional().isEmpty() ? o.otherwise().action() == SeccompAction.LOG
                    : o.conditional().stream().allMatch(r -> r.action() == SeccompAction.LOG)
                    && o.otherwise().action() == SeccompAction.LOG;
            if (alwaysLogged) {
                out.merge(profile.arch().id() + ":" + name, new VerifyReport.LoggedCall(name, profile.arch().id(),
                        Set.of(VerifyReport.LogSource.SENSOR), comm, phase), Verifier::both);
            }
        }
    }

    private static VerifyReport.LoggedCall both(VerifyReport.LoggedCall a, VerifyReport.LoggedCall b) {
        EnumSet<VerifyReport.LogSource> s = EnumSet.copyOf(a.seenBy());
        s.addAll(b.seenBy());
        return new VerifyReport.LoggedCall(a.name(), a.arch(), s, a.comm().isEmpty() ? b.comm() : a.comm(),
                a.phase().compareTo(b.phase()) <= 0 ? a.phase() : b.phase());
    }

    private static String names(Set<Capability> caps) {
        return caps.stream().map(Capability::capName).collect(Collectors.joining(", "));
    }

    private static String lastLines(Launch l) {
        String all = (l.outcome().stdout() + "\n" + l.outcome().stderr()).strip();
        String[] lines = all.split("\n");
        int from = Math.max(0, lines.length - OUTPUT_LINES);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
