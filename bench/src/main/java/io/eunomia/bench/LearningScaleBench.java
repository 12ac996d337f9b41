package io.eunomia.bench;

import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.Crun;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.RunningContainer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many containers learned at once: {@code eunomia learn --all-containers} (its own JVM, metrics on
 * loopback) while N crun containers run a small busybox loop each. Reports how long until every
 * one is being learned, the kernel maps' fill and losses (from learn's own /metrics), the
 * learner's heap after GC and resident memory before and with the containers (per container),
 * and whether each container's profile was written with its loop's calls.
 */
final class LearningScaleBench {
    private static final String SCRIPT = "while true; do cat /etc/hostname >/dev/null; sleep 1; done";

    private LearningScaleBench() {}

    static void run(boolean quick) throws Exception {
        int n = quick ? 50 : 200;
        Path dir = Files.createTempDirectory("eunomia-bench-scale");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        System.out.printf("%n== Learning at scale: %d crun containers ('%s'), learned at once; %s%n", n, SCRIPT,
                Uptime.now());
        List<RunningContainer> started = new ArrayList<>();
        Process learn = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "io.eunomia.engine.Main", "learn", "--all-containers", "--out-dir", dir.resolve("profiles").toString(),
                "--format", "json", "--metrics-address", "127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("learn.log").toFile()).start();
        try (Crun crun = new Crun()) {
            awaitLog(dir.resolve("learn.log"), "eunomia: learning ", learn);
            Thread.sleep(2000);
            Memory idle = Memory.of(learn.pid());
            String prefix = OciRuntime.uniqueId("scale");
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                started.add(crun.start(prefix + "-" + i, ContainerSpec.of("sh", "-c", SCRIPT)));
            }
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            HttpClient http = HttpClient.newHttpClient();
            double learning = 0;
            long t1 = System.nanoTime();
            while ((System.nanoTime() - t1) < Duration.ofMinutes(3).toNanos()) {
                learning = metric(http, port, "eunomia_learning_containers", "");
                if (learning >= n) {
                    break;
                }
                Thread.sleep(500);
            }
            double allLearnedSeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(3000);   // a few polls with all of them running
            Memory busy = Memory.of(learn.pid());
            System.out.printf(Locale.ROOT, "  started %d containers in %.1f s; %s being learned %.1f s after the first "
                    + "start (%s)%n", n, startSeconds, (long) learning, allLearnedSeconds, Uptime.now());
            for (String map : List.of("syscalls", "capabilities", "arguments")) {
                String tag = "map=\"" + map + "\"";
                System.out.printf(Locale.ROOT, "  map %-12s %6.0f / %6.0f entries%n", map,
                        metric(http, port, "eunomia_learning_map_entries", tag),
                        metric(http, port, "eunomia_learning_map_capacity", tag));
            }
            for (String reason : List.of("map_full", "arguments_full", "capabilities_evicted", "out_of_range")) {
                System.out.printf(Locale.ROOT, "  not recorded, %-20s %6.0f%n", reason,
                        metric(http, port, "eunomia_learning_not_recorded_total", "reason=\"" + reason + "\""));
            }
            System.out.printf(Locale.ROOT, "  learner JVM: heap after GC %.1f MiB idle, %.1f MiB with %d containers "
                    + "(%.1f KiB each); RSS %.1f -> %.1f MiB (%.1f KiB each)%n", idle.heapMiB(), busy.heapMiB(), n,
                    (busy.heapMiB() - idle.heapMiB()) * 1024 / n, idle.rssMiB(), busy.rssMiB(),
                    (busy.rssMiB() - idle.rssMiB()) * 1024 / n);
            learn.destroy();   // SIGTERM: learn writes every profile
            if (!learn.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("learn did not stop");
            }
            int written = 0;
            for (int i = 0; i < n; i++) {
                Path f = dir.resolve("profiles").resolve(prefix + "-" + i + ".yaml");
                if (Files.exists(f) && Files.readString(f).contains("nanosleep")) {
                    written++;
                }
            }
            System.out.printf("  profiles written with the loop's calls: %d of %d%n", written, n);
        } finally {
            learn.destroyForcibly();
            for (RunningContainer c : started) {
                c.close();
            }
            LearningBench.deleteTree(dir);
        }
    }

    private static void awaitLog(Path log, String text, Process p) throws IOException, InterruptedException {
        for (int i = 0; i < 1200; i++) {
            if (Files.readString(log).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("learn did not start: " + Files.readString(log));
    }

    /** One sample of a metric from learn's /metrics (the first series whose labels contain {@code labels}). */
    private static double metric(HttpClient http, int port, String name, String labels) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? (\\S+)$").matcher(body);
        while (m.find()) {
            if (labels.isEmpty() || (m.group(1) != null && m.group(1).contains(labels))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    /** The learner's memory: heap used after a full GC (jcmd) and resident set size. */
    private record Memory(double heapMiB, double rssMiB) {
        static Memory of(long pid) throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
            long usedKiB = 0;
            Matcher m = Pattern.compile("(?m)^\\s*\\S.*?\\s+total \\d+K, used (\\d+)K").matcher(info);
            while (m.find()) {
                usedKiB += Long.parseLong(m.group(1));
            }
            long rssKiB = 0;
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    rssKiB = Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
            return new Memory(usedKiB / 1024.0, rssKiB / 1024.0);
        }

        private static String run(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        }
    }
}
