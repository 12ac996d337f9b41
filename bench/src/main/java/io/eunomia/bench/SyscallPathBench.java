package io.eunomia.bench;

import io.eunomia.bpf.Compat32;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.engine.pipeline.Monitor;
import io.eunomia.rules.DefaultPack;
import io.eunomia.rules.RuleCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Where a syscall pays for what is attached (bench/README.md, "Where a syscall pays";
 * {@code --part syscallpath}). Two steps:
 * <ol>
 *   <li>the hook paths alone ({@code syscall_path}, syscallpath.bpf.o): the per-syscall perf
 *       tracepoints the sensors use against a tp_btf sys_enter/sys_exit dispatcher with tail calls,
 *       the same handler behind each, for a call that is traced and one that is not;</li>
 *   <li>the real sensors, each alone, as the monitor loads them for the default pack, and with the
 *       32-bit dispatcher forced on: CPU ns added per getppid (traced by no sensor), per openat+close
 *       of /dev/null (the file sensor's exit_openat, read-filtered) and per 1-byte read of
 *       /dev/zero (traced by none), the loop pinned to one CPU.</li>
 * </ol>
 * CPU time per op (the loop's user + system time, where the hooks run) rather than wall time: what
 * other work on the machine moves least. Each round runs every configuration, in an order rotated per
 * round; the figures are the median over rounds of the difference to the same round's no-sensor
 * run, and the difference of the minima over rounds (others' work only adds CPU time to a run: cache
 * and TLB refills after each preemption). Between configurations the previous sensors' links are awaited until the kernel has released
 * them (deferred work: a link still attached would be counted in the next configuration).
 */
final class SyscallPathBench {
    private static final long RELEASE_DEADLINE_MS = 180_000;

    private SyscallPathBench() {}

    record Loop(String name, String mode, long iterations) {}

    static void run(Path loop, boolean quick, int roundsAsked) throws Exception {
        Path dir = loop.toAbsolutePath().getParent();
        hookPaths(dir.resolve("syscall_path"), dir.resolve("classes/io/eunomia/bpf/syscallpath.bpf.o"), quick);
        sensors(loop, quick, roundsAsked > 0 ? roundsAsked : quick ? 3 : 7);
    }

    private static void hookPaths(Path tool, Path object, boolean quick) throws Exception {
        System.out.printf("%n== Hook paths alone: perf tracepoints against a tp_btf dispatcher (%s)%n", tool.getFileName());
        List<String> cmd = List.of(tool.toString(), object.toString(), quick ? "11" : "31", quick ? "20000" : "30000");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")");
        }
    }

    /**
     * The sensors part's configurations (null: no sensor): each sensor of the monitor's alone, with the
     * monitor's filters, then the monitor's whole (Monitor.sensorOptions: what it loads for the pack).
     */
    static Map<String, SensorOptions> configs(SensorOptions monitor, Set<Sensor> available) {
        Map<String, SensorOptions> configs = new LinkedHashMap<>();
        configs.put("none", null);
        for (Sensor s : monitor.sensors()) {
            if (available.contains(s)) {
                configs.put(s.name().toLowerCase(Locale.ROOT), monitor.withSensors(EnumSet.of(s)));
            }
        }
        configs.put("syscount", SensorOptions.of(EnumSet.of(Sensor.SYSCOUNT)));
        configs.put("monitor", monitor);
        configs.put("monitor+32", monitor.withCompat32(Compat32.ON));
        return configs;
    }

    private static void sensors(Path loop, boolean quick, int rounds) throws Exception {
        long scale = quick ? 1 : 2;
        List<Loop> loops = List.of(new Loop("getppid", "getppid", 150_000 * scale),
                new Loop("openat+close", "openclose", 50_000 * scale),
                new Loop("read 1 B", "read", 150_000 * scale));
        SensorOptions monitor = Monitor.sensorOptions(RuleCompiler.compile(DefaultPack.sources()));
        Map<String, SensorOptions> configs = configs(monitor, Bench.available());
        int cpu = Runtime.getRuntime().availableProcessors() - 1;
        System.out.printf("%n== Real sensors: CPU ns added per op, loop pinned to CPU %d, %d rounds; 'monitor' = what "
                + "eunomia monitor loads for the default pack (%s; read, miss and times filters and net interest as it sets them)%n",
                cpu, rounds, monitor.sensors());
        List<String> names = new ArrayList<>(configs.keySet());
        Map<String, Map<Loop, List<Double>>> ns = new LinkedHashMap<>();
        Map<String, Map<Loop, List<Double>>> added = new LinkedHashMap<>();
        names.forEach(n -> {
            ns.put(n, new LinkedHashMap<>());
            added.put(n, new LinkedHashMap<>());
        });
        for (int round = 0; round < rounds; round++) {
            Map<String, Map<Loop, Double>> thisRound = new LinkedHashMap<>();
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((k + round) % names.size());
                SensorOptions options = configs.get(name);
                Map<Loop, Double> figures = new LinkedHashMap<>();
                Set<Long> links = Set.of();
                KernelSensors attached = options == null ? null : KernelSensors.start(options);
                try {
                    links = ownLinks();
                    for (Loop l : loops) {
                        pinned(loop, cpu, l.mode(), l.iterations() / 10);   // warm-up
                        figures.put(l, pinned(loop, cpu, l.mode(), l.iterations())[2]);
                    }
                } finally {
                    if (attached != null) {
                        attached.close();
                    }
                }
                awaitReleased(links);
                thisRound.put(name, figures);
            }
            for (String n : names) {
                for (Loop l : loops) {
                    double v = thisRound.get(n).get(l);
                    ns.get(n).computeIfAbsent(l, x -> new ArrayList<>()).add(v);
                    added.get(n).computeIfAbsent(l, x -> new ArrayList<>()).add(v - thisRound.get("none").get(l));
                }
            }
            System.out.printf("  round %d/%d done; %s%n", round + 1, rounds, Uptime.now());
        }
        System.out.printf("%n%-14s", "CPU ns per op");
        loops.forEach(l -> System.out.printf(" | %-14s %-16s %-9s", l.name(), "added: median", "by minima"));
        System.out.println();
        for (String n : names) {
            System.out.printf("%-14s", n);
            for (Loop l : loops) {
                List<Double> a = added.get(n).get(l);
                double byMinima = min(ns.get(n).get(l)) - min(ns.get("none").get(l));
                System.out.printf(Locale.ROOT, " | %10.1f     %+8.1f         %+8.1f ", Bench.median(ns.get(n).get(l)), Bench.median(a), byMinima);
            }
            System.out.println();
        }
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
    }

    /** The loop under taskset: its printed figures (wall ns, iterations, CPU ns per iteration). */
    private static double[] pinned(Path loop, int cpu, String mode, long iterations) throws IOException, InterruptedException {
        List<String> cmd = List.of("taskset", "-c", Integer.toString(cpu), loop.toString(), mode, Long.toString(iterations));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
        }
        return Bench.figures(out);
    }

    /** The BPF links this process holds now (their ids, from /proc/self/fdinfo). */
    private static Set<Long> ownLinks() throws IOException {
        Set<Long> ids = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : fds.toList()) {
                try {
                    for (String line : Files.readAllLines(fd)) {
                        if (line.startsWith("link_id:")) {
                            ids.add(Long.parseLong(line.substring(8).strip()));
                        }
                    }
                } catch (IOException gone) {
                    // closed meanwhile: not a link of ours any more
                }
            }
        }
        return ids;
    }

    /** Waits until the kernel has released every link (bpftool no longer lists it), at most RELEASE_DEADLINE_MS in all. */
    private static void awaitReleased(Set<Long> links) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + RELEASE_DEADLINE_MS;
        Set<Long> left = new TreeSet<>(links);
        while (!left.isEmpty()) {
            left.retainAll(attachedLinks());
            if (left.isEmpty()) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(left.size() + " links still attached " + RELEASE_DEADLINE_MS / 1000
                        + " s after their sensors closed: the next configuration would be measured with them");
            }
            Thread.sleep(250);
        }
    }

    /** Every BPF link in the system now (one bpftool run: "ID: TYPE ..." lines). */
    private static Set<Long> attachedLinks() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "link", "show").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("bpftool link show failed (exit " + p.exitValue() + ")");
        }
        Set<Long> ids = new TreeSet<>();
        for (String line : out.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).chars().allMatch(Character::isDigit)) {
                ids.add(Long.parseLong(line.substring(0, colon)));
            }
        }
        return ids;
    }
}
