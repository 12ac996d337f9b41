package io.eunomia.bench;

import io.eunomia.bpf.EnforcementPolicy;
import io.eunomia.bpf.KernelEnforcement;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.Libc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Cost of monitor mode (profile enforcement, enforce.bpf.c) on a container's syscalls: the loops
 * of syscall_loop in a private mount namespace, as a container's workload, with nothing loaded;
 * with the enforcement sensor loaded as {@code eunomia enforce} runs it (new namespaces recorded,
 * the host's classified) and the namespace classified not watched (what every other container and
 * the host pay); not yet classified (recorded: what a new container pays until it is, usually
 * milliseconds); and watched by a profile that allows the loop's calls (a container staying within
 * its profile: every call checked, none reported). The configurations run one after the other in
 * every round, with a floor: bench.bpf.c's sys_enter program doing nothing (one map lookup), what
 * any program on sys_enter costs; ratios are per round against the same round's run without sensors, on wall time and
 * on the loop's CPU time (user + system, where the programs run: what other load on a shared
 * machine changes least); then a shorter run with kernel.bpf_stats_enabled on, for the sys_enter
 * program's own time per run over the loop (run_time_ns / run_cnt of its fd, mostly the loop's
 * calls): the figure load changes least, where the time goes beside the dispatch every program
 * pays. Stats are off for the ratios: their accounting (two clock reads per run) costs every program.
 */
final class EnforceBench {
    private enum Ns { NONE, FLOOR, UNWATCHED, RECORDED, WATCHED }

    private record Config(String name, Ns ns) {
        boolean loaded() {
            return ns != Ns.NONE && ns != Ns.FLOOR;
        }
    }

    /** One run: ns per iteration by wall clock and by the loop's CPU time; the program's ns per run (NaN: none). */
    private record Sample(double wall, double cpu, double prog) {}

    private EnforceBench() {}

    static void run(Path loop, boolean quick) throws Exception {
        int rounds = quick ? 5 : 15;
        long openCloseIters = quick ? 50_000 : 150_000;
        long getppidIters = quick ? 300_000 : 1_000_000;
        List<Config> configs = List.of(new Config("none", Ns.NONE), new Config("floor: no-op program", Ns.FLOOR),
                new Config("loaded, not watched", Ns.UNWATCHED), new Config("loaded, not classified", Ns.RECORDED),
                new Config("monitored", Ns.WATCHED));
        List<String> modes = List.of("openclose", "getppid");
        Map<String, List<Double>> nanos = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        Map<String, List<Double>> cpuRatios = new LinkedHashMap<>();
        Map<String, List<Double>> prog = new LinkedHashMap<>();
        Path statsSwitch = Path.of("/proc/sys/kernel/bpf_stats_enabled");
        String statsBefore = java.nio.file.Files.readString(statsSwitch).strip();
        try {
            System.out.printf("%n== Monitor mode on a container's syscalls: %d rounds, open+close x%d, getppid x%d, "
                    + "in a private mount namespace; %s%n", rounds, openCloseIters, getppidIters, Uptime.now());
            for (int round = 0; round < rounds; round++) {
                Map<String, Sample> base = new LinkedHashMap<>();
                for (Config c : configs) {
                    KernelSensors sensors = c.loaded() ? KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.ENFORCE))) : null;
                    BpfObject floor = c.ns() == Ns.FLOOR ? noOpProgram() : null;
                    try {
                        KernelEnforcement enforcement = sensors == null ? null : KernelEnforcement.of(sensors);
                        if (enforcement != null) {
                            long self = ProcessHandle.current().pid();
                            enforcement.markUnwatched(Namespaces.mountNamespace(self).orElseThrow(), Libc.mountNamespaceId(self).orElse(0));
                            enforcement.recordNewNamespaces(true);
                            enforcement.startFilter();
                        }
                        for (String mode : modes) {
                            int progFd = floor != null ? floor.programs().get("bench_sys_enter").fd()
                                    : sensors != null ? sensors.object(Sensor.ENFORCE).programs().get("enforce_sys_enter").fd() : -1;
                            long iterations = mode.equals("openclose") ? openCloseIters : getppidIters;
                            // Ratios with bpf_stats off (its accounting costs every program run); then a third
                            // as many iterations with it on, for the program's own time.
                            Sample ns = runInNamespace(loop, mode, iterations, enforcement, c.ns(), -1);
                            if (progFd >= 0) {
                                java.nio.file.Files.writeString(statsSwitch, "1");
                                try {
                                    ns = new Sample(ns.wall(), ns.cpu(),
                                            runInNamespace(loop, mode, iterations / 3, enforcement, c.ns(), progFd).prog());
                                } finally {
                                    java.nio.file.Files.writeString(statsSwitch, statsBefore);
                                }
                            }
                            if (c.ns() == Ns.NONE) {
                                base.put(mode, ns);
                            }
                            String key = c.name() + "|" + mode;
                            nanos.computeIfAbsent(key, k -> new ArrayList<>()).add(ns.wall());
                            cpu.computeIfAbsent(key, k -> new ArrayList<>()).add(ns.cpu());
                            ratios.computeIfAbsent(key, k -> new ArrayList<>()).add(ns.wall() / base.get(mode).wall());
                            cpuRatios.computeIfAbsent(key, k -> new ArrayList<>()).add(ns.cpu() / base.get(mode).cpu());
                            prog.computeIfAbsent(key, k -> new ArrayList<>()).add(ns.prog());
                        }
                    } finally {
                        if (sensors != null) {
                            sensors.close();
                        }
                        if (floor != null) {
                            floor.close();
                        }
                    }
                }
                System.out.printf("  round %d/%d done%n", round + 1, rounds);
            }
        } finally {
            java.nio.file.Files.writeString(statsSwitch, statsBefore);
        }
        System.out.printf("%nat the end: %s%n", Uptime.now());
        System.out.printf("%n%-24s %-10s %9s %9s %15s %9s %9s %15s %14s%n", "configuration", "loop", "wall ns", "ratio",
                "min..max", "CPU ns", "ratio", "min..max", "prog ns/run");
        for (String mode : modes) {
            for (Config c : configs) {
                String key = c.name() + "|" + mode;
                List<Double> r = ratios.get(key);
                List<Double> cr = cpuRatios.get(key);
                List<Double> pr = prog.get(key).stream().filter(d -> !d.isNaN()).toList();
                System.out.printf(Locale.ROOT, "%-24s %-10s %9.1f %8.3fx %6.3f..%.3f %9.1f %8.3fx %6.3f..%.3f %14s%n", c.name(), mode,
                        Bench.median(nanos.get(key)), Bench.median(r), min(r), max(r), Bench.median(cpu.get(key)),
                        Bench.median(cr), min(cr), max(cr), pr.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f (%.0f..%.0f)",
                                Bench.median(pr), min(pr), max(pr)));
            }
        }
    }

    /** bench.bpf.c's sys_enter program watching a syscall number that never comes: a lookup and a compare per call. */
    private static BpfObject noOpProgram() throws java.io.IOException {
        BpfObject obj = BpfObject.open("bench.bpf.o", RingThroughput.readResource("/io/eunomia/bpf/bench.bpf.o"));
        try {
            obj.load();
            obj.map("bench_control").update(new byte[4], java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder())
                    .putInt(-1).putInt(0).array());
            obj.attachAll();
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(d -> d).min().orElse(0);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(d -> d).max().orElse(0);
    }

    /**
     * The loop in a new mount namespace: a shell waits there until the namespace is classified as
     * the configuration says, then execs the loop.
     */
    private static Sample runInNamespace(Path loop, String mode, long iterations, KernelEnforcement enforcement, Ns how,
                                         int progFd) throws Exception {
        Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                "read go && exec \"$0\" \"$1\" \"$2\"", loop.toString(), mode, Long.toString(iterations))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            long mntns = awaitOwnNamespace(p.pid());
            long mntnsId = Libc.mountNamespaceId(p.pid()).orElse(0);
            switch (how) {
                case WATCHED -> enforcement.install(mntns, mntnsId, allowAll(loop.toRealPath().toString()));
                case UNWATCHED -> {
                    enforcement.markUnwatched(mntns, mntnsId);
                    // its shell's exec announced it: aged out as a few seconds of the product's sweeps do
                    enforcement.nextFilterEpoch();
                    enforcement.nextFilterEpoch();
                }
                default -> { }
            }
            ProgStats before = progFd < 0 ? null : ProgStats.of(progFd);
            p.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            String out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (p.waitFor() != 0 || out == null) {
                throw new IllegalStateException("syscall_loop " + mode + " failed (exit " + p.exitValue() + ")");
            }
            if (how == Ns.WATCHED) {
                enforcement.remove(mntns, mntnsId);
            } else if (how == Ns.RECORDED) {
                enforcement.forgetPending(mntns, mntnsId);
            }
            String[] f = out.split("\\s+");
            double progNs = before == null ? Double.NaN : ProgStats.of(progFd).nsPerRunSince(before);
            return new Sample(Double.parseDouble(f[0]), Double.parseDouble(f[2]), progNs);
        } finally {
            p.destroyForcibly();
        }
    }

    private static long awaitOwnNamespace(long pid) throws InterruptedException {
        long host = Namespaces.mountNamespace(ProcessHandle.current().pid()).orElseThrow();
        for (int i = 0; i < 1000; i++) {
            long ns = Namespaces.mountNamespace(pid).orElse(host);
            if (ns != host) {
                return ns;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("unshare did not enter a namespace of its own");
    }

    /** Every syscall and the loop allowed: it stays within its profile, every call is checked and none reported. */
    private static EnforcementPolicy allowAll(String exe) {
        BitSet all = new BitSet();
        all.set(0, EnforcementPolicy.SYSCALL_BITS);
        return new EnforcementPolicy(all, all, Set.of(), Set.of(), Set.of(exe), Set.of());
    }
}
