package io.eunomia.engine.learn;

import io.eunomia.testkit.Binaries;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The naive peer as a cross-check: bpftrace counting every raw sys_enter by mount namespace and
 * syscall number. What it saw for a namespace is everything that namespace called.
 */
final class SyscallCensus implements AutoCloseable {
    /** Host processes left out (%d: the host's namespace number), so the map holds containers only. */
    static final String PROGRAM = "tracepoint:raw_syscalls:sys_enter /curtask->nsproxy->mnt_ns->ns.inum != %d/ "
            + "{ @c[curtask->nsproxy->mnt_ns->ns.ns_id, args->id] = count(); @p[curtask->nsproxy->mnt_ns->ns.ns_id, pid] = 1; }";
    private static final Pattern CALL = Pattern.compile("@c\\[(\\d+), (\\d+)\\]: (\\d+)");
    private static final Pattern PID = Pattern.compile("@p\\[(\\d+), (\\d+)\\]: 1");

    private final Process process;
    private final BufferedReader out;

    private SyscallCensus(Process p) {
        this.process = p;
        this.out = p.inputReader(StandardCharsets.UTF_8);
    }

    static SyscallCensus start() throws IOException {
        long host = Long.parseLong(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/mnt"))
                .toString().replaceAll("\\D", ""));
        ProcessBuilder pb = new ProcessBuilder(Binaries.require("bpftrace", "bpftrace").toString(), "-e",
                PROGRAM.formatted(host)).redirectErrorStream(true);
        // The default of 4096 keys fills up on a busy host, and bpftrace then drops new keys without a word.
        pb.environment().put("BPFTRACE_MAP_KEYS_MAX", "1000000");
        Process p = pb.start();
        SyscallCensus c = new SyscallCensus(p);
        for (String line = c.out.readLine(); ; line = c.out.readLine()) {
            if (line == null) {
                throw new IllegalStateException("bpftrace ended before attaching");
            }
            if (line.startsWith("Attaching")) {
                return c;
            }
        }
    }

    /**
     * Stops it (SIGINT prints the maps) and returns the syscall numbers of the mount namespace
     * (by id: numbers are reused) that process {@code pid} made calls in.
     */
    Set<Integer> stop(long pid) throws Exception {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
        Map<Long, Set<Integer>> calls = new HashMap<>();
        Set<Long> namespaces = new TreeSet<>();
        for (String line = this.out.readLine(); line != null; line = this.out.readLine()) {
            Matcher c = CALL.matcher(line.strip());
            if (c.matches()) {
                calls.computeIfAbsent(Long.parseLong(c.group(1)), k -> new TreeSet<>()).add(Integer.parseInt(c.group(2)));
            }
            Matcher p = PID.matcher(line.strip());
            if (p.matches() && Long.parseLong(p.group(2)) == pid) {
                namespaces.add(Long.parseLong(p.group(1)));
            }
        }
        process.waitFor(30, TimeUnit.SECONDS);
        if (namespaces.size() != 1) {
            throw new AssertionError("pid " + pid + " made calls in mount namespaces " + namespaces + ", expected one");
        }
        return calls.get(namespaces.iterator().next());
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
