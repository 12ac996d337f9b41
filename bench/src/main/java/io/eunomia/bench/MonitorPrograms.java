package io.eunomia.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Run counts and run time of the BPF programs another process (the monitor) holds, read from its
 * /proc/PID/fdinfo (counted only while kernel.bpf_stats_enabled is on), named through bpftool.
 */
final class MonitorPrograms {
    private static final Pattern PROG = Pattern.compile("\"id\":(\\d+),\"type\":\"[^\"]*\",\"name\":\"([^\"]*)\"");
    private static final Path STATS_SWITCH = Path.of("/proc/sys/kernel/bpf_stats_enabled");

    /** One program's counters; name is the kernel's (15 characters at most). */
    record Prog(int id, String name, long ns, long runs) {}

    private MonitorPrograms() {}

    /** The programs pid holds, by id. */
    static Map<Integer, Prog> of(long pid) throws IOException, InterruptedException {
        Map<Integer, String> names = names();
        Map<Integer, Prog> out = new LinkedHashMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fdinfo"))) {
            for (Path fd : fds) {
                Map<String, String> kv = new HashMap<>();
                try {
                    for (String line : Files.readAllLines(fd)) {
                        int c = line.indexOf(':');
                        if (c > 0) {
                            kv.put(line.substring(0, c), line.substring(c + 1).strip());
                        }
                    }
                } catch (java.nio.file.NoSuchFileException closed) {
                    continue;
                }
                if (kv.containsKey("prog_id") && kv.containsKey("run_cnt")) {
                    int id = Integer.parseInt(kv.get("prog_id"));
                    out.put(id, new Prog(id, names.getOrDefault(id, "?"), Long.parseLong(kv.get("run_time_ns")),
                            Long.parseLong(kv.get("run_cnt"))));
                }
            }
        }
        return out;
    }

    private static Map<Integer, String> names() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "prog", "show", "--json").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Map<Integer, String> names = new HashMap<>();
        Matcher m = PROG.matcher(json);
        while (m.find()) {
            names.put(Integer.parseInt(m.group(1)), m.group(2));
        }
        return names;
    }

    /** Runs body with kernel.bpf_stats_enabled on (shared by everyone on the machine: restored right after). */
    static void withStats(ThrowingRunnable body) throws Exception {
        String before = Files.readString(STATS_SWITCH).strip();
        Files.writeString(STATS_SWITCH, "1");
        try {
            body.run();
        } finally {
            Files.writeString(STATS_SWITCH, before);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
