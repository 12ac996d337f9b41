package io.eunomia.bpf;

import io.eunomia.bpf.container.Namespaces;
import io.eunomia.bpf.internal.HostRoot;
import io.eunomia.bpf.internal.MonotonicClock;

import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What syscall learning ({@link Sensor#SYSCOUNT}, syscount.bpf.c) has seen: for each mount
 * namespace, the syscall numbers its tasks made since its entry was created or last
 * {@linkplain #reset reset}. Reads the kernel maps on every call; nothing is buffered here.
 *
 * <p>Native-ABI numbers are the architecture's own ({@link SyscallTable}); 32-bit calls (ia32 on
 * x86_64, aarch32 on arm64) are kept apart in {@link Learned#compatCalls()}, in their ABI's numbering.
 * Entries are keyed by the namespace's id: numbers are reused once a namespace is freed (at once
 * on a busy host), ids are not. The by-number views take the newest namespace with the number.
 */
public final class SyscallUsage {
    /** Bits per bitmap (syscount.bpf.c LEARN_BITS). */
    public static final int BITS = 1024;
    private static final int WORDS = BITS / 64;
    /** struct learned: u32 mntns, pad, u64 first_ns, then the workload's native and compat bitmaps, then the set-up's. */
    private static final int VALUE_SIZE = 16 + 4 * WORDS * 8;
    /** Watched arguments at most (syscount.bpf.c ARG_SLOTS). */
    public static final int ARGUMENT_SLOTS = 16;
    /** Distinct values kept per namespace and watched argument (ARG_MAX_VALUES). */
    public static final int MAX_ARGUMENT_VALUES = 16;
    /** struct learn_control: generation, ignore_mntns, host_mntns, host_root_dev, host_root_ino, two watch bitmaps, rules. */
    private static final int CONTROL_HEAD = 24;
    private static final int CONTROL_SIZE = CONTROL_HEAD + 2 * WORDS * 8 + ARGUMENT_SLOTS * 16;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final System.Logger LOG = System.getLogger(SyscallUsage.class.getName());

    private final BpfMap bitmaps;
    private final BpfMap control;
    private final BpfMap stats;
    private final BpfMap argValues;
    private final BpfMap argCounts;
    private final SyscallTable table;
    private final MonotonicClock clock;

    SyscallUsage(BpfObject syscount, Arch arch) {
        this.bitmaps = syscount.map("syscalls_by_mntns");
        this.control = syscount.map("learn_control");
        this.stats = syscount.map("learn_stats");
        this.argValues = syscount.map("arg_values");
        this.argCounts = syscount.map("arg_counts");
        this.table = SyscallTable.of(arch);
        this.clock = MonotonicClock.calibrate();
        if (bitmaps.valueSize() != VALUE_SIZE || control.valueSize() != CONTROL_SIZE) {
            throw new IllegalStateException("syscount.bpf.o bitmap/control are " + bitmaps.valueSize() + "/"
                    + control.valueSize() + " bytes, expected " + VALUE_SIZE + "/" + CONTROL_SIZE
                    + ": the jar's BPF object and this class disagree");
        }
    }

    /** After load, before attach: execs in the host's namespace do not mark a workload. */
    static void configure(BpfObject object, SensorOptions options) {
        SyscallUsage usage = new SyscallUsage(object, Arch.current());
        usage.writeControl(usage.readControl().withHost((int) Namespaces.hostMountNamespace(), HostRoot.ofThisProcess()));
    }

    /** The learning of a running sensor set (which must include {@link Sensor#SYSCOUNT}). */
    public static SyscallUsage of(KernelSensors sensors) {
        return new SyscallUsage(sensors.object(Sensor.SYSCOUNT), Arch.current());
    }

    /**
     * One namespace's syscalls: native ABI and 32-bit compat ABI numbers, the workload's and the
     * runtime's set-up apart (a task is the workload once it exec'd in a namespace other than the
     * host's, or is a child of such a task; see syscount.bpf.c).
     *
     * @param namespaceId the namespace's 64-bit id, unique per boot unlike its number (what
     *                    ioctl NS_GET_MNTNS_ID returns), the map's key; its number on kernels
     *                    without ids
     * @param mntns       the namespace's number (inode), reused once the namespace is freed
     * @param firstNanos  its first recorded call (CLOCK_MONOTONIC): the newest namespace with a
     *                    number is the one with the latest (ids are not in creation order)
     */
    public record Learned(long namespaceId, long mntns, long firstNanos, BitSet workloadNative, BitSet workloadCompat, BitSet setupNative,
                          BitSet setupCompat) {
        public Learned {
            workloadNative = (BitSet) workloadNative.clone();
            workloadCompat = (BitSet) workloadCompat.clone();
            setupNative = (BitSet) setupNative.clone();
            setupCompat = (BitSet) setupCompat.clone();
        }

        @Override
        public BitSet workloadNative() {
            return (BitSet) workloadNative.clone();
        }

        @Override
        public BitSet workloadCompat() {
            return (BitSet) workloadCompat.clone();
        }

        @Override
        public BitSet setupNative() {
            return (BitSet) setupNative.clone();
        }

        @Override
        public BitSet setupCompat() {
            return (BitSet) setupCompat.clone();
        }

        /** Every native call of the namespace, workload and set-up. */
        public BitSet nativeCalls() {
            BitSet all = workloadNative();
            all.or(setupNative);
            return all;
        }

        /** Every 32-bit compat call of the namespace, workload and set-up. */
        public BitSet compatCalls() {
            BitSet all = workloadCompat();
            all.or(setupCompat);
            return all;
        }
    }

    /**
     * An argument to watch (at most {@link #ARGUMENT_SLOTS}): its distinct values are recorded per
     * namespace, for the workload's calls.
     *
     * @param number   the call's number in its ABI
     * @param compat   the number is the 32-bit compat ABI's (ia32)
     * @param index    argument 0..5
     * @param mask     the bits recorded
     * @param inMemory the argument points to the u64 to record (clone3's clone_args.flags)
     */
    public record ArgumentWatch(int number, boolean compat, int index, long mask, boolean inMemory) {
        public ArgumentWatch {
            if (number < 0 || number >= BITS || index < 0 || index > 5) {
                throw new IllegalArgumentException("no such syscall argument: " + number + " #" + index);
            }
        }
    }

    /**
     * A namespace's values of one watched argument.
     *
     * @param slot      the position of its {@link ArgumentWatch} in {@link #watchArguments}
     * @param values    distinct masked values, each with when it was first seen (epoch ns)
     * @param overflow  more values came than the kernel keeps ({@link #MAX_ARGUMENT_VALUES})
     */
    public record ArgumentValues(int slot, Map<Long, Long> values, boolean overflow) {
        public ArgumentValues {
            values = Map.copyOf(values);
        }
    }

    /**
     * What could not be learned.
     *
     * @param namespaces       entries in the map now
     * @param capacity         entries the map can hold
     * @param mapFull          syscalls not recorded because the map was full (their namespace had no entry)
     * @param outOfRange       syscalls whose number does not fit the bitmap (x32 calls, bogus numbers)
     * @param withoutTaskCache syscalls recorded without the per-task cache (its allocation failed): slower, not lost
     * @param argumentEntries  argument values stored now
     * @param argumentCapacity argument values the map can hold
     * @param argumentsNotRecorded argument values lost because a value map was full
     * @param argumentOverflow argument values past the per-namespace bound (the set is marked overflowed)
     */
    public record Stats(int namespaces, int capacity, long mapFull, long outOfRange, long withoutTaskCache,
                        int argumentEntries, int argumentCapacity, long argumentsNotRecorded, long argumentOverflow) {}

    /** Every namespace seen so far, by namespace id (the key: numbers are reused, ids are not). */
    public Map<Long, Learned> byNamespaceId() {
        Map<Long, Learned> out = new LinkedHashMap<>();
        for (byte[] key : bitmaps.keys()) {
            bitmaps.lookup(key).ifPresent(v -> out.put(ByteBuffer.wrap(key).order(ORDER).getLong(0), decode(key, v)));
        }
        return out;
    }

    /**
     * Native-ABI syscalls of every namespace seen so far, by number; where several namespaces had
     * the number, the newest's.
     */
    public Map<Long, BitSet> byMountNamespace() {
        Map<Long, BitSet> out = new LinkedHashMap<>();
        newestByNumber().forEach((mntns, l) -> out.put(mntns, l.nativeCalls()));
        return out;
    }

    private Map<Long, Learned> newestByNumber() {
        Map<Long, Learned> out = new LinkedHashMap<>();
        for (Learned l : byNamespaceId().values()) {
            out.merge(l.mntns(), l, (a, b) -> a.firstNanos() >= b.firstNanos() ? a : b);
        }
        return out;
    }

    /**
     * What the newest namespace with this number did, or empty when none made a syscall since
     * it was (re)set.
     */
    public Optional<Learned> learned(long mntns) {
        return Optional.ofNullable(newestByNumber().get(mntns));
    }

    /** What one namespace did, by its id; empty when it made no syscall since it was (re)set. */
    public Optional<Learned> learnedById(long namespaceId) {
        return bitmaps.lookup(key(namespaceId)).map(v -> decode(key(namespaceId), v));
    }

    /** Native-ABI syscall numbers of one namespace (empty when none). */
    public BitSet syscalls(long mntns) {
        return learned(mntns).map(Learned::nativeCalls).orElseGet(BitSet::new);
    }

    /** Native-ABI syscall names of one namespace, in number order; unknown numbers as {@code syscall_<nr>}. */
    public Set<String> syscallNames(long mntns) {
        BitSet bits = syscalls(mntns);
        Set<String> names = new LinkedHashSet<>();
        for (int nr = bits.nextSetBit(0); nr >= 0; nr = bits.nextSetBit(nr + 1)) {
            names.add(table.nameOrNumber(nr));
        }
        return Collections.unmodifiableSet(names);
    }

    /**
     * Forgets what a namespace did: learning starts afresh from the next syscall (every task's
     * "already recorded" cache is invalidated too). Returns false when there was no entry.
     */
    public synchronized boolean reset(long mntns) {
        // Delete before the generation bump: a task racing with us then re-records in the new entry.
        boolean existed = false;
        for (Learned l : byNamespaceId().values()) {
            if (l.mntns() == mntns) {
                existed |= bitmaps.delete(key(l.namespaceId()));
            }
        }
        writeControl(readControl().nextGeneration());
        return existed;
    }

    /** {@link #reset(long)} of one namespace by its id. */
    public synchronized boolean resetNamespaceId(long namespaceId) {
        boolean existed = bitmaps.delete(key(namespaceId));
        writeControl(readControl().nextGeneration());
        return existed;
    }

    /** Stops learning one namespace (0 = learn every namespace). Its existing entry stays until reset. */
    public synchronized void ignoreMountNamespace(long mntns) {
        if (mntns < 0 || mntns > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a namespace number: " + mntns);
        }
        writeControl(readControl().withIgnored((int) mntns));
    }

    /**
     * Learns containers only: ignores the host's mount namespace, that of pid 1, or our own when
     * pid 1's cannot be read (a sandbox may hide it even from root).
     */
    public void containersOnly() {
        ignoreMountNamespace(Namespaces.hostMountNamespace());
    }

    public Stats stats() {
        return new Stats(bitmaps.keys().size(), bitmaps.maxEntries(), stats.sumPerCpuU64(0), stats.sumPerCpuU64(1),
                stats.sumPerCpuU64(2), argValues.keys().size(), argValues.maxEntries(), stats.sumPerCpuU64(3),
                stats.sumPerCpuU64(4));
    }

    /**
     * Which arguments to record (replacing the previous list); slot numbers are positions in
     * {@code watches}. Takes effect at once, for calls made from now on.
     */
    public synchronized void watchArguments(List<ArgumentWatch> watches) {
        if (watches.size() > ARGUMENT_SLOTS) {
            throw new IllegalArgumentException("at most " + ARGUMENT_SLOTS + " watched arguments, got " + watches.size());
        }
        writeControl(readControl().withWatches(List.copyOf(watches)));
    }

    /**
     * Argument values recorded for a namespace, by slot.
     *
     * @param namespaceKey the namespace's id ({@link Learned#namespaceId()}), or its number on
     *                     kernels without ids
     */
    public Map<Integer, ArgumentValues> argumentValues(long namespaceKey) {
        Map<Integer, Map<Long, Long>> values = new TreeMap<>();
        for (byte[] key : argValues.keys()) {
            ByteBuffer k = ByteBuffer.wrap(key).order(ORDER);
            if (k.getLong(0) != namespaceKey) {
                continue;
            }
            int slot = k.getInt(8);
            long value = k.getLong(16);
            argValues.lookup(key).ifPresent(v -> values.computeIfAbsent(slot, x -> new HashMap<>())
                    .put(value, clock.toEpochNanos(ByteBuffer.wrap(v).order(ORDER).getLong(0))));
        }
        Map<Integer, ArgumentValues> out = new TreeMap<>();
        for (var e : values.entrySet()) {
            byte[] ck = ByteBuffer.allocate(16).order(ORDER).putLong(namespaceKey).putInt(e.getKey()).array();
            boolean overflow = argCounts.lookup(ck).map(v -> ByteBuffer.wrap(v).order(ORDER).getInt(4) != 0).orElse(false);
            out.put(e.getKey(), new ArgumentValues(e.getKey(), e.getValue(), overflow || e.getValue().size() > MAX_ARGUMENT_VALUES));
        }
        return out;
    }

    /** Drops a namespace's argument values (by id, or number on kernels without ids). */
    public void forgetArguments(long namespaceKey) {
        for (BpfMap m : List.of(argValues, argCounts)) {
            for (byte[] key : m.keys()) {
                if (ByteBuffer.wrap(key).order(ORDER).getLong(0) == namespaceKey) {
                    m.delete(key);
                }
            }
        }
    }

    /** Takes root for the host's (tests: a directory standing for it; the sensor sets pid 1's at its start). */
    synchronized void hostRoot(HostRoot root) {
        Control c = readControl();
        writeControl(c.withHost(c.hostMntns(), root));
    }

    /** The mount namespace number of a process, from /proc/PID/ns/mnt ("mnt:[4026531841]"). */
    public static long mountNamespaceOf(long pid) {
        return Namespaces.mountNamespace(pid).orElseThrow(() -> new UncheckedIOException(
                new IOException("cannot read the mount namespace of pid " + pid + " (gone?)")));
    }

    /** struct learn_control of syscount.bpf.c. */
    private record Control(int generation, int ignoreMntns, int hostMntns, HostRoot hostRoot, List<ArgumentWatch> watches) {
        Control nextGeneration() {
            return new Control(generation + 1, ignoreMntns, hostMntns, hostRoot, watches);
        }

        Control withIgnored(int mntns) {
            return new Control(generation + 1, mntns, hostMntns, hostRoot, watches);
        }

        Control withHost(int mntns, HostRoot root) {
            return new Control(generation + 1, ignoreMntns, mntns, root, watches);
        }

        Control withWatches(List<ArgumentWatch> w) {
            return new Control(generation, ignoreMntns, hostMntns, hostRoot, w);
        }

        byte[] encode() {
            ByteBuffer bb = ByteBuffer.allocate(CONTROL_SIZE).order(ORDER);
            bb.putInt(generation).putInt(ignoreMntns).putInt(hostMntns).putInt(hostRoot.kernelDev()).putLong(hostRoot.inode());
            long[] nat = new long[WORDS];
            long[] compat = new long[WORDS];
            for (ArgumentWatch w : watches) {
                (w.compat() ? compat : nat)[w.number() / 64] |= 1L << (w.number() % 64);
            }
            for (long x : nat) {
                bb.putLong(x);
            }
            for (long x : compat) {
                bb.putLong(x);
            }
            for (ArgumentWatch w : watches) {   // struct arg_rule: nr, compat, index, in_memory, enabled, mask
                bb.putInt(w.number()).put((byte) (w.compat() ? 1 : 0)).put((byte) w.index())
                        .put((byte) (w.inMemory() ? 1 : 0)).put((byte) 1).putLong(w.mask());
            }
            return bb.array();   // unused slots stay zero: disabled
        }

        static Control decode(byte[] v) {
            ByteBuffer bb = ByteBuffer.wrap(v).order(ORDER);
            List<ArgumentWatch> watches = new ArrayList<>();
            int rules = CONTROL_HEAD + 2 * WORDS * 8;
            for (int i = 0; i < ARGUMENT_SLOTS; i++) {
                int at = rules + i * 16;
                if (bb.get(at + 7) != 0) {
                    watches.add(new ArgumentWatch(bb.getInt(at), bb.get(at + 4) != 0, bb.get(at + 5),
                            bb.getLong(at + 8), bb.get(at + 6) != 0));
                }
            }
            return new Control(bb.getInt(0), bb.getInt(4), bb.getInt(8), new HostRoot(bb.getInt(12), bb.getLong(16)),
                    List.copyOf(watches));
        }
    }

    private Control readControl() {
        return Control.decode(control.lookup(new byte[4]).orElse(new byte[CONTROL_SIZE]));
    }

    private void writeControl(Control c) {
        control.update(new byte[4], c.encode());
    }

    private static byte[] key(long namespaceId) {
        return ByteBuffer.allocate(8).order(ORDER).putLong(namespaceId).array();
    }

    /** struct learned: mntns, pad, first_ns, then native[WORDS], compat[WORDS] of the workload and of the set-up; bit n = word n/64, bit n%64. */
    private static Learned decode(byte[] key, byte[] value) {
        long id = ByteBuffer.wrap(key).order(ORDER).getLong(0);
        long mntns = Integer.toUnsignedLong(ByteBuffer.wrap(value).order(ORDER).getInt(0));
        LongBuffer words = ByteBuffer.wrap(value).order(ORDER).asLongBuffer();
        words.get();
        long first = words.get();
        BitSet[] sets = new BitSet[4];
        for (int i = 0; i < sets.length; i++) {
            long[] w = new long[WORDS];
            words.get(w);
            sets[i] = BitSet.valueOf(w);
        }
        return new Learned(id, mntns, first, sets[0], sets[1], sets[2], sets[3]);
    }
}
