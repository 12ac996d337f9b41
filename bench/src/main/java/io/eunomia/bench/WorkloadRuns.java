package io.eunomia.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 15's four workloads, each run many times in a row by {@code run_times}
 * (bench/src/main/c/run_times.c): per run its wall time and its process tree's CPU (wait4's
 * rusage, µs). One side of a round is {@link #side}: a warm-up run of each workload, then each
 * workload again and again for {@code seconds}; the side's figure per workload is the median of its runs.
 */
final class WorkloadRuns {
    /** A workload: its name in the tables, a word for it (as --workloads names it), the directory it runs in, its command. */
    record Workload(String name, String key, Path dir, List<String> command) {}

    /** One side's runs of one workload: each run's wall seconds and CPU seconds (user + system of its tree). */
    record Runs(List<Double> wall, List<Double> cpu) {
        double wallMedian() {
            return Bench.median(wall);
        }

        double cpuMedian() {
            return Bench.median(cpu);
        }
    }

    /** A figure of a side: wall or CPU. */
    enum Figure {
        WALL("wall"), CPU("CPU (user+sys of its tree)");

        final String said;

        Figure(String said) {
            this.said = said;
        }

        double of(Runs r) {
            return this == WALL ? r.wallMedian() : r.cpuMedian();
        }
    }

    /** --workloads' word for the web-server part ({@link WebBench}): known here, run elsewhere. */
    static final String WEB_KEY = "web";

    private final Path runTimes;
    private final double seconds;

    /**
     * @param runTimes the compiled run_times (bench/run.sh builds it next to syscall_loop)
     * @param seconds  how long each workload runs again and again per side
     */
    WorkloadRuns(Path runTimes, double seconds) {
        if (!Files.isExecutable(runTimes)) {
            throw new IllegalArgumentException(runTimes + " is not there: bench/run.sh builds it");
        }
        this.runTimes = runTimes;
        this.seconds = seconds;
    }

    double seconds() {
        return seconds;
    }

    /** The workloads whose keys {@code only} names exactly (empty = all); an unknown key is refused. */
    static List<Workload> chosen(Path work, List<String> only) throws IOException {
        Path empty = work.resolve("empty.c");
        Files.writeString(empty, "");
        Path repo = Path.of("").toAbsolutePath();
        Path tmp = Path.of("/tmp");
        List<Workload> all = List.of(
                new Workload("tar cf /dev/null -C /usr/lib python3", "tar", tmp, List.of("tar", "cf", "/dev/null", "-C", "/usr/lib", "python3")),
                new Workload("git status + git log -p -n 200", "git", repo, List.of("sh", "-c",
                        "git status >/dev/null && git log -p -n 200 >/dev/null")),
                new Workload("300 x /bin/true", "true", tmp, List.of("sh", "-c", "i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done")),
                // the paths go in as positional parameters: a TMPDIR with a space or a metacharacter is never parsed by sh
                new Workload("10 x gcc -O0 -c (empty file)", "gcc", work, List.of("sh", "-c",
                        "for i in 1 2 3 4 5 6 7 8 9 10; do gcc -O0 -c \"$1\" -o \"$2\" || exit 1; done",
                        "sh", empty.toString(), work.resolve("empty.o").toString())));
        List<String> keys = all.stream().map(Workload::key).toList();
        for (String k : only) {
            if (!keys.contains(k) && !k.equals(WEB_KEY)) {
                throw new IllegalArgumentException("unknown workload '" + k + "': the workloads are "
                        + String.join(", ", keys) + ", " + WEB_KEY);
            }
        }
        return all.stream().filter(w -> only.isEmpty() || only.contains(w.key())).toList();
    }

    /** One side: a warm-up run of each workload (page cache, a monitor's JIT), then each for {@link #seconds}. */
    Map<Workload, Runs> side(List<Workload> workloads) throws IOException, InterruptedException {
        for (Workload w : workloads) {
            run(w, 0, 1);
        }
        Map<Workload, Runs> out = new LinkedHashMap<>();
        for (Workload w : workloads) {
            out.put(w, run(w, seconds, 3));
        }
        return out;
    }

    /** run_times for {@code secs} and at least {@code minRuns} runs. */
    Runs run(Workload w, double secs, int minRuns) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(runTimes.toString(), Double.toString(secs), Integer.toString(minRuns)));
        cmd.addAll(w.command());
        Process p = new ProcessBuilder(cmd).directory(w.dir().toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String[] f = line.split(" ");
                wall.add(Long.parseLong(f[0]) / 1e9);
                cpu.add(Long.parseLong(f[1]) / 1e6);
            }
        }
        if (p.waitFor() != 0 || wall.isEmpty()) {
            throw new IOException("run_times " + w.name() + " failed (exit " + p.exitValue() + ")");
        }
        return new Runs(wall, cpu);
    }
}
