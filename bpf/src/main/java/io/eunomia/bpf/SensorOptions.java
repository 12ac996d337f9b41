package io.eunomia.bpf;

import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.NetInterest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What to load and how to filter in the kernel.
 *
 * @param sensors          sensors to load
 * @param pid              only this process (thread group id); 0 = all
 * @param mntns            only this mount namespace; 0 = all
 * @param pathPrefixes     file sensor: report only paths under these prefixes, filtered in the kernel;
 *                         "/etc" matches /etc and /etc/x but not /etcfoo, "/etc/" and "/app*" are
 *                         plain string prefixes (io.eunomia.event.path.PathPrefixes); empty = all.
 *                         A prefix that is not absolute and normalised is an IllegalArgumentException
 * @param readPrefixes     file sensor's read filter: absent = off (every read reported); present = a
 *                         successful read-only open (no write access, O_CREAT, O_TRUNC, O_APPEND,
 *                         O_TMPFILE) is reported only when the opened file is under one of these
 *                         (the syntax of pathPrefixes; an empty list reports none). Every other file
 *                         event passes. Applies on top of pathPrefixes; changed live with
 *                         {@link KernelSensors#updateReadPrefixes}
 * @param ringBufferBytes  size of the ring buffer all sensors share (power of two, multiple of the page size)
 * @param pollTimeoutMillis how long a record waits in the ring buffer at most while records flow densely: the
 *                          poller takes them in rounds this far apart (at least the kernel's 1 ms wake-up
 *                          interval; an idle poller sleeps longer: the next record wakes it); while they
 *                          trickle (a round found fewer than 8), rounds twice as long ({@code RoundLength}).
 *                          Longer rounds mean fewer wake-ups per event (bench/README.md, the monitor's own cost)
 * @param containers       where to find container metadata for attribution
 * @param moduleFallback   on kernels without module-syscall tracepoints (no module support), watch
 *                         init/finit/delete_module attempts with a sys_enter program instead; it
 *                         runs on every syscall (~50 ns here), so it is off unless asked for
 * @param mapEntries       maps to size other than their programs say, by name (max entries, set
 *                         before load in every sensor that has the map): larger learning maps on a
 *                         big host, small ones to test what happens when they fill
 * @param compat32         watch 32-bit calls (x86_64 int $0x80, arm64 aarch32) of files, sockets,
 *                         set*id and exec too; they skip the per-syscall tracepoints, so a shared
 *                         sys_enter/sys_exit dispatcher sees them, at a cost to every syscall
 *                         (bench/run.sh --part overhead). Default from -Deunomia.compat32 (auto:
 *                         only where the kernel runs 32-bit code, Compat32Watch)
 * @param netInterest      the network sensor's filter: the socket events reported (net.bpf.c keeps the
 *                         others); {@link NetInterest#ALL} by default. Changed live with
 *                         {@link KernelSensors#updateNetInterest}
 * @param missPrefixes     the file sensor's miss filter: absent = off (every failed open is reported);
 *                         else the read-only opens failing with ENOENT (a file that is not there: the
 *                         loader's, git's, PATH probes) are reported only when the path the caller
 *                         gave, made absolute, lies below one of these (the rules' {@code @missingReads});
 *                         a path the kernel cannot judge as written ("." or ".." components) is
 *                         reported. Changed live with {@link KernelSensors#updateMissPrefixes}
 * @param timesPrefixes    the file sensor's times filter: absent = off (every call setting explicit times
 *                         is reported); else such a call (op UTIMES: tar x, cp -p, rsync -t set them on
 *                         every file) is reported only when its file's path lies below one of these (the
 *                         rules' {@code @timesSet}): a file named by its descriptor by its canonical path,
 *                         a path the caller gave as written, made absolute (what fd.name shows; "." or ".."
 *                         components: reported). Changed live with {@link KernelSensors#updateTimesPrefixes}
 */
public record SensorOptions(Set<Sensor> sensors, int pid, long mntns, List<String> pathPrefixes,
                            Optional<List<String>> readPrefixes, int ringBufferBytes, int pollTimeoutMillis,
                            ContainerSources containers, boolean moduleFallback, Map<String, Integer> mapEntries,
                            Compat32 compat32, NetInterest netInterest, Optional<List<String>> missPrefixes,
                            Optional<List<String>> timesPrefixes) {
    /**
     * 4 MiB: ~1.8 s of records at 15k events/s, none dropped in a 120 s soak at load 18–24 (bench/README.md).
     * The kernel maps a ring's data pages twice into the reader (so records that wrap stay contiguous) and
     * maps them all at once, so the monitor's RSS carries twice the size from the start: 16 MiB cost 32 MiB
     * of RSS, 4 MiB cost 8. A flood beyond what the ring holds is counted as dropped (DROP_RINGBUF_FULL).
     */
    public static final int DEFAULT_RING_BUFFER_BYTES = 4 << 20;
    /**
     * A round every 4 ms: ≤ 250 wake-ups/s under load (was one per kernel wake-up, ~1 per ms per CPU),
     * latency within the alert target (p99 ≤ 10 ms); 4 MiB of ring hold far more than 4 ms of records.
     */
    public static final int DEFAULT_POLL_MILLIS = 4;

    public SensorOptions {
        // In Sensor's order, the same every run (Set.copyOf's order changes from run to run): the
        // order the sensors attach in and their start-up log lines.
        sensors = sensors.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(sensors));
        pathPrefixes = List.copyOf(pathPrefixes);
        readPrefixes = readPrefixes.map(List::copyOf);
        missPrefixes = missPrefixes.map(List::copyOf);
        missPrefixes.ifPresent(io.eunomia.event.path.PathPrefixes::of);
        timesPrefixes = timesPrefixes.map(List::copyOf);
        timesPrefixes.ifPresent(io.eunomia.event.path.PathPrefixes::of);
        mapEntries = Map.copyOf(mapEntries);
        java.util.Objects.requireNonNull(netInterest);
        mapEntries.forEach((map, n) -> {
            if (n < 1) {
                throw new IllegalArgumentException("map " + map + ": max entries must be >= 1, got " + n);
            }
        });
        if (sensors.isEmpty()) {
            throw new IllegalArgumentException("no sensor selected");
        }
        // Checked here, not when the file sensor loads: a bad prefix is the caller's mistake.
        io.eunomia.event.path.PathPrefixes.of(pathPrefixes);
        if (Integer.bitCount(ringBufferBytes) != 1 || ringBufferBytes < 4096) {
            throw new IllegalArgumentException("ring buffer size must be a power of two >= 4096, got " + ringBufferBytes);
        }
        if (pollTimeoutMillis < 1) {
            throw new IllegalArgumentException("poll timeout must be >= 1 ms");
        }
    }

    public static SensorOptions of(Set<Sensor> sensors) {
        return new SensorOptions(sensors, 0, 0, List.of(), Optional.empty(), DEFAULT_RING_BUFFER_BYTES, DEFAULT_POLL_MILLIS, ContainerSources.defaults(), false, Map.of(), Compat32.fromSystemProperty(), NetInterest.ALL, Optional.empty(), Optional.empty());
    }

    public SensorOptions withSensors(Set<Sensor> newSensors) {
        return with(d -> d.sensors = newSensors);
    }

    public SensorOptions withPid(int newPid) {
        return with(d -> d.pid = newPid);
    }

    public SensorOptions withMntns(long newMntns) {
        return with(d -> d.mntns = newMntns);
    }

    public SensorOptions withPathPrefixes(List<String> prefixes) {
        return with(d -> d.pathPrefixes = prefixes);
    }

    /** The read filter: absent = off; see {@link #readPrefixes()}. */
    public SensorOptions withReadPrefixes(Optional<List<String>> prefixes) {
        return with(d -> d.readPrefixes = prefixes);
    }

    /** The miss filter: absent = off; see {@link #missPrefixes()}. */
    public SensorOptions withMissPrefixes(Optional<List<String>> prefixes) {
        return with(d -> d.missPrefixes = prefixes);
    }

    /** The times filter: absent = off; see {@link #timesPrefixes()}. */
    public SensorOptions withTimesPrefixes(Optional<List<String>> prefixes) {
        return with(d -> d.timesPrefixes = prefixes);
    }

    /** The network sensor's filter; see {@link #netInterest()}. */
    public SensorOptions withNetInterest(NetInterest interest) {
        return with(d -> d.netInterest = interest);
    }

    public SensorOptions withContainers(ContainerSources sources) {
        return with(d -> d.containers = sources);
    }

    public SensorOptions withModuleFallback(boolean on) {
        return with(d -> d.moduleFallback = on);
    }

    public SensorOptions withRingBufferBytes(int bytes) {
        return with(d -> d.ringBufferBytes = bytes);
    }

    /** Sizes one map (by name) before load; see {@link #mapEntries()}. */
    public SensorOptions withMapEntries(String map, int entries) {
        Map<String, Integer> m = new HashMap<>(mapEntries);
        m.put(map, entries);
        return with(d -> d.mapEntries = m);
    }

    /** See {@link #compat32()}: true forces the dispatcher on, false off. */
    public SensorOptions withCompatCalls(boolean on) {
        return withCompat32(on ? Compat32.ON : Compat32.OFF);
    }

    /** See {@link #compat32()}. */
    public SensorOptions withCompat32(Compat32 mode) {
        return with(d -> d.compat32 = mode);
    }

    /**
     * A copy with some components replaced, built through the canonical constructor (its checks
     * apply). {@link Draft} is the one place that lists the components besides the record header, so
     * an option is a component, a draft field and a one-line wither; SensorOptionsTest checks that
     * every wither changes its own component and no other.
     */
    private SensorOptions with(Consumer<Draft> change) {
        Draft draft = new Draft(this);
        change.accept(draft);
        return draft.build();
    }

    /** The components as fields a wither may set, copied from and back into a record. */
    private static final class Draft {
        Set<Sensor> sensors;
        int pid;
        long mntns;
        List<String> pathPrefixes;
        Optional<List<String>> readPrefixes;
        int ringBufferBytes;
        int pollTimeoutMillis;
        ContainerSources containers;
        boolean moduleFallback;
        Map<String, Integer> mapEntries;
        Compat32 compat32;
        NetInterest netInterest;
        Optional<List<String>> missPrefixes;
        Optional<List<String>> timesPrefixes;

        Draft(SensorOptions o) {
            sensors = o.sensors;
            pid = o.pid;
            mntns = o.mntns;
            pathPrefixes = o.pathPrefixes;
            readPrefixes = o.readPrefixes;
            ringBufferBytes = o.ringBufferBytes;
            pollTimeoutMillis = o.pollTimeoutMillis;
            containers = o.containers;
            moduleFallback = o.moduleFallback;
            mapEntries = o.mapEntries;
            compat32 = o.compat32;
            netInterest = o.netInterest;
            missPrefixes = o.missPrefixes;
            timesPrefixes = o.timesPrefixes;
        }

        SensorOptions build() {
            return new SensorOptions(sensors, pid, mntns, pathPrefixes, readPrefixes, ringBufferBytes,
                    pollTimeoutMillis, containers, moduleFallback, mapEntries, compat32, netInterest, missPrefixes,
                    timesPrefixes);
        }
    }
}
