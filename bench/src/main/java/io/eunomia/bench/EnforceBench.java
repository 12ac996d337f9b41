package io.eunomia.bench;

import io.eunomia.bpf.EnforcementPolicy;
import io.eunomia.bpf.KernelEnforcement;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.SensorOptions;
import io.eunomia.bpf.container.Namespaces;
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
 * of syscall_loop in a private mount namespace, as a container's workload, with nothing loaded,
 * with the enforcement sensor loaded but the namespace not watched (what every other container and
 * the host pay), and with the namespace watched by a profile that allows the loop's calls (a
 * container staying within its profile: every call checked, none reported). Ratios per round
 * against the same round's run without sensors; the table shows medians.
 */
final class EnforceBench {
    private record Config(String name, boolean loaded, boolean watched) {}

    private EnforceBench() {}

    static void run(Path loop, boolean quick) throws Exception {
        int rounds = quick ? 5 : 15;
        long openCloseIters = quick ? 50_000 : 150_000;
        long getppidIters = quick ? 300_000 : 1_000_000;
        List<Config> configs = List.of(new Config("none", false, false), new Config("enforce, not watched", true, false),
                new Config("monitored", true, true));
        List<String> modes = List.of("openclose", "getppid");
        Map<String, List<Double>> nanos = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        System.out.printf("%n== Monitor mode on a container's syscalls: %d rounds, open+close x%d, getppid x%d, "
                + "in a private mount namespace%n", rounds, openCloseIters, getppidIters);
        for (int round = 0; round < rounds; round++) {
            Map<String, Double> base = new LinkedHashMap<>();
            for (Config c : configs) {
                KernelSensors sensors = c.loaded() ? KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.ENFORCE))) : null;
                try {
                    KernelEnforcement enforcement = sensors == null ? null : KernelEnforcement.of(sensors);
                    for (String mode : modes) {
                        double ns = runInNamespace(loop, mode, mode.equals("openclose") ? openCloseIters : getppidIters,
                                c.watched() ? enforcement : null);
                        if (!c.loaded()) {
                            base.put(mode, ns);
                        }
                        String key = c.name() + "|" + mode;
                        nanos.computeIfAbsent(key, k -> new ArrayList<>()).add(ns);
                        ratios.computeIfAbsent(key, k -> new ArrayList<>()).add(ns / base.get(mode));
                    }
                } finally {
                    if (sensors != null) {
                        sensors.close();
                    }
                }
            }
            System.out.printf("  round %d/%d done%n", round + 1, rounds);
        }
        System.out.printf("%n%-22s %-10s %12s %9s %17s%n", "configuration", "loop", "ns/op (med)", "ratio", "ratio min..max");
        for (Config c : configs) {
            for (String mode : modes) {
                String key = c.name() + "|" + mode;
                List<Double> r = ratios.get(key);
                System.out.printf(Locale.ROOT, "%-22s %-10s %12.1f %8.3fx %8.3f..%.3f%n", c.name(), mode,
                        Bench.median(nanos.get(key)), Bench.median(r), r.stream().mapToDouble(d -> d).min().orElse(0),
                        r.stream().mapToDouble(d -> d).max().orElse(0));
            }
        }
    }

    /**
     * The loop in a new mount namespace: a shell waits there until the namespace has its policy
     * (when asked), then execs the loop.
     */
    private static double runInNamespace(Path loop, String mode, long iterations, KernelEnforcement watch) throws Exception {
        Process p = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                "read go && exec \"$0\" \"$1\" \"$2\"", loop.toString(), mode, Long.toString(iterations))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            long mntns = awaitOwnNamespace(p.pid());
            if (watch != null) {
                watch.install(mntns, Libc.mountNamespaceId(p.pid()).orElse(0), allowAll(loop.toRealPath().toString()));
            }
            p.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            String out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (p.waitFor() != 0 || out == null) {
                throw new IllegalStateException("syscall_loop " + mode + " failed (exit " + p.exitValue() + ")");
            }
            if (watch != null) {
                watch.remove(mntns);
            }
            return Double.parseDouble(out.split("\\s+")[0]);
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
