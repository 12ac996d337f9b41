package io.eunomia.bpf;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.abi.SyscallTable;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the seccomp sensor ({@link Sensor#SECCOMP}, seccomp.bpf.c) saw in containers (every mount
 * namespace but the host's): calls a seccomp filter refused, calls made under a filter before and
 * after the workload's exec, and that exec's capabilities, no_new_privs and seccomp mode. Reads
 * the kernel maps on every call.
 */
public final class SeccompObservations {
    private static final int WORDS = 16;
    private static final int DENIAL_VALUE = 96;
    private static final int EXEC_SIZE = 256;
    private static final int NS_VALUE = 8 + 4 * WORDS * 8 + 3 * EXEC_SIZE;
    private static final int LEAF_LEN = 96;

    private final BpfMap control;
    private final BpfMap denied;
    private final BpfMap namespaces;
    private final BpfMap pids;
    private final BpfMap stats;
    private final Arch arch;

    private SeccompObservations(BpfObject object, Arch arch) {
        this.control = object.map("sc_control");
        this.denied = object.map("sc_denied");
        this.namespaces = object.map("sc_ns");
        this.pids = object.map("sc_pids");
        this.stats = object.map("sc_stats");
        this.arch = arch;
        if (denied.valueSize() != DENIAL_VALUE || namespaces.valueSize() != NS_VALUE) {
            throw new IllegalStateException("seccomp.bpf.o map layouts (" + denied.valueSize() + ", "
                    + namespaces.valueSize() + " bytes) differ from this reader's (" + DENIAL_VALUE + ", " + NS_VALUE
                    + "): the jar's BPF object and this class disagree");
        }
    }

    /**
     * The observations of a running sensor set (which must include {@link Sensor#SECCOMP}). Starts
     * judging tasks that begin from now on (see seccomp.bpf.c): call it right after the sensors start.
     */
    public static SeccompObservations of(KernelSensors sensors) {
        SeccompObservations o = new SeccompObservations(sensors.object(Sensor.SECCOMP), Arch.current());
        o.writeControl(Namespaces.hostMountNamespace(), Libc.clockNanos(Libc.CLOCK_MONOTONIC));
        return o;
    }

    /** After load, before attach: which namespace is the host's; no attach time yet. */
    static void configure(BpfObject object, SensorOptions options) {
        new SeccompObservations(object, Arch.current()).writeControl(Namespaces.hostMountNamespace(), 0);
    }

    private void writeControl(long hostMntns, long attachNanos) {
        control.update(new byte[4], le(new byte[16]).putInt(0, (int) hostMntns).putLong(8, attachNanos).array());
    }

    /**
     * Calls a filter refused, one entry per namespace, call and errno.
     *
     * @param namespaceId the namespace's id (its number may have been reused since), the key of
     *                    {@link Namespace#namespaceId()}
     * @param arch      the ABI of the call (x86 for ia32 calls on x86_64)
     * @param name      the call's name in that ABI ({@code syscall_<nr>} when unknown)
     * @param count     how many times
     * @param monoNanos when the first was refused (CLOCK_MONOTONIC)
     * @param args      the first refused call's arguments
     */
    public record Denial(long mntns, long namespaceId, Arch arch, int number, String name, int errno, long count,
                         long monoNanos, long[] args, int pid, int tid, String comm) {
        public Denial {
            args = args.clone();
        }

        @Override
        public long[] args() {
            return args.clone();
        }
    }

    /**
     * An exec in a container, as the new program started.
     *
     * @param seccompMode  0 none, 1 strict, 2 filter
     * @param cgroupLeaf   the last component of its cgroup path in the pids hierarchy (v1, or v2 on
     *                     a pure v2 host): docker and containerd name it after the container id,
     *                     podman "libpod-ID", runc and crun the id itself
     * @param cgroupV2Leaf the same in the v2 hierarchy ("" when it stays in the root)
     */
    public record Exec(int pid, int uid, String comm, long capEffective, long capPermitted, long capBounding,
                       int seccompMode, boolean noNewPrivs, String cgroupLeaf, String cgroupV2Leaf, long monoNanos) {
        public Set<Capability> effective() {
            return caps(capEffective);
        }

        public Set<Capability> permitted() {
            return caps(capPermitted);
        }

        public Set<Capability> bounding() {
            return caps(capBounding);
        }

        /** Whether a cgroup leaf name carries this container id. */
        public boolean cgroupNames(String containerId) {
            return !containerId.isEmpty() && (cgroupLeaf.contains(containerId) || cgroupV2Leaf.contains(containerId));
        }
    }

    /**
     * One namespace (keyed by its id, which is never reused; by its number on kernels without
     * namespace ids): the calls made under a filter (numbers of {@link #arch()} and of its 32-bit
     * ABI) before the first exec under a filter ({@code setup}: the runtime's) and from it on
     * ({@code workload}); the task whose call made the entry ({@code origin}: its comm is not an
     * exec's, but its cgroup names the container even when the runtime failed before any exec), and
     * the first exec with and without a filter.
     */
    public record Namespace(long mntns, long namespaceId, BitSet setup, BitSet workload, BitSet setupCompat,
                            BitSet workloadCompat, Exec origin, Optional<Exec> firstExec, Optional<Exec> filteredExec) {
        public Namespace {
            setup = (BitSet) setup.clone();
            workload = (BitSet) workload.clone();
            setupCompat = (BitSet) setupCompat.clone();
            workloadCompat = (BitSet) workloadCompat.clone();
        }

        @Override
        public BitSet setup() {
            return (BitSet) setup.clone();
        }

        @Override
        public BitSet workload() {
            return (BitSet) workload.clone();
        }

        @Override
        public BitSet setupCompat() {
            return (BitSet) setupCompat.clone();
        }

        @Override
        public BitSet workloadCompat() {
            return (BitSet) workloadCompat.clone();
        }

        /** Whether this namespace's execs ran in the cgroup of that container id. */
        public boolean belongsTo(String containerId) {
            return origin.cgroupNames(containerId) || firstExec.map(e -> e.cgroupNames(containerId)).orElse(false)
                    || filteredExec.map(e -> e.cgroupNames(containerId)).orElse(false);
        }
    }

    /**
     * What could not be kept.
     *
     * @param deniedMapFull    refusals not recorded (the map of refusals was full)
     * @param namespaceMapFull calls not recorded because the namespace map was full
     */
    public record Stats(long deniedMapFull, long namespaceMapFull) {}

    /** The architecture whose numbers the native bitmaps hold. */
    public Arch arch() {
        return arch;
    }

    public List<Denial> denials() {
        List<Denial> out = new ArrayList<>();
        for (byte[] key : denied.keys()) {
            denied.lookup(key).ifPresent(v -> out.add(decodeDenial(key, v)));
        }
        out.sort((a, b) -> Long.compare(a.monoNanos(), b.monoNanos()));
        return out;
    }

    /** The refusals in one namespace (not in another that had the same number). */
    public List<Denial> denials(Namespace ns) {
        return denials().stream().filter(d -> d.namespaceId() == ns.namespaceId()).toList();
    }

    /** Every namespace seen, by id. */
    public Map<Long, Namespace> namespaces() {
        Map<Long, Namespace> out = new LinkedHashMap<>();
        for (byte[] key : namespaces.keys()) {
            long id = le(key).getLong(0);
            namespaces.lookup(key).ifPresent(v -> out.put(id, decodeNamespace(id, v)));
        }
        return out;
    }

    /** The namespace ({@link Namespace#namespaceId()}) of a container process seen since the sensor started, by host pid. */
    public OptionalLong namespaceOfPid(int pid) {
        return pids.lookup(le(new byte[4]).putInt(0, pid).array())
                .map(v -> OptionalLong.of(le(v).getLong(0))).orElse(OptionalLong.empty());
    }

    public Stats stats() {
        return new Stats(stats.sumPerCpuU64(0), stats.sumPerCpuU64(1));
    }

    /** Drops what was kept about a namespace (the maps have room for 1024). */
    public void forget(Namespace ns) {
        namespaces.delete(le(new byte[8]).putLong(0, ns.namespaceId()).array());
        for (byte[] k : denied.keys()) {
            if (le(k).getLong(0) == ns.namespaceId()) {
                denied.delete(k);
            }
        }
    }

    /** struct sc_denial_key {u64 ns_key; u32 nr, err, compat, pad}, struct sc_denial {u64 mntns, count, first_ns, args[6]; ...}. */
    private Denial decodeDenial(byte[] key, byte[] v) {
        ByteBuffer k = le(key);
        ByteBuffer b = le(v);
        long nsKey = k.getLong(0);
        int nr = k.getInt(8);
        int errno = k.getInt(12);
        boolean compat = k.getInt(16) != 0;
        long mntns = b.getLong(0);
        Arch abi = compat ? arch.compat().orElse(arch) : arch;
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = b.getLong(24 + 8 * i);
        }
        return new Denial(mntns, nsKey, abi, nr, SyscallTable.of(abi).nameOrNumber(nr), errno, b.getLong(8),
                b.getLong(16), args, b.getInt(72), b.getInt(76), string(v, 80, 16));
    }

    /** struct sc_ns {u64 mntns; u64 setup[16], workload[16], setup_compat[16], workload_compat[16]; 3 x struct sc_exec}. */
    private static Namespace decodeNamespace(long id, byte[] v) {
        ByteBuffer b = le(v);
        return new Namespace(b.getLong(0), id, bits(b, 8), bits(b, 8 + 128), bits(b, 8 + 256), bits(b, 8 + 384),
                exec(v, 520).orElseThrow(), exec(v, 520 + EXEC_SIZE), exec(v, 520 + 2 * EXEC_SIZE));
    }

    private static BitSet bits(ByteBuffer b, int offset) {
        long[] words = new long[WORDS];
        for (int i = 0; i < WORDS; i++) {
            words[i] = b.getLong(offset + 8 * i);
        }
        return BitSet.valueOf(words);
    }

    private static Optional<Exec> exec(byte[] v, int off) {
        ByteBuffer b = le(v);
        long ts = b.getLong(off);
        if (ts == 0) {
            return Optional.empty();
        }
        return Optional.of(new Exec(b.getInt(off + 32), b.getInt(off + 36), string(v, off + 48, 16), b.getLong(off + 8),
                b.getLong(off + 16), b.getLong(off + 24), b.getInt(off + 40), b.getInt(off + 44) != 0,
                string(v, off + 64, LEAF_LEN), string(v, off + 64 + LEAF_LEN, LEAF_LEN), ts));
    }

    private static Set<Capability> caps(long mask) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (long m = mask; m != 0; m &= m - 1) {
            Capability.of(Long.numberOfTrailingZeros(m)).ifPresent(set::add);
        }
        return set;
    }

    private static String string(byte[] v, int off, int max) {
        int end = off;
        while (end < off + max && v[end] != 0) {
            end++;
        }
        return new String(v, off, end - off, StandardCharsets.UTF_8);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
