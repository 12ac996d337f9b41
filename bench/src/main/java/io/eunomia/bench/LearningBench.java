package io.eunomia.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.profiler.kernel.KernelUsageSource;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Result;
import io.eunomia.testkit.Runc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cost of learning ({@code eunomia learn --all-containers}, the product in its own JVM, polling its
 * maps) on the syscall loops, in a real runc container being learned and on the host, against
 * the naive peer: bpftrace counting {@code raw_syscalls:sys_enter} per mount namespace and syscall
 * id in a kernel map. Every round runs the three configurations (nothing, learning, bpftrace) in
 * a rotating order; ratios are taken against the same round's run without anything. Then what
 * the kernel maps reserve per learned container.
 */
final class LearningBench {
    private record Loop(String mode, boolean inContainer) {
        String label() {
            return (mode.equals("openclose") ? "open+close" : "getppid") + (inContainer ? " in runc" : " on host");
        }
    }

    /** bpftrace 0.17 has no mount-namespace builtin: the task's namespace number, read through BTF. */
    static final String BPFTRACE_PROGRAM =
            "tracepoint:raw_syscalls:sys_enter { @[curtask->nsproxy->mnt_ns->ns.inum, args->id] = count(); }";

    /**
     * The loop's CPU time per iteration, not its wall time: it holds what the programs attached to
     * its syscalls cost (they run in its context) without the time it waited for a CPU, which on
     * this shared 2-vCPU machine is most of the spread. What the learner's JVM uses besides is
     * reported apart.
     */
    private static final int CPU = 2;

    private LearningBench() {}

    static void run(Path loop, boolean quick) throws Exception {
        int rounds = quick ? 3 : 11;
        long openCloseIters = quick ? 100_000 : 300_000;
        long getppidIters = quick ? 500_000 : 2_000_000;
        Path staticLoop = loop.resolveSibling("syscall_loop_static");
        if (!Files.isExecutable(staticLoop)) {
            throw new IllegalStateException(staticLoop + " missing: bench/run.sh builds it (gcc -static)");
        }
        List<Loop> loops = List.of(new Loop("openclose", true), new Loop("getppid", true), new Loop("openclose", false),
                new Loop("getppid", false));
        List<String> configs = List.of("none", "learning", "bpftrace");
        Map<String, List<Double>> nanos = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        System.out.printf("%n== Learning on syscall loops: %d rounds, open+close x%d, getppid x%d; learning = "
                + "'eunomia learn --all-containers' in its own JVM; bpftrace = '%s'%n", rounds, openCloseIters,
                getppidIters, BPFTRACE_PROGRAM);
        System.out.println("  load before: " + Uptime.now());
        int learned = 0;
        int learningRuns = 0;
        List<Double> learnerCpuMsPerSecond = new ArrayList<>();
        try (Runc runc = new Runc()) {
            for (int round = 0; round < rounds; round++) {
                Map<Loop, Double> base = new LinkedHashMap<>();
                Map<String, Map<Loop, Double>> thisRound = new LinkedHashMap<>();
                for (int k = 0; k < configs.size(); k++) {
                    String c = configs.get((round + k) % configs.size());   // rotating order: drift cancels
                    Path outDir = Files.createTempDirectory("eunomia-bench-learn");
                    List<String> names = new ArrayList<>();
                    try (LearningPeer peer = LearningPeer.start(c, outDir)) {
                        Map<Loop, Double> ns = new LinkedHashMap<>();
                        for (Loop l : loops) {
                            long iters = l.mode().equals("openclose") ? openCloseIters : getppidIters;
                            if (l.inContainer()) {
                                String name = OciRuntime.uniqueId("bench-" + c + "-" + l.mode());
                                names.add(name);
                                ns.put(l, inContainer(runc, staticLoop, name, l.mode(), iters)[CPU]);
                            } else {
                                ns.put(l, Bench.loopFigures(loop, new Bench.Workload(l.label(), l.mode(), false), iters)[CPU]);
                            }
                        }
                        thisRound.put(c, ns);
                        if (c.equals("none")) {
                            base.putAll(ns);
                        }
                        peer.stop();
                        if (c.equals("learning")) {
                            learnerCpuMsPerSecond.add(peer.cpuMsPerSecond());
                            learningRuns++;
                            learned += learnedContainers(outDir.resolve("profiles"), names);
                        }
                    } finally {
                        deleteTree(outDir);
                    }
                }
                thisRound.forEach((c, ns) -> ns.forEach((l, v) -> {
                    String key = c + "|" + l.label();
                    nanos.computeIfAbsent(key, x -> new ArrayList<>()).add(v);
                    ratios.computeIfAbsent(key, x -> new ArrayList<>()).add(v / base.get(l));
                }));
                System.out.printf("  round %d/%d done%n", round + 1, rounds);
            }
        }
        System.out.println("  load after: " + Uptime.now());
        System.out.printf("  containers found in learn's profiles (with getppid or close in their workload): %d of %d%n",
                learned, learningRuns * 2);
        System.out.printf("  learner JVM CPU while learning: %.0f ms per second (%s)%n", learnerCpuMsPerSecond.stream()
                .mapToDouble(d -> d).sorted().skip(learnerCpuMsPerSecond.size() / 2).findFirst().orElse(Double.NaN),
                "median over rounds, from its start to its stop");
        System.out.printf("%n%-10s %-22s %15s %9s %17s%n", "config", "loop", "CPU ns/op (med)", "ratio", "ratio min..max");
        for (String c : configs) {
            for (Loop l : loops) {
                String key = c + "|" + l.label();
                List<Double> r = ratios.get(key);
                System.out.printf(Locale.ROOT, "%-10s %-22s %15.1f %8.3fx %8.3f..%.3f%n", c, l.label(),
                        Bench.median(nanos.get(key)), Bench.median(r), r.stream().mapToDouble(d -> d).min().orElse(0),
                        r.stream().mapToDouble(d -> d).max().orElse(0));
            }
        }
        System.out.println("\nadded cost, learning / bpftrace (medians; target: learning <= +10% on open+close, "
                + "and less than half of what bpftrace adds):");
        for (Loop l : loops) {
            double learning = Bench.median(ratios.get("learning|" + l.label())) - 1;
            double bpftrace = Bench.median(ratios.get("bpftrace|" + l.label())) - 1;
            System.out.printf(Locale.ROOT, "  %-22s learning %+6.1f%%  bpftrace %+6.1f%%  share %.2f%n", l.label(),
                    100 * learning, 100 * bpftrace, bpftrace == 0 ? Double.NaN : learning / bpftrace);
        }
        mapMemory();
    }

    /**
     * The loop in a runc container (the static binary bind-mounted read-only); its ns per
     * iteration. The container idles a second first, so the learner has named it (as it has any
     * container that runs longer than a poll) and what is timed is the per-call cost, not the
     * learner's work on a new container competing for the CPU.
     */
    private static double[] inContainer(Runc runc, Path staticLoop, String name, String mode, long iters) {
        ContainerSpec spec = ContainerSpec.of("sh", "-c", "sleep 1; exec /loop \"$0\" \"$1\"", mode, Long.toString(iters))
                .withConfigEdit(cfg -> {
            ObjectNode m = ((ArrayNode) cfg.withArray("mounts")).addObject();
            m.put("destination", "/loop").put("type", "bind").put("source", staticLoop.toAbsolutePath().toString());
            m.putArray("options").add("bind").add("ro");
        });
        Result r = runc.run(name, spec, Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new IllegalStateException("runc loop " + name + " failed: " + r.stderr());
        }
        return Bench.figures(r.stdout());
    }

    /** How many of these containers have a profile in {@code outDir} whose syscalls include the loop's. */
    private static int learnedContainers(Path outDir, List<String> names) throws IOException {
        int n = 0;
        for (String name : names) {
            Path f = outDir.resolve(name + ".yaml");
            if (Files.exists(f) && Files.readString(f).contains(name.contains("openclose") ? "close" : "getppid")) {
                n++;
            }
        }
        return n;
    }

    /** What the learning maps reserve, from the kernel's own accounting (fdinfo memlock). */
    static void mapMemory() throws IOException {
        System.out.printf("%n== Learning maps (kernel memory, from /proc/self/fdinfo): %s%n", Uptime.now());
        System.out.printf("%-20s %-14s %8s %8s %11s %12s %10s%n", "map", "type", "key", "value", "max entries",
                "memlock", "per entry");
        try (KernelSensors sensors = KernelSensors.start(SensorOptions.of(EnumSet.copyOf(KernelUsageSource.sensors())))) {
            for (var sensor : KernelUsageSource.sensors()) {
                for (BpfMap m : sensors.object(sensor).maps().values()) {
                    if (!List.of("syscalls_by_mntns", "arg_values", "arg_counts", "cap_usage", "task_seen")
                            .contains(m.name())) {
                        continue;
                    }
                    Map<String, String> info = fdinfo(m.fd());
                    long memlock = Long.parseLong(info.getOrDefault("memlock", "0"));
                    System.out.printf(Locale.ROOT, "%-20s %-14s %8d %8d %11d %12d %10s%n", m.name(),
                            typeName(Integer.parseInt(info.getOrDefault("map_type", "0"))), m.keySize(), m.valueSize(),
                            m.maxEntries(), memlock, m.maxEntries() > 0 && !m.name().equals("task_seen")
                                    ? Long.toString(memlock / m.maxEntries()) : "per task");
                }
            }
        }
    }

    private static String typeName(int t) {
        return switch (t) {
            case 1 -> "hash";
            case 9 -> "lru_hash";
            case 29 -> "task_storage";
            default -> "type " + t;
        };
    }

    private static Map<String, String> fdinfo(int fd) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
