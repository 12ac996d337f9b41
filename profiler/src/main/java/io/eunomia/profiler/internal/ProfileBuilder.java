package io.eunomia.profiler.internal;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.profiler.ArchProfile;
import io.eunomia.profiler.ArgumentSpec;
import io.eunomia.profiler.ArgumentValues;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Executable;
import io.eunomia.profiler.NamespaceUsage;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileMetadata;
import io.eunomia.profiler.RuntimeInfo;
import io.eunomia.profiler.SyscallUse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One profile being learned: what is known so far, added to as snapshots and events come, and
 * when the last new item came. Not thread-safe (the learner serialises access).
 */
public final class ProfileBuilder {
    private final String name;
    private final String image;
    private final Instant learnedFrom;
    private final TreeSet<RuntimeInfo> runtimes = new TreeSet<>();
    private final LinkedHashSet<String> containerIds = new LinkedHashSet<>();
    private final TreeSet<Integer> userIds = new TreeSet<>();
    private Boolean noNewPrivs;
    private final LinkedHashSet<String> warnings = new LinkedHashSet<>();
    private final Map<Arch, TreeMap<String, SyscallUse>> workload = new EnumMap<>(Arch.class);
    private final Map<Arch, TreeMap<String, SyscallUse>> runtime = new EnumMap<>(Arch.class);
    private final Map<Arch, Map<ArgumentSpec, ArgumentValues>> arguments = new EnumMap<>(Arch.class);
    private final TreeMap<Capability, CapabilityUse> granted = new TreeMap<>();
    private final TreeMap<Capability, CapabilityUse> denied = new TreeMap<>();
    private final TreeMap<String, Executable> executables = new TreeMap<>();
    private Instant lastNewItem;
    private long changes;

    public ProfileBuilder(String name, String image, Instant start) {
        this.name = name;
        this.image = image;
        this.learnedFrom = start;
        this.lastNewItem = start;
    }

    /** Continues {@code earlier}: everything it holds counts as known (not new). */
    public static ProfileBuilder continuing(Profile earlier, Instant start) {
        ProfileMetadata m = earlier.metadata();
        ProfileBuilder b = new ProfileBuilder(m.name(), m.image(), m.learnedFrom());
        b.runtimes.addAll(m.runtimes());
        b.containerIds.addAll(m.containerIds());
        b.userIds.addAll(m.userIds());
        b.noNewPrivs = m.noNewPrivs();
        b.warnings.addAll(m.warnings());
        earlier.architectures().forEach((arch, p) -> {
            b.workload.put(arch, new TreeMap<>(p.workload()));
            b.runtime.put(arch, new TreeMap<>(p.runtime()));
            Map<ArgumentSpec, ArgumentValues> args = new LinkedHashMap<>();
            p.arguments().forEach(a -> args.put(a.spec(), a));
            b.arguments.put(arch, args);
        });
        b.granted.putAll(earlier.capsGranted());
        b.denied.putAll(earlier.capsDenied());
        b.executables.putAll(earlier.executables());
        b.lastNewItem = start;
        return b;
    }

    public String name() {
        return name;
    }

    public String image() {
        return image;
    }

    public Instant lastNewItem() {
        return lastNewItem;
    }

    /** Bumped on every change, so a writer can tell whether a checkpoint is due. */
    public long changes() {
        return changes;
    }

    private void added(Instant now) {
        lastNewItem = now;
        changes++;
    }

    public void container(String id, RuntimeInfo rt, Instant now) {
        if (containerIds.add(id)) {
            changes++;
        }
        if (rt == null) {
            return;
        }
        // A runtime found later (its state directory written after the container's first events)
        // replaces the "unknown" recorded for the same manager.
        if (!rt.name().equals("unknown")
                && runtimes.removeIf(r -> r.name().equals("unknown") && r.manager().equals(rt.manager()))) {
            changes++;
        }
        if ((rt.name().equals("unknown") && runtimes.stream().anyMatch(r -> r.manager().equals(rt.manager())))
                || !runtimes.add(rt)) {
            return;
        }
        changes++;
    }

    public void user(int uid) {
        if (userIds.add(uid)) {
            changes++;
        }
    }

    /** A process was seen with or without no_new_privs: true stays only while every one had it. */
    public void noNewPrivs(boolean set) {
        Boolean next = noNewPrivs == null ? set : noNewPrivs && set;
        if (!next.equals(noNewPrivs)) {
            noNewPrivs = next;
            changes++;
        }
    }

    public void warn(String warning) {
        if (warnings.add(warning)) {
            changes++;
        }
    }

    /** Adds a namespace snapshot; returns how many items were new. */
    public int add(NamespaceUsage u, Instant now) {
        int before = itemCount();
        u.syscalls().forEach((arch, calls) -> {
            addCalls(workload, arch, calls.workload(), now);
            addCalls(runtime, arch, calls.runtime(), now);
        });
        for (Capability c : u.granted()) {
            addCap(granted, c, now);
        }
        for (Capability c : u.denied()) {
            addCap(denied, c, now);
        }
        u.arguments().forEach((arch, byArg) -> byArg.forEach((spec, seen) -> {
            Map<ArgumentSpec, ArgumentValues> m = arguments.computeIfAbsent(arch, a -> new LinkedHashMap<>());
            ArgumentValues fresh = new ArgumentValues(spec, new TreeSet<>(seen.values()), seen.overflow(), now);
            ArgumentValues old = m.get(spec);
            ArgumentValues next = old == null ? fresh : old.union(fresh);
            if (!next.equals(old)) {
                m.put(spec, next);
                added(now);
            }
        }));
        return itemCount() - before;
    }

    private void addCalls(Map<Arch, TreeMap<String, SyscallUse>> into, Arch arch, BitSet numbers, Instant now) {
        if (numbers.isEmpty()) {
            return;
        }
        SyscallTable table = SyscallTable.of(arch);
        TreeMap<String, SyscallUse> calls = into.computeIfAbsent(arch, a -> new TreeMap<>());
        for (int nr = numbers.nextSetBit(0); nr >= 0; nr = numbers.nextSetBit(nr + 1)) {
            String n = table.nameOrNumber(nr);
            if (!calls.containsKey(n)) {
                calls.put(n, new SyscallUse(n, now));
                added(now);
            }
        }
    }

    private void addCap(TreeMap<Capability, CapabilityUse> into, Capability c, Instant now) {
        if (!into.containsKey(c)) {
            into.put(c, new CapabilityUse(c, now));
            added(now);
        }
    }

    /**
     * A capability check reported by the event stream: its syscall and how many checks (the
     * kernel bitmap has neither). Only capabilities the bitmap holds are annotated: the stream
     * also reports the runtime's set-up checks, which the bitmap leaves out.
     */
    public void capabilityCheck(Capability c, boolean wasGranted, Arch arch, String syscall, long checks, Instant now) {
        TreeMap<Capability, CapabilityUse> into = wasGranted ? granted : denied;
        CapabilityUse old = into.get(c);
        if (old == null) {
            return;
        }
        TreeMap<Arch, SortedSet<String>> calls = new TreeMap<>();
        if (!syscall.isEmpty()) {
            calls.put(arch, new TreeSet<>(List.of(syscall)));
        }
        into.put(c, old.union(new CapabilityUse(c, now, checks, calls)));
        changes++;
    }

    /** A successful exec of {@code path} in the container; true when the path is new. */
    public boolean exec(String path, String sha256, Instant now) {
        TreeSet<String> hashes = new TreeSet<>();
        if (sha256 != null) {
            hashes.add(sha256);
        }
        Executable e = new Executable(path, hashes, 1, now);
        Executable old = executables.get(path);
        executables.put(path, old == null ? e : old.union(e));
        changes++;
        if (old == null) {
            added(now);
            return true;
        }
        return false;
    }

    public boolean knowsExecutable(String path) {
        return executables.containsKey(path);
    }

    public int syscallCount() {
        int n = 0;
        for (var m : workload.values()) {
            n += m.size();
        }
        return n;
    }

    public int runtimeSyscallCount() {
        int n = 0;
        for (var m : runtime.values()) {
            n += m.size();
        }
        return n;
    }

    public int capabilityCount() {
        TreeSet<Capability> all = new TreeSet<>(granted.keySet());
        all.addAll(denied.keySet());
        return all.size();
    }

    public int executableCount() {
        return executables.size();
    }

    public int itemCount() {
        int n = syscallCount() + runtimeSyscallCount() + granted.size() + denied.size() + executables.size();
        for (var m : arguments.values()) {
            for (ArgumentValues v : m.values()) {
                n += v.values().size();
            }
        }
        return n;
    }

    public List<String> containerIds() {
        return List.copyOf(containerIds);
    }

    public TreeSet<RuntimeInfo> runtimes() {
        return new TreeSet<>(runtimes);
    }

    public Profile build(Instant until) {
        ProfileMetadata meta = new ProfileMetadata(name, image, runtimes, new ArrayList<>(containerIds), userIds,
                noNewPrivs, learnedFrom, until.isBefore(learnedFrom) ? learnedFrom : until, new ArrayList<>(warnings));
        TreeMap<Arch, ArchProfile> arches = new TreeMap<>();
        TreeSet<Arch> all = new TreeSet<>(workload.keySet());
        all.addAll(runtime.keySet());
        all.addAll(arguments.keySet());
        for (Arch arch : all) {
            arches.put(arch, new ArchProfile(arch, workload.getOrDefault(arch, new TreeMap<>()),
                    runtime.getOrDefault(arch, new TreeMap<>()),
                    new ArrayList<>(arguments.getOrDefault(arch, Map.of()).values())));
        }
        return new Profile(meta, arches, granted, denied, executables);
    }
}
