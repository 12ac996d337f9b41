package io.eunomia.bpf;

import io.eunomia.bpf.container.Namespaces;

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
import java.util.BitSet;
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
 * Namespace numbers are reused once a namespace is freed: the learner keys a container by more
 * than this number and resets the entry when a new container takes it.
 */
public final class SyscallUsage {
    /** Bits per bitmap (syscount.bpf.c LEARN_BITS). */
    public static final int BITS = 1024;
    private static final int WORDS = BITS / 64;
    /** struct learned: u64 ns_id, then the native and compat bitmaps. */
    private static final int VALUE_SIZE = 8 + 2 * WORDS * 8;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final System.Logger LOG = System.getLogger(SyscallUsage.class.getName());

    private final BpfMap bitmaps;
    private final BpfMap control;
    private final BpfMap stats;
    private final SyscallTable table;

    SyscallUsage(BpfObject syscount, Arch arch) {
        this.bitmaps = syscount.map("syscalls_by_mntns");
        this.control = syscount.map("learn_control");
        this.stats = syscount.map("learn_stats");
        this.table = SyscallTable.of(arch);
        if (bitmaps.valueSize() != VALUE_SIZE) {
            throw new IllegalStateException("syscount.bpf.o bitmap is " + bitmaps.valueSize() + " bytes, expected "
                    + VALUE_SIZE + ": the jar's BPF object and this class disagree");
        }
    }

    /** The learning of a running sensor set (which must include {@link Sensor#SYSCOUNT}). */
    public static SyscallUsage of(KernelSensors sensors) {
        return new SyscallUsage(sensors.object(Sensor.SYSCOUNT), Arch.current());
    }

    /**
     * One namespace's syscalls: native ABI and 32-bit compat ABI numbers.
     *
     * @param namespaceId the namespace's 64-bit id, unique per boot unlike its number (what
     *                    ioctl NS_GET_MNTNS_ID returns); 0 on kernels without one. When a new
     *                    namespace reuses a number, the kernel restarts the entry.
     */
    public record Learned(long namespaceId, BitSet nativeCalls, BitSet compatCalls) {
        public Learned {
            nativeCalls = (BitSet) nativeCalls.clone();
            compatCalls = (BitSet) compatCalls.clone();
        }

        @Override
        public BitSet nativeCalls() {
            return (BitSet) nativeCalls.clone();
        }

        @Override
        public BitSet compatCalls() {
            return (BitSet) compatCalls.clone();
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
     * @param restarted        entries restarted because a new namespace reused a dead one's number
     */
    public record Stats(int namespaces, int capacity, long mapFull, long outOfRange, long withoutTaskCache,
                        long restarted) {}

    /** Native-ABI syscalls of every namespace seen so far. */
    public Map<Long, BitSet> byMountNamespace() {
        Map<Long, BitSet> out = new LinkedHashMap<>();
        for (byte[] key : bitmaps.keys()) {
            long mntns = Integer.toUnsignedLong(ByteBuffer.wrap(key).order(ORDER).getInt());
            bitmaps.lookup(key).ifPresent(v -> out.put(mntns, decode(v).nativeCalls()));
        }
        return out;
    }

    /** Both bitmaps of one namespace, or empty when it made no syscall since it was (re)set. */
    public Optional<Learned> learned(long mntns) {
        return bitmaps.lookup(key(mntns)).map(SyscallUsage::decode);
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
        boolean existed = bitmaps.delete(key(mntns));
        writeControl(readControl().nextGeneration());
        return existed;
    }

    /** Stops learning one namespace (0 = learn every namespace). Its existing entry stays until reset. */
    public synchronized void ignoreMountNamespace(long mntns) {
        if (mntns < 0 || mntns > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a namespace number: " + mntns);
        }
        writeControl(new Control(readControl().generation() + 1, (int) mntns));
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
                stats.sumPerCpuU64(2), stats.sumPerCpuU64(3));
    }

    /** The mount namespace number of a process, from /proc/PID/ns/mnt ("mnt:[4026531841]"). */
    public static long mountNamespaceOf(long pid) {
        return Namespaces.mountNamespace(pid).orElseThrow(() -> new UncheckedIOException(
                new IOException("cannot read the mount namespace of pid " + pid + " (gone?)")));
    }

    /** struct learn_control of syscount.bpf.c. */
    private record Control(int generation, int ignoreMntns) {
        Control nextGeneration() {
            return new Control(generation + 1, ignoreMntns);
        }
    }

    private Control readControl() {
        byte[] v = control.lookup(new byte[4]).orElse(new byte[8]);
        ByteBuffer bb = ByteBuffer.wrap(v).order(ORDER);
        return new Control(bb.getInt(0), bb.getInt(4));
    }

    private void writeControl(Control c) {
        control.update(new byte[4], ByteBuffer.allocate(8).order(ORDER).putInt(c.generation()).putInt(c.ignoreMntns()).array());
    }

    private static byte[] key(long mntns) {
        return ByteBuffer.allocate(4).order(ORDER).putInt((int) mntns).array();
    }

    /** struct learned: ns_id, native[WORDS], compat[WORDS]; u64 words, bit n = word n/64, bit n%64. */
    private static Learned decode(byte[] value) {
        LongBuffer words = ByteBuffer.wrap(value).order(ORDER).asLongBuffer();
        long id = words.get();
        long[] nat = new long[WORDS];
        long[] compat = new long[WORDS];
        words.get(nat).get(compat);
        return new Learned(id, BitSet.valueOf(nat), BitSet.valueOf(compat));
    }
}
